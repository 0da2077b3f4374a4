from __future__ import annotations

import pytest
from cryptography.exceptions import InvalidTag

from domain.accounts.crypto import FieldCipher, hash_password, mask_id_number, mask_phone, verify_password


def test_field_cipher_round_trip_is_bound_to_key_and_context():
    cipher = FieldCipher("key-a", "hash-a")
    blob = cipher.encrypt("11010519491231002X", context=b"id")
    assert b"110105" not in blob and cipher.decrypt(blob, context=b"id") == "11010519491231002X"
    assert cipher.encrypt("11010519491231002X", context=b"id") != blob  # fresh nonce each time
    with pytest.raises(InvalidTag):
        cipher.decrypt(blob, context=b"name")
    with pytest.raises(InvalidTag):
        FieldCipher("key-b", "hash-a").decrypt(blob, context=b"id")


def test_lookup_hash_is_keyed_and_case_insensitive():
    a, b = FieldCipher("k", "hash-a"), FieldCipher("k", "hash-b")
    assert a.lookup_hash("11010519491231002x") == a.lookup_hash("11010519491231002X")
    assert a.lookup_hash("11010519491231002X") != b.lookup_hash("11010519491231002X")


def test_masks_and_passwords():
    assert mask_id_number("110105194912310021") == "1101**********0021"
    assert mask_phone("13800138000") == "138****8000"
    stored = hash_password("yanyue-admin")
    assert verify_password("yanyue-admin", stored) and not verify_password("yanyue-Admin", stored)
    assert not verify_password("x", "garbage")
