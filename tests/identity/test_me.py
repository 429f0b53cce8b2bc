"""The citizen's own data: profile, update, export (Art. 32) and erasure (Art. 43)."""

import pytest
from django.db import connection, transaction
from knox.models import AuthToken
from rest_framework.test import APIClient

from apps.identity import selectors, services, vault
from apps.identity.models import (
    BlindIndex,
    IdentityAccessEvent,
    InboxMessage,
    OtpChallenge,
    Reporter,
    ReporterIdentity,
    ReporterKey,
)
from tests.factories import StaffFactory
from tests.identity.factories import (
    PHONE,
    TICKET,
    citizen,
    client_for,
    granted_request,
    sign_in,
)

pytestmark = pytest.mark.django_db


def test_me_shows_the_owner_their_decrypted_profile_uncached():
    reporter = citizen(name="Siti Rahayu", email="siti@example.id")

    response = client_for(reporter.user).get("/api/v1/me/")

    assert response.status_code == 200
    assert response["Cache-Control"] == "no-store"
    body = response.json()
    assert body == {
        "pseudonym": reporter.pseudonym,
        "created_at": body["created_at"],
        "name": "Siti Rahayu",
        "phone": PHONE,
        "email": "siti@example.id",
        "nik": None,
    }


def test_me_is_401_anonymous_and_404_for_staff(api_client):
    assert api_client.get("/api/v1/me/").status_code == 401
    assert client_for(StaffFactory()).get("/api/v1/me/").status_code == 404


def test_me_patch_updates_and_reindexes_the_email_and_blank_clears():
    reporter = citizen(email="old@example.id")
    client = client_for(reporter.user)

    response = client.patch(
        "/api/v1/me/",
        {"email": " New@Example.ID ", "nik": "3171 0123 4567 8901", "name": "", "phone": "x"},
        format="json",
    )

    assert response.status_code == 200
    assert response.json() | {"created_at": None} == {
        "pseudonym": reporter.pseudonym,
        "created_at": None,
        "name": None,
        "phone": PHONE,  # unchanged: the phone changes only by signing in with the new one
        "email": "new@example.id",
        "nik": "3171012345678901",
    }
    assert vault.find_reporter(field="email", value="new@example.id") == reporter
    assert vault.find_reporter(field="email", value="old@example.id") is None


def test_me_patch_rejects_a_bad_nik_and_changes_nothing():
    reporter = citizen(name="Siti Rahayu")
    before = vault.reveal(reporter=reporter)

    response = client_for(reporter.user).patch(
        "/api/v1/me/", {"nik": "123", "name": "Other"}, format="json"
    )

    assert response.status_code == 400
    assert list(response.json()["error"]["fields"]) == ["nik"]
    assert vault.reveal(reporter=reporter) == before


def test_export_holds_profile_reveals_and_inbox_but_no_officer_data(officer, supervisor, sda):
    reporter = citizen(name="Siti Rahayu")
    granted_request(reporter=reporter, officer=officer, supervisor=supervisor)
    services.identity_reveal(
        reporter=reporter, ticket_ref=TICKET, agency=sda, actor=officer, fields=["phone"]
    )
    services.inbox_deliver(
        reporter_id=reporter.pk,
        kind="status",
        title="Laporan diproses",
        body="",
        report_public_id=TICKET,
        dedup_key="x",
    )

    response = client_for(reporter.user).get("/api/v1/me/export/")

    assert response.status_code == 200
    assert response["Cache-Control"] == "no-store"
    body = response.json()
    assert body["profile"]["name"] == "Siti Rahayu"
    assert body["profile"]["phone"] == PHONE
    assert [(r["ticket_ref"], r["agency"], r["fields"], r["reason"]) for r in body["reveals"]] == [
        (TICKET, "Dinas Sumber Daya Air", ["phone"], "Perlu konfirmasi lokasi genangan")
    ]
    assert [m["title"] for m in body["inbox"]] == ["Laporan diproses"]
    assert body["reports"] == []  # added by the reports app (tests/reports/test_api_export.py)
    text = response.content.decode()
    assert officer.username not in text
    assert supervisor.username not in text


def test_export_reveal_reason_comes_from_the_request(officer, supervisor, sda):
    reporter = citizen()
    granted_request(reporter=reporter, officer=officer, supervisor=supervisor)
    services.identity_reveal(
        reporter=reporter, ticket_ref=TICKET, agency=sda, actor=officer, fields=["name"]
    )
    later = services.reveal_request_create(
        reporter=reporter,
        ticket_ref="LW-OTHER1",
        agency=sda,
        actor=officer,
        reason="Saksi kejadian di lokasi",
        fields=["phone"],
    )
    services.reveal_grant(reveal_request=later, actor=supervisor)
    services.identity_reveal(
        reporter=reporter, ticket_ref="LW-OTHER1", agency=sda, actor=officer, fields=["phone"]
    )

    reveals = selectors.reporter_export(reporter=reporter)["reveals"]

    assert [(r["ticket_ref"], r["fields"], r["reason"]) for r in reveals] == [
        ("LW-OTHER1", ["phone"], "Saksi kejadian di lokasi"),
        (TICKET, ["name"], "Perlu konfirmasi lokasi genangan"),
    ]
    # the reason is part of the revealed event, so the hash chain covers it
    revealed = IdentityAccessEvent.objects.filter(reporter=reporter, kind="revealed")
    assert list(revealed.values_list("reason", flat=True)) == [
        "Saksi kejadian di lokasi",
        "Perlu konfirmasi lokasi genangan",
    ]
    assert selectors.access_event_chain_first_break()[1] is None


