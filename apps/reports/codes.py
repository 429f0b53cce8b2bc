"""Random public ids and anonymous tracking codes (secrets, not guessable)."""

import hashlib
import secrets

from apps.reports.models import PUBLIC_ID_ALPHABET, PUBLIC_ID_LENGTH

TRACKING_CODE_GROUPS = 3  # "7K3Q-X9MP-2HTR": 12 characters from 31, about 59 random bits


def new_public_id() -> str:
    return "LW-" + "".join(secrets.choice(PUBLIC_ID_ALPHABET) for _ in range(PUBLIC_ID_LENGTH))


def new_tracking_code() -> str:
    groups = (
        "".join(secrets.choice(PUBLIC_ID_ALPHABET) for _ in range(4))
        for _ in range(TRACKING_CODE_GROUPS)
    )
    return "-".join(groups)


def tracking_code_hash(code: str) -> str:
    """The stored form of a tracking code: SHA-256 of its normalised spelling.

    Case, dashes and spaces do not matter, so a code read aloud or retyped still matches.
    """
    normalised = "".join(char for char in code.upper() if char.isascii() and char.isalnum())
    return hashlib.sha256(normalised.encode("ascii")).hexdigest()
