"""Secrets the server must read back (webhook signing secrets), stored encrypted with a key
derived from the application's key (``MAHNWERK_SECRET_KEY``): a copy of the database alone
reveals none of them.

Fernet (AES-128-CBC with HMAC-SHA256, from ``cryptography``) under a key derived with
HKDF-SHA256 for this one purpose, so the application's key is never used directly. A stored
value reads ``fernet:v1:<token>``; :func:`is_sealed` tells it from a value stored in the
clear before (migration 0020 seals those).

>>> token = seal("application key", "whsec_abc")
>>> token.startswith("fernet:v1:") and "whsec_abc" not in token
True
>>> unseal("application key", token)
'whsec_abc'
>>> unseal("another key", token)  # doctest: +ELLIPSIS
Traceback (most recent call last):
...
mahnwerk.store.sealed.SealError: Geheimnis nicht entschlüsselbar (wurde MAHNWERK_SECRET_KEY ...)
"""

from __future__ import annotations

import base64
from functools import lru_cache

from cryptography.fernet import Fernet, InvalidToken
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

PREFIX = "fernet:v1:"


class SealError(ValueError):
    """A sealed value that this application's key cannot open."""


@lru_cache(maxsize=8)
def _fernet(application_key: str) -> Fernet:
    derived = HKDF(
        algorithm=hashes.SHA256(),
        length=32,
        salt=b"mahnwerk",
        info=b"mahnwerk stored secrets v1",
    ).derive(application_key.encode("utf-8"))
    return Fernet(base64.urlsafe_b64encode(derived))


def seal(application_key: str, plaintext: str) -> str:
    """``plaintext`` encrypted and authenticated, as stored."""
    token = _fernet(application_key).encrypt(plaintext.encode("utf-8"))
    return PREFIX + token.decode("ascii")


def unseal(application_key: str, stored: str) -> str:
    """The plaintext of a value :func:`seal` made with the same key."""
    if not is_sealed(stored):
        raise SealError("Geheimnis ist nicht verschlüsselt gespeichert (mahnwerk db upgrade)")
    try:
        plain = _fernet(application_key).decrypt(stored[len(PREFIX) :].encode("ascii"))
    except (InvalidToken, ValueError):
        raise SealError(
            "Geheimnis nicht entschlüsselbar (wurde MAHNWERK_SECRET_KEY geändert?)"
        ) from None
    return plain.decode("utf-8")


def is_sealed(stored: str) -> bool:
    return stored.startswith(PREFIX)
