"""Passwords: the rules for choosing one, and how they are hashed and checked.

Hashing uses argon2id with OWASP's recommended minimum: 19 MiB of memory, 2 iterations, one
lane. One check takes about 30 ms of one core and 19 MiB for that moment, so fifty people
signing in at once on a two-core server wait well under a second, and the memory stays
bounded; the library's defaults (64 MiB, 3 iterations, 4 lanes) take about five times as long.
A hash made with other parameters is replaced at the person's next successful sign-in.
"""

from __future__ import annotations

from argon2 import PasswordHasher, Type
from argon2.exceptions import InvalidHashError, VerificationError

MEMORY_KIB = 19 * 1024
ITERATIONS = 2
LANES = 1
SHORTEST_PASSWORD = 12
LONGEST_PASSWORD = 1000
# Stored instead of a hash for people who sign in only through their organisation: no
# password can ever match it.
NO_LOCAL_PASSWORD = "!no-local-password"

_HASHER = PasswordHasher(
    time_cost=ITERATIONS, memory_cost=MEMORY_KIB, parallelism=LANES, type=Type.ID
)
# Checked instead when there is no hash to check against, so every refusal takes as long.
_DECOY_HASH = _HASHER.hash("not a password anyone has")


def password_problem(password: str) -> str | None:
    """What is wrong with a new password, in words to show beside the field; None if nothing."""
    if len(password) < SHORTEST_PASSWORD:
        return f"Choose a password of at least {SHORTEST_PASSWORD} characters"
    if len(password) > LONGEST_PASSWORD:
        return f"Choose a password of {LONGEST_PASSWORD} characters or fewer"
    return None


def hash_password(password: str) -> str:
    return _HASHER.hash(password)


def has_local_password(stored: str) -> bool:
    return stored != NO_LOCAL_PASSWORD


def password_matches(stored: str | None, password: str) -> bool:
    """Whether the password matches the stored hash. Always does the work of one check, even
    with no hash (an unknown username, an organisation-only account), so timing tells nothing."""
    usable = stored is not None and has_local_password(stored)
    try:
        _HASHER.verify(stored if usable and stored else _DECOY_HASH, password)
    except (VerificationError, InvalidHashError):
        return False
    return usable


def needs_new_hash(stored: str) -> bool:
    """Whether a hash was made with other parameters than today's, and should be replaced."""
    try:
        return _HASHER.check_needs_rehash(stored)
    except (InvalidHashError, ValueError):
        return True
