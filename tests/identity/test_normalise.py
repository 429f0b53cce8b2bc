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
    "(+62) 812.3456.789",
    "0812\u20133456\u2013789",  # en dashes, as autocorrect types them
    "\u0660\u0668\u0661\u0662\u0663\u0664\u0665\u0666\u0667\u0668\u0669",  # Arabic-Indic
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


# Each of these a lenient parser turns into a valid number (+6281299990502, +6281299922233,
# ...) by dropping an extension or reading letters as keypad digits.
NOT_A_NOTATION = [
    "0812-9999-0502x",
    "0812 9999 0502 ext 5",
    "0812 9999 0502 ext. 5",
    "0812-9999-0502#5",
    "0812-WXYZ-0502",
    "0812999ABCDE",
    "tel:+6281299990502",
    "62+81299990502",
    "0812/9999/0502",
    "0812_9999_0502",
    "+62 812 9999 0502;",
]


@pytest.mark.parametrize("raw", NOT_A_NOTATION)
def test_anything_but_digits_and_separators_is_refused(raw):
    with pytest.raises(ValidationError) as caught:
        normalise_phone(raw)
    assert caught.value.messages == ["Enter a valid mobile phone number."]


@pytest.mark.parametrize("raw", [8120000000.0, 81299990502, None, ["0812"]])
def test_a_phone_that_is_not_a_string_is_refused(raw):
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


@pytest.mark.parametrize(
    "raw",
    [
        "\u0663\u0661\u0667\u0661\u0660\u0661\u0662\u0663"
        "\u0664\u0665\u0666\u0667\u0668\u0669\u0660\u0661",  # Arabic-Indic
        fullwidth("3171012345678901"),
        "\u0969\u0967\u096d\u0967\u0966\u0967\u0968\u0969"
        "\u096a\u096b\u096c\u096d\u096e\u096f\u0966\u0967",  # Devanagari
    ],
)
def test_nik_digits_of_any_script_become_ascii(raw):
    nik = normalise_nik(raw)
    assert nik == "3171012345678901"
    assert nik.isascii()


@pytest.mark.parametrize(
    "raw", ["3171-0123-4567-8901", "317101234567890A", "31710123456789012", 3171012345678901]
)
def test_nik_anything_else_is_refused(raw):
    with pytest.raises(ValidationError):
        normalise_nik(raw)
