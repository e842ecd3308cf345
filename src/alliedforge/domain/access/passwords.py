"""Passwords: argon2id hashes, verification that never raises, generated passwords."""

from __future__ import annotations

import secrets
from functools import cache

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from argon2.profiles import RFC_9106_LOW_MEMORY

from alliedforge.domain.errors import InvalidError

MIN_LENGTH = 12
# argon2 hashes whatever it is given; a cap keeps a megabyte "password" from costing
# the server more than a real one does.
MAX_LENGTH = 1024
GENERATED_BYTES = 18  # 24 url-safe characters, 144 bits

# RFC 9106's second recommended option: argon2id, t=3, m=64 MiB, p=4 (~50 ms a hash).
_hasher = PasswordHasher.from_parameters(RFC_9106_LOW_MEMORY)


def hash_password(password: str) -> str:
    """The argon2id hash (PHC string, `$argon2id$...`) of `password`; passwords shorter
    than 12 characters (or absurdly long) are refused without echoing them."""
    if len(password) < MIN_LENGTH:
        raise InvalidError("password", "***", f"must be at least {MIN_LENGTH} characters")
    if len(password) > MAX_LENGTH:
        raise InvalidError("password", "***", f"must be at most {MAX_LENGTH} characters")
    return _hasher.hash(password)


def verify_password(password_hash: str, password: str) -> bool:
    """Whether `password` matches `password_hash`; a malformed hash is simply no match."""
    try:
        return _hasher.verify(password_hash, password)
    except (VerificationError, InvalidHashError):
        return False


def generate_password() -> str:
    """A random password of 24 url-safe characters (144 bits)."""
    return secrets.token_urlsafe(GENERATED_BYTES)


@cache
def dummy_hash() -> str:
    """A hash of nothing anyone knows: verified against when the user does not exist, so a
    wrong name takes as long as a wrong password."""
    return _hasher.hash(secrets.token_urlsafe(GENERATED_BYTES))