def test_export_reads_the_reason_of_a_reveal_logged_without_one_from_its_request(
    officer, supervisor, sda
):
    """Revealed events written before they carried the reason stay as they are (append-only);
    the export takes the reason from the request named in the event's detail."""
    reporter = citizen()
    request = granted_request(reporter=reporter, officer=officer, supervisor=supervisor)
    with transaction.atomic():
        services.access_event_write(
            kind=IdentityAccessEvent.Kind.REVEALED,
            reporter=reporter,
            actor=officer,
            agency=sda,
            ticket_ref=TICKET,
            fields=["phone"],
            detail={"request": str(request.public_id), "granted_by": supervisor.pk},
        )

    reveals = selectors.reporter_export(reporter=reporter)["reveals"]

    assert [(r["ticket_ref"], r["reason"]) for r in reveals] == [
        (TICKET, "Perlu konfirmasi lokasi genangan")
    ]


def test_erasure_shreds_everything_and_keeps_a_tombstone(officer, supervisor):
    reporter = citizen(name="Siti Rahayu")
    old_pseudonym = reporter.pseudonym
    user = reporter.user
    client = client_for(user)
    services.inbox_deliver(reporter_id=reporter.pk, kind="s", title="t", body="", dedup_key="k")
    granted_request(reporter=reporter, officer=officer, supervisor=supervisor)

    response = client.delete("/api/v1/me/")

    assert response.status_code == 204
    reporter.refresh_from_db()
    user.refresh_from_db()
    assert reporter.erased_at is not None
    assert reporter.pseudonym.startswith("Dihapus-")
    assert reporter.pseudonym != old_pseudonym
    assert reporter.user_id is None
    assert user.is_active is False
    for model in (ReporterIdentity, ReporterKey, BlindIndex, InboxMessage):
        assert model.objects.filter(reporter=reporter).count() == 0
    assert AuthToken.objects.filter(user=user).count() == 0
    assert OtpChallenge.objects.count() == 0
    assert IdentityAccessEvent.objects.filter(reporter=reporter).first().kind == "erased"
    assert client.get("/api/v1/me/").status_code == 401
    assert client.get("/api/v1/me/export/").status_code == 401


def test_erasure_is_idempotent():
    reporter = citizen()
    services.reporter_erase(reporter=reporter, actor=None)
    tombstone = Reporter.objects.get(pk=reporter.pk).pseudonym

    again = services.reporter_erase(reporter=reporter, actor=None)

    assert again.pseudonym == tombstone
    assert IdentityAccessEvent.objects.filter(reporter=reporter, kind="erased").count() == 1


def test_after_erasure_the_phone_signs_up_as_a_new_person(api_client):
    reporter = citizen()
    services.reporter_erase(reporter=reporter, actor=None)

    body = sign_in(api_client, PHONE)

    fresh = Reporter.objects.get(pseudonym=body["reporter"]["pseudonym"])
    assert fresh.pk != reporter.pk
    assert vault.reveal(reporter=fresh, fields=["name"]) == {"name": None}  # nothing carried


def test_after_erasure_a_backup_copy_of_the_ciphertext_is_unreadable():
    reporter = citizen()
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT enc_phone FROM identity_reporteridentity WHERE reporter_id = %s", [reporter.pk]
        )
        backup = bytes(cursor.fetchone()[0])
    services.reporter_erase(reporter=reporter, actor=None)

    # The data key is gone: with it every copy of the ciphertext (backups, history tables).
    assert not ReporterKey.objects.filter(pk=reporter.pk).exists()
    assert backup
    assert b"8123456789" not in backup


def test_erased_account_old_token_and_me_endpoints(api_client):
    body = sign_in(api_client, PHONE)
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {body['token']}")
    assert client.delete("/api/v1/me/").status_code == 204

    assert client.get("/api/v1/me/inbox/").status_code == 401
    assert client.delete("/api/v1/me/").status_code == 401


def test_erasure_works_even_when_the_ciphertext_is_damaged(settings):
    reporter = citizen()
    ReporterIdentity.objects.filter(reporter=reporter).update(enc_phone=b"\x01" + b"\x00" * 40)

    services.reporter_erase(reporter=reporter, actor=None)

    assert Reporter.objects.get(pk=reporter.pk).erased_at is not None
    assert not ReporterKey.objects.filter(pk=reporter.pk).exists()


def test_me_patch_stores_a_nik_typed_in_arabic_indic_digits_as_ascii():
    reporter = citizen()
    arabic_indic = "".join(chr(0x0660 + int(digit)) for digit in "3171012345678901")

    response = client_for(reporter.user).patch("/api/v1/me/", {"nik": arabic_indic}, format="json")

    assert response.status_code == 200
    assert response.json()["nik"] == "3171012345678901"
    assert vault.reveal(reporter=reporter, fields=["nik"]) == {"nik": "3171012345678901"}


@pytest.mark.parametrize("nik", ["3171-0123-4567-890A", "3171012345678901x"])
def test_me_patch_refuses_a_nik_with_other_characters_and_changes_nothing(nik):
    reporter = citizen(nik="3171012345678901")
    before = ReporterIdentity.objects.values().get(reporter=reporter)

    response = client_for(reporter.user).patch("/api/v1/me/", {"nik": nik}, format="json")

    assert response.status_code == 400
    assert list(response.json()["error"]["fields"]) == ["nik"]
    assert ReporterIdentity.objects.values().get(reporter=reporter) == before
