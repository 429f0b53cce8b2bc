"""The triage admin's list (columns, colours, filters, search, no full count), its change
page (description, photos, map, timeline, nearby reports, reveal link) and its bulk actions."""

import re
from datetime import timedelta

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from apps.accounts.models import User
from apps.reports.models import Report
from apps.routing.models import Category
from apps.triage import services
from apps.triage.admin.queue import ReportAdmin
from tests.conftest import MONAS, TEBET_ECO_PARK
from tests.reports.factories import jpeg_with_exif, upload
from tests.triage.triage_helpers import SDA_JAKPUS, near, officer, ticket

pytestmark = pytest.mark.django_db

CHANGELIST = "/admin/reports/report/"


def _client(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


def _ids(client: Client, params: dict[str, str] | None = None) -> list[str]:
    response = client.get(CHANGELIST, params or {})
    assert response.status_code == 200
    return re.findall(r'field-public_id"><a href="[^"]*">(LW-\w{6})<', response.content.decode())


def test_list_columns_sla_colours_and_order() -> None:
    late, soon, fresh, closed = ticket(), ticket(), ticket(), ticket()
    now = timezone.now()
    Report.objects.filter(pk=late.pk).update(provisional_due_at=now - timedelta(hours=5))
    Report.objects.filter(pk=soon.pk).update(provisional_due_at=now + timedelta(hours=3))
    Report.objects.filter(pk=closed.pk).update(  # closed, long past its due time: last
        status=Report.Status.DIKONFIRMASI,
        provisional_due_at=now - timedelta(days=9),
        completed_at=now - timedelta(days=2),
        closed_at=now - timedelta(days=1),
    )
    client = _client(officer())
    page = client.get(CHANGELIST, HTTP_ACCEPT_LANGUAGE="en").content.decode()
    for column in (
        "public_id",
        "category_name",
        "kelurahan",
        "unit",
        "assignee_name",
        "status",
        "age_display",
        "sla_display",
    ):
        assert f"column-{column}" in page, column
    # the staff queue's order: open tickets, least time first; then the closed ones
    assert _ids(client) == [late.public_id, soon.public_id, fresh.public_id, closed.public_id]
    assert re.search(r'lw-sla lw-sla-overdue">\u2212(4|5) h \d+ min<', page)
    assert re.search(r'lw-sla lw-sla-soon">(2|3) h \d+ min<', page)
    assert re.search(r'lw-sla lw-sla-ok">(5|6) d \d+ h<', page)
    # in Bahasa Indonesia: words, not English abbreviations
    indonesian = client.get(CHANGELIST, HTTP_ACCEPT_LANGUAGE="id").content.decode()
    assert re.search(r'lw-sla lw-sla-overdue">\u2212(4|5) jam \d+ mnt<', indonesian)
    assert re.search(r'lw-sla lw-sla-ok">(5|6) hari \d+ jam<', indonesian)
    assert "Sisa waktu SLA" in indonesian
    assert "Gambir" in page
    assert "Banjir" in page
    # show_full_result_count is off: no "n total" count query or link
    assert ReportAdmin.show_full_result_count is False
    assert "total" not in re.sub(r"<[^>]+>", "", page.split('class="paginator"')[1][:300])


def test_filters_and_search_by_public_id() -> None:
    gambir, tebet, other_category = ticket(), ticket(location=TEBET_ECO_PARK), ticket()
    road = Category.objects.exclude(code="banjir").order_by("code").first()
    Report.objects.filter(pk=other_category.pk).update(category=road)
    Report.objects.filter(pk=tebet.pk).update(agency=gambir.agency)  # visible to the officer
    user = officer(SDA_JAKPUS)
    services.report_start(report=gambir, actor=user, note="Mulai")
    Report.objects.filter(pk=gambir.pk).update(
        provisional_due_at=timezone.now() - timedelta(hours=1),
        created_at=timezone.now() - timedelta(days=10),
    )
    client = _client(user)
    everyone = {gambir.public_id, tebet.public_id, other_category.public_id}
    assert set(_ids(client)) == everyone
    assert _ids(client, {"status__exact": "proses"}) == [gambir.public_id]
    assert set(_ids(client, {"category": "banjir"})) == {gambir.public_id, tebet.public_id}
    assert set(_ids(client, {"kota": "31.74"})) == {tebet.public_id}
    assert set(_ids(client, {"kota": "31.71", "kecamatan": "31.71.01"})) == {
        gambir.public_id,
        other_category.public_id,
    }
    # a link straight to a kelurahan (no kota/kecamatan chosen) still filters
    assert set(_ids(client, {"kelurahan": gambir.area.code})) == {
        gambir.public_id,
        other_category.public_id,
    }
    assert _ids(client, {"sla": "overdue"}) == [gambir.public_id]
    assert set(_ids(client, {"sla": "ok"})) == {tebet.public_id, other_category.public_id}
    assert _ids(client, {"sla": "due_soon"}) == []
    # the reported-between filter: two Jakarta calendar days, inclusive
    today = timezone.localdate()
    week = {"created_from": str(today - timedelta(days=7)), "created_to": str(today)}
    assert set(_ids(client, week)) == {tebet.public_id, other_category.public_id}
    ten_days_ago = str(today - timedelta(days=10))
    assert _ids(client, {"created_from": ten_days_ago, "created_to": ten_days_ago}) == [
        gambir.public_id
    ]
    assert _ids(client, {"created_to": str(today - timedelta(days=8))}) == [gambir.public_id]
    # a malformed date is ignored, not an error page
    assert len(_ids(client, {"created_from": "not-a-date"})) == 3
    page = client.get(CHANGELIST, week)
    assert b'type="date" name="created_from"' in page.content
    assert _ids(client, {"q": tebet.public_id}) == [tebet.public_id]
    assert _ids(client, {"q": f"  {tebet.public_id.lower()} "}) == [tebet.public_id]
    assert _ids(client, {"q": tebet.public_id[:-1]}) == []  # exact match only
    assert _ids(client, {"q": "Banjir"}) == []  # no free text search over descriptions
    # The id is matched as stored, so the unique index serves it (Django's own "=public_id"
    # search compares UPPER(public_id), which reads the whole table).
    with CaptureQueriesContext(connection) as queries:
        client.get(CHANGELIST, {"q": tebet.public_id.lower()})
    searches = [q["sql"] for q in queries if '"reports_report"."public_id" =' in q["sql"]]
    assert searches
    assert not any("UPPER(" in sql for sql in searches)


def test_area_filters_cost_no_extra_query_per_row() -> None:
    client = _client(officer())
    ticket()
    client.get(CHANGELIST, {"kota": "31.71", "kecamatan": "31.71.01"})
    with CaptureQueriesContext(connection) as one:
        client.get(CHANGELIST, {"kota": "31.71", "kecamatan": "31.71.01"})
    for _ in range(5):
        ticket()
    with CaptureQueriesContext(connection) as six:
        client.get(CHANGELIST, {"kota": "31.71", "kecamatan": "31.71.01"})
    assert len(six.captured_queries) == len(one.captured_queries)


def test_change_page_shows_everything_an_officer_needs() -> None:
    report = ticket(photos=[upload(jpeg_with_exif(gps=near(MONAS, 5)))])
    neighbour = ticket(location=MONAS)
    far = ticket(location=TEBET_ECO_PARK)
    user = officer()
    services.report_start(report=report, actor=user, note="Petugas menuju lokasi")
    page = _client(user).get(f"{CHANGELIST}{report.pk}/change/").content.decode()
    assert "Banjir setinggi lutut di depan halte" in page  # the description
    assert f'href="{CHANGELIST}{report.pk}/photo/1/"' in page  # full size on click
    assert f'src="{CHANGELIST}{report.pk}/photo/1/thumbnail/"' in page
    assert page.count('class="lw-boundary"') >= 1  # the kelurahan outline, inline SVG
    assert "tile" not in page.lower()  # no map tiles: works offline
    assert "Petugas menuju lokasi" in page  # the timeline
    assert f'href="{CHANGELIST}{neighbour.pk}/change/">{neighbour.public_id}<' in page
    assert far.public_id not in page  # nearby means within 250 m
    assert 'id="lw-reveal-request-form"' in page  # the audited reveal flow
    assert "/api/v1/identity/" not in page  # no link to raw JSON
    assert report.reporter.pseudonym not in page
    assert 'id="lw-complete"' in page
    for action in ("koordinasi", "return", "request_info", "reject", "merge", "disposisi"):
        assert f'action="{CHANGELIST}{report.pk}/act/{action}/"' in page, action


def test_bulk_actions_are_only_claim_and_assign() -> None:
    user = officer(role="supervisor")
    client = _client(user)
    page = client.get(CHANGELIST).content.decode()
    offered = set(re.findall(r'<option value="(\w+)">', page.split('name="action"')[1][:2000]))
    assert offered == {"bulk_take", "bulk_assign"}
    report = ticket()
    before = Report.objects.get(pk=report.pk).status
    client.post(
        CHANGELIST,
        {"action": "delete_selected", "_selected_action": [report.pk], "index": 0},
    )
    assert Report.objects.filter(pk=report.pk, status=before).exists()


@pytest.mark.parametrize(
    ("who", "query", "hint"),
    [
        ("triage", "", "Triase pusat menerima laporan yang tidak dapat diarahkan"),
        ("unit", "", "Unit Anda sedang tidak memegang tiket."),
        ("nobody", "", "Anda belum menjadi anggota unit mana pun"),
        ("unit", "?sla=overdue", "Tidak ada tiket yang cocok dengan filter ini."),
    ],
)
def test_an_empty_queue_says_why(who: str, query: str, hint: str) -> None:
    from tests.factories import StaffFactory
    from tests.triage.triage_helpers import TRIAGE

    user = {"triage": lambda: officer(TRIAGE), "unit": officer, "nobody": StaffFactory}[who]()
    html = _client(user).get(f"{CHANGELIST}{query}", HTTP_ACCEPT_LANGUAGE="id").content.decode()
    assert 'id="lw-empty-hint"' in html
    assert hint in html


def test_a_queue_with_tickets_shows_no_hint() -> None:
    ticket()
    html = _client(officer()).get(CHANGELIST, HTTP_ACCEPT_LANGUAGE="id").content.decode()
    assert 'id="lw-empty-hint"' not in html
