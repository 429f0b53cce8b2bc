"""The DPO's audit trail of identity reveals and a ticket's metadata (docs/privacy.md,
"Reveal"): readable rows in the user's language, never JSON, never the reporter; DPO only.
Also: the ticket page links a category, a kelurahan or a unit only for who may open it."""

import uuid

import pytest
from django.contrib.auth.models import Permission
from django.test import Client

from apps.accounts.models import User
from apps.accounts.roles import OrgRole
from apps.accounts.services import user_grant_org_role
from apps.identity.services import citizen_create
from apps.reports.models import Report
from apps.triage.services.reveal import (
    report_identity_reveal,
    report_reveal_grant,
    report_reveal_reject,
    report_reveal_request_create,
)
from tests.factories import StaffFactory, UserFactory
from tests.triage.triage_helpers import officer, ticket

pytestmark = pytest.mark.django_db

AUDIT = "/admin/reports/report/identity-audit/"
CANARY = f"CNRY{uuid.uuid4().hex[:10].upper()}"
PHONE = "+6281277190488"


def _client(user: User, language: str = "id") -> Client:
    client = Client(headers={"accept-language": language})
    client.force_login(user)
    return client


def _dpo() -> User:
    user = StaffFactory()
    user_grant_org_role(user=user, role=OrgRole.DPO)
    return user


def _history() -> tuple[Report, User, User]:
    """One request granted and revealed, one rejected, one refused reveal."""
    reporter = citizen_create(
        phone=PHONE, name=f"Ani {CANARY} Lestari", email=f"{CANARY.lower()}@example.id"
    )
    report = ticket(reporter=reporter)
    asker, supervisor = officer(), officer(role="supervisor")

    def ask(fields: list[str]):
        return report_reveal_request_create(
            report=report,
            actor=asker,
            reason_code="safety",
            justification="Ancaman terhadap pelapor",
            fields=fields,
        )

    granted = ask(["name", "phone"])
    report_reveal_grant(reveal_request=granted, actor=supervisor, ttl_hours=2)
    report_identity_reveal(report=report, actor=asker, fields=["name", "phone"])
    report_reveal_reject(reveal_request=ask(["email"]), actor=supervisor, reason="Tidak perlu")
    with pytest.raises(Exception, match="identity"):
        report_identity_reveal(report=report, actor=asker, fields=["email"])
    return report, asker, supervisor


def test_the_dpo_reads_the_trail_as_labelled_rows_in_indonesian() -> None:
    report, asker, supervisor = _history()

    response = _client(_dpo()).get(AUDIT)
    page = response.content.decode()

    assert response.status_code == 200
    assert "Jejak audit pembukaan identitas" in page
    assert "identitas pelapor tidak pernah ditampilkan" in page.lower()
    for label in (
        "Pembukaan identitas diminta",
        "Pembukaan identitas disetujui",
        "Identitas dibuka",
        "Permintaan pembukaan identitas ditolak",
        "Akses ditolak",
        "nama, telepon",
        "Keselamatan",  # the reason code's label
        "Tidak perlu",
        "Data ini tidak termasuk yang disetujui.",  # the denial's label
    ):
        assert label in page, label
    for raw in ('"granted_by"', '{"request"', "no_grant", "field_not_granted", "safety:", "#"):
        assert raw not in page.split('id="lw-audit"')[1], raw
    assert f'href="{AUDIT}{report.pk}/"' in page
    assert asker.username in page
    assert supervisor.username in page
    for secret in (CANARY, CANARY.lower(), "81277190488", report.reporter.pseudonym):
        assert secret not in page


def test_the_ticket_metadata_page_shows_the_ticket_never_the_reporter() -> None:
    report, _asker, _supervisor = _history()

    response = _client(_dpo()).get(f"{AUDIT}{report.pk}/")
    page = response.content.decode()

    assert response.status_code == 200
    assert report.public_id in page
    assert report.category.name_id in page
    assert report.area.name in page
    assert "Identitas dibuka" in page
    assert report.description not in page
    for secret in (CANARY, CANARY.lower(), "81277190488", report.reporter.pseudonym):
        assert secret not in page


def test_the_trail_is_the_dpos_alone_and_names_only_audited_tickets() -> None:
    report, asker, supervisor = _history()
    unaudited = ticket()
    superuser = UserFactory(is_staff=True, is_superuser=True)
    for user in (asker, supervisor, superuser):
        assert _client(user).get(AUDIT).status_code == 403
        assert _client(user).get(f"{AUDIT}{report.pk}/").status_code == 403
    dpo = _client(_dpo())
    assert dpo.get(f"{AUDIT}{unaudited.pk}/").status_code == 404
    assert dpo.get(f"{AUDIT}999999999/").status_code == 404
    assert dpo.get(f"{AUDIT}?p=abc").status_code == 200
    assert dpo.get(f"{AUDIT}?p=99999").status_code == 200
    assert Client().get(AUDIT).status_code == 302  # to the login page


def test_the_dpo_start_page_and_queue_say_what_the_dpo_sees() -> None:
    dpo = _client(_dpo())
    start = dpo.get("/admin/").content.decode()
    queue = dpo.get("/admin/reports/report/").content.decode()

    assert "Anda melihat jejak audit pembukaan identitas" in start
    assert f'href="{AUDIT}"' in start
    assert "Sebagai pejabat pelindungan data" in queue


def test_the_identity_admin_shows_no_raw_json() -> None:
    _history()
    dpo = _client(_dpo())
    from apps.identity.models import IdentityAccessEvent

    revealed = IdentityAccessEvent.objects.get(kind="revealed")
    page = dpo.get(f"/admin/identity/identityaccessevent/{revealed.pk}/change/").content.decode()

    assert "Identitas dibuka" in page
    assert "revealed #" not in page
    assert '"granted_by"' not in page
    assert "Disetujui oleh" in page
    assert "nama, telepon" in page
    assert "Keselamatan pelapor atau orang lain: Ancaman terhadap pelapor" in page
    assert "safety:" not in page


# ---- the ticket page's links ----


def test_the_ticket_page_links_related_pages_only_for_who_may_open_them() -> None:
    report = ticket()
    plain, keeper = officer(), officer()
    keeper.user_permissions.add(
        *Permission.objects.filter(
            codename__in=["view_category", "view_area", "view_agency"],
            content_type__app_label__in=["routing", "accounts"],
        )
    )
    page = _client(plain).get(f"/admin/reports/report/{report.pk}/change/").content.decode()
    linked = _client(keeper).get(f"/admin/reports/report/{report.pk}/change/").content.decode()

    for model, pk in (
        ("routing/category", report.category_id),
        ("routing/area", report.area_id),
        ("accounts/agency", report.agency_id),
    ):
        assert f'href="/admin/{model}/{pk}/change/"' not in page, model
        assert f'href="/admin/{model}/{pk}/change/"' in linked, model
        assert _client(keeper).get(f"/admin/{model}/{pk}/change/").status_code == 200
    assert report.category.name_id in page
    assert report.area.name in page
