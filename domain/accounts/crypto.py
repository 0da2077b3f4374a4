"""Secrets at rest: AES-GCM for ID numbers and names, keyed hashes for look-ups, scrypt for passwords."""

from __future__ import annotations

import base64
import hashlib
import hmac
import os
import secrets

from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

from domain.settings import Settings


def _derive(secret: str, purpose: bytes) -> bytes:
    return HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=purpose).derive(secret.encode())


class FieldCipher:
    """Encrypts personal data with AES-256-GCM; the 12-byte nonce is stored in front of the ciphertext."""

    def __init__(self, encryption_secret: str, hash_secret: str):
        self._aead = AESGCM(_derive(encryption_secret, b"yanyue id-number aes-gcm"))
        self._hash_key = _derive(hash_secret, b"yanyue id-number hmac")

    def encrypt(self, plaintext: str, *, context: bytes) -> bytes:
        nonce = os.urandom(12)
        return nonce + self._aead.encrypt(nonce, plaintext.encode(), context)

    def decrypt(self, blob: bytes, *, context: bytes) -> str:
        return self._aead.decrypt(blob[:12], blob[12:], context).decode()

    def lookup_hash(self, value: str) -> str:
        """Stable keyed hash: finds duplicates without storing or revealing the value."""
        return hmac.new(self._hash_key, value.upper().encode(), hashlib.sha256).hexdigest()


def field_cipher_from_settings(settings: Settings) -> FieldCipher:
    return FieldCipher(settings.secret("id_encryption_key"), settings.secret("id_hash_key"))


def mask_id_number(id_number: str) -> str:
    return id_number[:4] + "*" * (len(id_number) - 8) + id_number[-4:]


def mask_name(name: str) -> str:
    return name[0] + "*" * (len(name) - 1) if len(name) > 1 else "*"


def mask_phone(phone: str | None) -> str | None:
    return phone[:3] + "****" + phone[-4:] if phone and len(phone) == 11 else phone


def sha256_hex(value: str) -> str:
    return hashlib.sha256(value.encode()).hexdigest()


def new_token(nbytes: int = 32) -> str:
    return secrets.token_urlsafe(nbytes)


_SCRYPT = {"n": 2**14, "r": 8, "p": 1}


def hash_password(password: str) -> str:
    salt = os.urandom(16)
    digest = hashlib.scrypt(password.encode(), salt=salt, dklen=32, **_SCRYPT)
    return "scrypt$" + base64.b64encode(salt).decode() + "$" + base64.b64encode(digest).decode()


def verify_password(password: str, stored: str) -> bool:
    try:
        _, salt_b64, digest_b64 = stored.split("$")
    except ValueError:
        return False
    digest = hashlib.scrypt(password.encode(), salt=base64.b64decode(salt_b64), dklen=32, **_SCRYPT)
    return hmac.compare_digest(digest, base64.b64decode(digest_b64))
