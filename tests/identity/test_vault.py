"""Encryption at rest: round trip, associated data, tampering, blind-index collisions."""

import itertools

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.db import connection
from rest_framework.test import APIClient

from apps.identity import keys, vault
from apps.identity.errors import IdentityDecryptionError
from apps.identity.models import BlindIndex, Reporter, ReporterIdentity, ReporterKey
from tests.identity.factories import citizen, client_for, last_code

pytestmark = pytest.mark.django_db


def _raw(reporter: Reporter, column: str) -> bytes:
    return bytes(ReporterIdentity.objects.values_list(column, flat=True).get(reporter=reporter))


def _flip(blob: bytes, at: int = -1) -> bytes:
    changed = bytearray(blob)
    changed[at] ^= 0x01
    return bytes(changed)


def test_round_trip_of_every_field():
    reporter = citizen(name="Budi Santoso", email="budi@example.id", nik="3171012345678901")

    assert vault.reveal(reporter=reporter) == {
        "name": "Budi Santoso",
        "phone": "+628123456789",
        "email": "budi@example.id",
        "nik": "3171012345678901",
    }
    assert vault.reveal(reporter=reporter, fields=["phone"]) == {"phone": "+628123456789"}


def test_stored_values_are_ciphertext_with_a_fresh_nonce_each_time():
    reporter = citizen(name="Budi Santoso")
    first = _raw(reporter, "enc_name")
    vault.seal(reporter=reporter, values={"name": "Budi Santoso"})
    second = _raw(reporter, "enc_name")

    assert b"Budi" not in first
    assert first != second
    assert first[0] == vault.FORMAT_VERSION
    assert vault.reveal(reporter=reporter, fields=["name"]) == {"name": "Budi Santoso"}


def test_a_ciphertext_copied_to_another_row_does_not_decrypt():
    a = citizen("+628111111111")
    b = citizen("+628222222222")
    ReporterIdentity.objects.filter(reporter=b).update(enc_phone=_raw(a, "enc_phone"))

    with pytest.raises(IdentityDecryptionError) as caught:
        vault.reveal(reporter=b, fields=["phone"])

    assert str(caught.value) == (
        f"identity_reporteridentity row {b.pk} field phone: authentication failed"
    )


def test_a_ciphertext_copied_to_another_field_of_the_same_row_does_not_decrypt():
    reporter = citizen()
    ReporterIdentity.objects.filter(reporter=reporter).update(enc_email=_raw(reporter, "enc_phone"))

    with pytest.raises(IdentityDecryptionError):
        vault.reveal(reporter=reporter, fields=["email"])
    assert vault.reveal(reporter=reporter, fields=["phone"]) == {"phone": "+628123456789"}


def test_associated_data_binds_row_and_field_even_under_the_same_data_key():
    data_key = bytes(32)
    sealed = vault.encrypt_value(data_key=data_key, row_id=1, field="phone", plaintext="x")

    assert vault.decrypt_value(data_key=data_key, row_id=1, field="phone", blob=sealed) == "x"
    with pytest.raises(IdentityDecryptionError):
        vault.decrypt_value(data_key=data_key, row_id=2, field="phone", blob=sealed)
    with pytest.raises(IdentityDecryptionError):
        vault.decrypt_value(data_key=data_key, row_id=1, field="email", blob=sealed)


def test_a_wrapped_data_key_copied_to_another_reporter_does_not_unwrap():
    a = citizen("+628111111111")
    b = citizen("+628222222222")
    wrapped = bytes(ReporterKey.objects.get(pk=a.pk).wrapped_key)
    ReporterKey.objects.filter(pk=b.pk).update(wrapped_key=wrapped)

    with pytest.raises(IdentityDecryptionError):
        vault.reveal(reporter=b, fields=["phone"])


@pytest.mark.parametrize("position", [0, 5, 20, -1])
def test_a_flipped_byte_raises_instead_of_returning_anything(position):
    reporter = citizen()
    ReporterIdentity.objects.filter(reporter=reporter).update(
        enc_name=_flip(_raw(reporter, "enc_name"), position)
    )

    with pytest.raises(IdentityDecryptionError):
        vault.reveal(reporter=reporter, fields=["name"])


def test_a_flipped_byte_in_the_wrapped_key_raises():
    reporter = citizen()
    key = ReporterKey.objects.get(pk=reporter.pk)
    ReporterKey.objects.filter(pk=reporter.pk).update(wrapped_key=_flip(bytes(key.wrapped_key)))

    with pytest.raises(IdentityDecryptionError):
        vault.reveal(reporter=reporter, fields=["phone"])


def test_tampered_ciphertext_is_a_500_on_the_api_never_the_bytes(caplog):
    reporter = citizen(name="Budi Santoso")
    blob = _flip(_raw(reporter, "enc_name"))
    ReporterIdentity.objects.filter(reporter=reporter).update(enc_name=blob)
    client = client_for(reporter.user)
    client.raise_request_exception = False

    response = client.get("/api/v1/me/")

    assert response.status_code == 500
    assert response.json()["error"]["code"] == "server_error"
    assert blob.hex() not in response.content.decode()
    assert "+628123456789" not in response.content.decode()
    assert "Budi" not in caplog.text
    assert "8123456789" not in caplog.text


