"""One person, one number: every notation normalises to the same E.164 and blind index."""

import pytest
from django.core.exceptions import ValidationError

from apps.identity import keys
from apps.identity.models import Reporter
from apps.identity.normalise import normalise_email, normalise_nik, normalise_phone
from tests.identity.factories import fullwidth, sign_in

NOTATIONS = [
    "0812 3456 789",
    "+62-812-3456-789",
    "6281234567 89",
    fullwidth("08123456789"),  # full-width digits
    fullwidth("+62 812 3456 789"),
    " +62 (812) 3456-789 ",
]


@pytest.mark.parametrize("raw", NOTATIONS)
def test_phone_notations_normalise_to_e164(raw):
    assert normalise_phone(raw) == "+628123456789"


def test_phone_notations_share_one_blind_index():
    buckets = {
        keys.blind_index(field="phone", value=normalise_phone(raw), version=1) for raw in NOTATIONS
    }
    assert len(buckets) == 1


@pytest.mark.django_db
def test_signing_in_with_each_notation_finds_the_same_account(api_client, settings):
    settings.OTP_SENDS_PER_PHONE = len(NOTATIONS)

    pseudonyms = {sign_in(api_client, raw)["reporter"]["pseudonym"] for raw in NOTATIONS}

    assert len(pseudonyms) == 1
    assert Reporter.objects.count() == 1


@pytest.mark.parametrize("raw", ["", "   ", "abc", "+62", "+628", "+14155552671"])
def test_invalid_phones_raise(raw):
    with pytest.raises(ValidationError):
        normalise_phone(raw)


def test_email_is_stripped_and_lower_cased():
    assert normalise_email("  Siti.Rahayu@Example.ID ") == "siti.rahayu@example.id"


def test_an_invalid_email_error_does_not_quote_it():
    with pytest.raises(ValidationError) as caught:
        normalise_email("CANARY-0812 not an email")
    assert "CANARY" not in str(caught.value.messages)
    assert not caught.value.params


def test_nik_is_sixteen_digits():
    assert normalise_nik("3171 0123 4567 8901") == "3171012345678901"
    with pytest.raises(ValidationError):
        normalise_nik("31710123")
