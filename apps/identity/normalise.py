"""Canonical forms of the values we index: a phone number in E.164, a lower-cased e-mail.

Digits may be typed in any Unicode script (full-width, Arabic-Indic, Devanagari, …):
every decimal digit becomes its ASCII digit before anything else is checked, for phone
numbers and NIKs alike, so what is stored and indexed is always ASCII.
"""

import re
import unicodedata

import phonenumbers
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.utils.translation import gettext_lazy as _

_MOBILE_TYPES = {
    phonenumbers.PhoneNumberType.MOBILE,
    phonenumbers.PhoneNumberType.FIXED_LINE_OR_MOBILE,
}
MAX_RAW_PHONE_LENGTH = 40

# Hyphen, non-breaking hyphen, figure dash, en dash, em dash, horizontal bar, minus sign:
# what a keyboard or an autocorrect may put between digit groups.
_DASHES = "\u2010\u2011\u2012\u2013\u2014\u2015\u2212"
# Digits in groups separated by spaces, dashes, dots or parentheses, optionally after a
# leading "+" (itself possibly inside the parenthesis: "(+62) 812-…"). No letters (keypad
# letters or "ext"), no extension marks, nothing else: phonenumbers would quietly accept
# and drop or translate those.
_PHONE_NOTATION = re.compile(r"\(?\+?[0-9 ().\-]+")
_NIK = re.compile(r"[0-9]{16}")


def _ascii_digits(text: str) -> str:
    """NFKC, then every Unicode decimal digit (category Nd) as its ASCII digit."""
    text = unicodedata.normalize("NFKC", text)
    return "".join(
        str(unicodedata.decimal(char)) if char.isdecimal() and not char.isascii() else char
        for char in text
    )


def _invalid_phone() -> ValidationError:
    return ValidationError(_("Enter a valid mobile phone number."), code="invalid")


def normalise_phone(raw: object) -> str:
    """``0812 3456 789``, ``+62-812-3456-789``, ``6281234567 89``, ``(+62) 812.3456.789`` and
    full-width (or other Unicode) digits all become ``+628123456789``.

    Accepted are digits, separated by spaces, dashes, dots or parentheses, after an optional
    leading ``+``. Raises ``ValidationError`` for anything else (letters, extensions, a value
    that is not a string) and for anything that is not a mobile number of an allowed country.
    The message never repeats the input.
    """
    if not isinstance(raw, str):
        raise _invalid_phone()
    text = _ascii_digits(raw).strip()
    for dash in _DASHES:
        text = text.replace(dash, "-")
    if (
        not text
        or len(text) > MAX_RAW_PHONE_LENGTH
        or not _PHONE_NOTATION.fullmatch(text)
        or not any(char.isdigit() for char in text)
    ):
        raise _invalid_phone()
    try:
        number = phonenumbers.parse(text, settings.IDENTITY_PHONE_REGION)
    except phonenumbers.NumberParseException:
        raise _invalid_phone() from None
    allowed = settings.IDENTITY_PHONE_ALLOWED_REGIONS
    if (
        not phonenumbers.is_valid_number(number)
        or phonenumbers.region_code_for_number(number) not in allowed
        or phonenumbers.number_type(number) not in _MOBILE_TYPES
        or number.extension
    ):
        raise _invalid_phone()
    return str(phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164))


def normalise_email(raw: str) -> str:
    """Strip, NFKC and lower-case an e-mail address; raises ``ValidationError`` if invalid."""
    text = unicodedata.normalize("NFKC", raw or "").strip().lower()
    try:
        validate_email(text)
    except ValidationError:
        # Re-raised without Django's ``params={"value": ...}``: the address must not travel on.
        raise ValidationError(_("Enter a valid e-mail address."), code="invalid") from None
    return text


def normalise_nik(raw: object) -> str:
    """A NIK (Nomor Induk Kependudukan) is 16 digits, optionally grouped by spaces.

    Digits of any script become ASCII digits (as for phone numbers); the result is always
    16 ASCII digits. Anything else, or a value that is not a string, raises ``ValidationError``.
    """
    if not isinstance(raw, str):
        raise ValidationError(_("A NIK has 16 digits."), code="invalid")
    text = _ascii_digits(raw).replace(" ", "").strip()
    if not _NIK.fullmatch(text):
        raise ValidationError(_("A NIK has 16 digits."), code="invalid")
    return text