def test_rotating_the_django_secret_key_does_not_affect_identity(settings):
    reporter = citizen()
    settings.SECRET_KEY = "a-completely-different-secret-key-for-this-test-0123456789"

    assert vault.reveal(reporter=reporter, fields=["phone"]) == {"phone": "+628123456789"}
    assert vault.find_reporter(field="phone", value="+628123456789") == reporter


def test_lookup_by_phone_and_email_finds_the_exact_reporter():
    a = citizen("+628111111111", email="a@example.id")
    citizen("+628222222222", email="b@example.id")

    assert vault.find_reporter(field="phone", value="+628111111111") == a
    assert vault.find_reporter(field="email", value="a@example.id") == a
    assert vault.find_reporter(field="phone", value="+628333333333") is None


def test_nik_is_never_indexed():
    reporter = citizen(nik="3171012345678901")

    assert set(BlindIndex.objects.filter(reporter=reporter).values_list("field", flat=True)) == {
        "phone",
        "email",
    }
    with pytest.raises(ValueError, match="not indexed"):
        vault.find_reporter(field="nik", value="3171012345678901")


def _colliding_phones() -> tuple[str, str]:
    """Two different mobile numbers in the same 20-bit bucket (found by search, ~1-2k tries)."""
    seen: dict[int, str] = {}
    version = keys.newest_index_version()
    for n in itertools.count():
        phone = f"+62812{n:08d}"
        bucket = keys.blind_index(field="phone", value=phone, version=version)
        if bucket in seen:
            return seen[bucket], phone
        seen[bucket] = phone
    raise AssertionError("unreachable")


def test_a_blind_index_collision_never_signs_in_the_wrong_person(settings):
    settings.OTP_SENDS_PER_PHONE = 5
    first_phone, second_phone = _colliding_phones()
    first = citizen(first_phone, name="Pertama")
    second = citizen(second_phone, name="Kedua")
    buckets = BlindIndex.objects.filter(field="phone").values_list("value", flat=True)
    assert len(set(buckets)) == 1  # really the same bucket

    assert vault.find_reporter(field="phone", value=first_phone) == first
    assert vault.find_reporter(field="phone", value=second_phone) == second

    client = APIClient()
    for phone, expected in [(second_phone, second), (first_phone, first)]:
        client.post("/api/v1/auth/otp/request/", {"phone": phone}, format="json")
        body = client.post(
            "/api/v1/auth/otp/verify/", {"phone": phone, "code": last_code()}, format="json"
        ).json()
        assert body["reporter"]["pseudonym"] == expected.pseudonym
    assert Reporter.objects.count() == 2


def test_a_third_number_in_a_full_bucket_gets_its_own_account(settings):
    first_phone, second_phone = _colliding_phones()
    citizen(first_phone)

    assert vault.find_reporter(field="phone", value=second_phone) is None


def test_the_blind_index_is_twenty_bits_and_versioned():
    reporter = citizen()
    rows = list(BlindIndex.objects.filter(reporter=reporter, field="phone"))

    assert [(r.version, r.value) for r in rows] == [
        (1, keys.blind_index(field="phone", value="+628123456789", version=1))
    ]
    assert 0 <= rows[0].value < 2**20


def test_the_database_refuses_an_index_value_wider_than_twenty_bits():
    from django.db import IntegrityError, transaction

    reporter = citizen()
    with pytest.raises(IntegrityError), transaction.atomic():
        BlindIndex.objects.create(reporter=reporter, field="phone", version=9, value=2**20)


def test_missing_or_malformed_keys_fail_loudly(settings):
    settings.IDENTITY_MASTER_KEYS = ""
    with pytest.raises(ImproperlyConfigured, match="IDENTITY_MASTER_KEYS is empty"):
        keys.master_keys()
    settings.IDENTITY_MASTER_KEYS = "k1:c2hvcnQ="
    with pytest.raises(ImproperlyConfigured, match="must be 32 bytes") as caught:
        keys.master_keys()
    assert "c2hvcnQ" not in str(caught.value)
    settings.IDENTITY_BLIND_INDEX_KEYS = "one:" + "A" * 43 + "="
    with pytest.raises(ImproperlyConfigured, match="versions must be integers"):
        keys.index_keys()


def test_no_plaintext_in_the_identity_tables():
    citizen(name="Budi Santoso", email="budi@example.id", nik="3171012345678901")
    with connection.cursor() as cursor:
        for table in ["identity_reporteridentity", "identity_reporterkey", "identity_blindindex"]:
            cursor.execute(f"SELECT t::text FROM {table} t")  # noqa: S608 - fixed names
            dump = " ".join(row[0] for row in cursor.fetchall())
            for secret in ["Budi", "budi@example.id", "8123456789", "3171012345678901"]:
                assert secret not in dump
                assert secret.encode().hex() not in dump
