"""The platform's seal: a PAdES signature (pyHanko) over the finished contract, and its validation.

Production configures the certificate (settings contract_seal_pkcs12_path + password, or contract_seal_cert_path +
contract_seal_key_path, PEM); the embedded default generates a self-signed one once into data_dir/contract-seal/."""

from __future__ import annotations

import fcntl
import io
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path

from asn1crypto import x509 as asn1_x509
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.x509.oid import NameOID
from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.sign import signers
from pyhanko.sign.fields import SigSeedSubFilter
from pyhanko.sign.validation import validate_pdf_signature
from pyhanko_certvalidator import ValidationContext

from domain.settings import Settings
from domain.time import utc_now

FIELD_NAME = "PlatformSeal"
SEAL_SUBJECT = "演约平台电子合同签章"


@dataclass(frozen=True)
class SealCheck:
    signed: bool        # the file carries the platform's seal field
    intact: bool        # the signed bytes are unchanged
    trusted: bool       # signed by the platform's certificate
    whole_file: bool    # nothing was appended after the seal
    valid: bool         # all of the above: pyHanko's bottom line and full coverage
    signer: str | None
    signed_at: str | None
    message: str


def _generate(directory: Path) -> tuple[Path, Path]:
    directory.mkdir(parents=True, exist_ok=True)
    cert_path, key_path = directory / "seal-cert.pem", directory / "seal-key.pem"
    with (directory / ".lock").open("w") as lock:  # the API and the worker may start together
        fcntl.flock(lock, fcntl.LOCK_EX)
        if cert_path.exists() and key_path.exists():
            return cert_path, key_path
        key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
        name = x509.Name([x509.NameAttribute(NameOID.COUNTRY_NAME, "CN"),
                          x509.NameAttribute(NameOID.ORGANIZATION_NAME, "演约平台（内置默认证书）"),
                          x509.NameAttribute(NameOID.COMMON_NAME, SEAL_SUBJECT)])
        now = utc_now()
        cert = (x509.CertificateBuilder().subject_name(name).issuer_name(name).public_key(key.public_key())
                .serial_number(x509.random_serial_number()).not_valid_before(now - timedelta(days=1))
                .not_valid_after(now + timedelta(days=3650))
                .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
                .add_extension(x509.KeyUsage(digital_signature=True, content_commitment=True, key_encipherment=False,
                                             data_encipherment=False, key_agreement=False, key_cert_sign=True,
                                             crl_sign=False, encipher_only=False, decipher_only=False), critical=True)
                .sign(key, hashes.SHA256()))
        tmp_key = key_path.with_suffix(".tmp")
        tmp_key.write_bytes(key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                              serialization.NoEncryption()))
        tmp_key.chmod(0o600)
        tmp_key.replace(key_path)
        cert_path.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
        return cert_path, key_path


class PlatformSeal:
    def __init__(self, signer: signers.SimpleSigner):
        self.signer = signer
        cert = signer.signing_cert
        assert cert is not None
        self.cert: asn1_x509.Certificate = cert

    @classmethod
    def from_settings(cls, settings: Settings) -> PlatformSeal:
        if settings.contract_seal_pkcs12_path:
            password = settings.contract_seal_pkcs12_password
            signer = signers.SimpleSigner.load_pkcs12(str(settings.contract_seal_pkcs12_path),
                                                      passphrase=password.encode() if password else None)
        else:
            if settings.contract_seal_cert_path and settings.contract_seal_key_path:
                cert_path, key_path = settings.contract_seal_cert_path, settings.contract_seal_key_path
            else:
                cert_path, key_path = _generate(settings.data_dir / "contract-seal")
            signer = signers.SimpleSigner.load(str(key_path), str(cert_path))
        if signer is None:
            raise RuntimeError("contract seal certificate could not be loaded: check the contract_seal_* settings")
        return cls(signer)

    def seal(self, pdf: bytes) -> bytes:
        meta = signers.PdfSignatureMetadata(field_name=FIELD_NAME, subfilter=SigSeedSubFilter.PADES,
                                            reason="平台电子签章：合同双方已签署", location="演约平台",
                                            name=SEAL_SUBJECT)
        out = signers.sign_pdf(IncrementalPdfFileWriter(io.BytesIO(pdf)), meta, signer=self.signer)
        return out.getvalue()

    def check(self, pdf: bytes) -> SealCheck:
        """Validate the platform seal of `pdf` against the platform certificate (never raises on bad input)."""
        try:
            reader = PdfFileReader(io.BytesIO(pdf), strict=False)
            sigs = [s for s in reader.embedded_signatures if s.field_name == FIELD_NAME]
        except Exception:  # noqa: BLE001 - any unreadable upload is simply "not a sealed contract"
            return SealCheck(False, False, False, False, False, None, None, "文件无法解析为PDF")
        if not sigs:
            return SealCheck(False, False, False, False, False, None, None, "文件中没有平台电子签章")
        try:
            status = validate_pdf_signature(sigs[0], ValidationContext(trust_roots=[self.cert]))
        except Exception:  # noqa: BLE001
            return SealCheck(True, False, False, False, False, None, None, "电子签章已损坏，无法验证")
        whole = status.coverage is not None and status.coverage.name == "ENTIRE_FILE"
        valid = bool(status.bottom_line) and whole
        signer = status.signing_cert.subject.human_friendly if status.signing_cert else None
        message = ("电子签章有效：文件自平台签章后未被修改" if valid else
                   "电子签章无效：签章后文件已被修改" if not status.intact or not whole else
                   "电子签章无效：不是本平台的签章证书")
        return SealCheck(True, bool(status.intact), bool(status.trusted), whole, valid, signer,
                         status.signer_reported_dt.isoformat() if status.signer_reported_dt else None, message)
