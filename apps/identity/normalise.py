"""Canonical forms of the values we index: a phone number in E.164, a lower-cased e-mail."""

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


def normalise_phone(raw: str) -> str:
    """``0812 3456 789``, ``+62-812-3456-789``, ``6281234567 89`` and full-width digits all
    become ``+628123456789``. Raises ``ValidationError`` for anything that is not a mobile
    number of an allowed country. The message never repeats the input.
    """
    text = unicodedata.normalize("NFKC", raw or "").strip()
    if not text or len(text) > MAX_RAW_PHONE_LENGTH:
        raise ValidationError(_("Enter a valid mobile phone number."), code="invalid")
    try:
        number = phonenumbers.parse(text, settings.IDENTITY_PHONE_REGION)
    except phonenumbers.NumberParseException:
        raise ValidationError(_("Enter a valid mobile phone number."), code="invalid") from None
    allowed = settings.IDENTITY_PHONE_ALLOWED_REGIONS
    if (
        not phonenumbers.is_valid_number(number)
        or phonenumbers.region_code_for_number(number) not in allowed
        or phonenumbers.number_type(number) not in _MOBILE_TYPES
    ):
        raise ValidationError(_("Enter a valid mobile phone number."), code="invalid")
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


def normalise_nik(raw: str) -> str:
    """A NIK (Nomor Induk Kependudukan) is 16 digits."""
    text = unicodedata.normalize("NFKC", raw or "").replace(" ", "").strip()
    if len(text) != 16 or not text.isdigit():
        raise ValidationError(_("A NIK has 16 digits."), code="invalid")
    return text
