"""The performance API: the manager report equals a hand count; access; bad params; exports."""

import csv
import io
from typing import Any

import pytest
from knox.models import AuthToken
from openpyxl import load_workbook
from rest_framework.test import APIClient

from apps.accounts.models import User
from apps.performance import services
from apps.performance.models import PerformanceMonth, ScoreEvent
from apps.triage.selectors.scope import report_list_for_user
from tests.factories import StaffFactory, UserFactory, staff_in
from tests.performance.factories import build_world, manager
from tests.performance.test_ledger import AUGUST_5

pytestmark = pytest.mark.django_db
JULY = {"start": "2026-07-01", "end": "2026-07-31"}


def _client(user: User) -> APIClient:
    client = APIClient()
    _token, key = AuthToken.objects.create(user=user)
    client.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    return client


def test_unit_report_equals_the_hand_count(django_assert_num_queries: Any) -> None:
    world = build_world()
    client = _client(manager())
    client.get("/api/v1/performance/report/", {**JULY, "group": "unit"})  # warm up
    # token + user, the scope (3 grant lookups + the manager group), the tuning set_config,
    # the counts, the percentiles, the group labels: the same for any number of tickets
    with django_assert_num_queries(10):
        response = client.get("/api/v1/performance/report/", {**JULY, "group": "unit"})
    assert response.status_code == 200
    rows = {row["code"]: row for row in response.json()}
    unit = rows[world.unit.code]
    assert {
        k: unit[k]
        for k in (
            "tickets",
            "completed",
            "on_time",
            "missed",
            "breaches",
            "open",
            "reopened",
            "backlog_over_14d",
            "compliance_pct",
            "reopen_rate_pct",
            "median_hours",
            "p90_hours",
            "average_rating",
            "rated",
        )
    } == {
        "tickets": 7,
        "completed": 6,
        "on_time": 5,
        "missed": 2,
        "breaches": 2,
        "open": 1,
        "reopened": 1,
        "backlog_over_14d": 1,
        "compliance_pct": 71.4,
        "reopen_rate_pct": 16.7,
        "median_hours": 44.0,
        "p90_hours": 109.0,
        "average_rating": 3.5,
        "rated": 2,
    }
    other = rows[world.other.code]
    assert (other["tickets"], other["open"], other["compliance_pct"]) == (1, 1, None)


def test_drill_down_lists_the_public_ids_behind_a_number() -> None:
    world = build_world()
    response = _client(manager()).get(
        "/api/v1/performance/report/tickets/",
        {**JULY, "group": "unit", "key": world.unit.pk, "metric": "missed"},
    )
    assert response.status_code == 200
    assert response.json() == {
        "metric": "missed",
        "count": 2,
        "reports": [world.late.public_id, world.open_overdue.public_id],
    }


@pytest.mark.parametrize("group", ["officer", "category", "kelurahan", "kecamatan", "kota"])
def test_every_grouping_adds_up(group: str) -> None:
    build_world()
    response = _client(manager()).get("/api/v1/performance/report/", {**JULY, "group": group})
    assert response.status_code == 200
    assert sum(row["tickets"] for row in response.json()) == 8


@pytest.mark.parametrize(
    "params",
    [
        {"start": "2026-07-01", "end": "2026-06-01", "group": "unit"},
        {"start": "2026-07-01", "end": "2026-07-31", "group": "planet"},
        {"start": "bogus", "end": "2026-07-31", "group": "unit"},
        {"start": "2020-01-01", "end": "2026-07-31", "group": "unit"},
        {"start": "2026-07-01", "end": "2026-07-31"},
    ],
)
def test_bad_report_params_are_400(params: dict[str, str]) -> None:
    response = _client(manager()).get("/api/v1/performance/report/", params)
    assert response.status_code == 400
    assert response.json()["error"]["code"] == "invalid"


def _export_codes(client: APIClient) -> set[str]:
    response = client.get(
        "/api/v1/performance/report/export/", {**JULY, "group": "unit", "file_format": "csv"}
    )
    assert response.status_code == 200
    return {r["Kode"] for r in csv.DictReader(io.StringIO(response.content.decode()))}


def _drill(client: APIClient, key: int, metric: str = "tickets") -> list[str]:
    response = client.get(
        "/api/v1/performance/report/tickets/",
        {**JULY, "group": "unit", "key": key, "metric": metric},
    )
    assert response.status_code == 200
    return list(response.json()["reports"])


def test_report_drill_down_and_exports_follow_the_one_scope_per_role() -> None:
    world = build_world()
    other_officer = staff_in(world.other.code)
    boss = manager()
    # officer of unit A: only A's tickets, everywhere
    officer = _client(world.officer)
    rows = officer.get("/api/v1/performance/report/", {**JULY, "group": "unit"}).json()
    assert [(r["code"], r["tickets"]) for r in rows] == [(world.unit.code, 7)]
    assert _export_codes(officer) == {world.unit.code}
    assert _drill(officer, world.other.pk) == []
    xlsx = officer.get(
        "/api/v1/performance/report/export/", {**JULY, "group": "unit", "file_format": "xlsx"}
    )
    sheet = load_workbook(io.BytesIO(xlsx.content)).active
    assert [row[0].value for row in sheet.iter_rows(min_row=2)] == [world.unit.code]
    # list, drill-down and the staff queue agree
    queue = set(
        report_list_for_user(user=world.officer)
        .filter(created_at__year=2026, created_at__month=7)
        .values_list("public_id", flat=True)
    )
    assert set(_drill(officer, world.unit.pk)) == queue
    assert len(queue) == 7
    # officer of unit B cannot export or drill into unit A
    other = _client(other_officer)
    assert _export_codes(other) == {world.other.code}
    assert _drill(other, world.unit.pk) == []
    assert _drill(other, world.other.pk) == [world.open_fresh.public_id]
    # staff without any grant: nothing; the manager: everything
    assert _export_codes(_client(StaffFactory())) == set()
    assert _export_codes(_client(boss)) == {world.unit.code, world.other.code}
    assert len(_drill(_client(boss), world.unit.pk)) == 7


def test_non_staff_get_403_and_anonymous_401() -> None:
    build_world()
    citizen = UserFactory()
    for path in ("report/", "report/export/", "report/tickets/", "charts/"):
        response = _client(citizen).get(f"/api/v1/performance/{path}", {**JULY, "group": "unit"})
        assert response.status_code == 403
        assert response.json()["error"]["code"] == "permission_denied"
    assert APIClient().get(
        "/api/v1/performance/report/", {**JULY, "group": "unit"}
    ).status_code in (401, 403)


def test_csv_xlsx_and_svg_exports() -> None:
    world = build_world()
    client = _client(manager())
    response = client.get(
        "/api/v1/performance/report/export/", {**JULY, "group": "unit", "file_format": "csv"}
    )
    assert response.status_code == 200
    rows = {r["Kode"]: r for r in csv.DictReader(io.StringIO(response.content.decode()))}
    unit = rows[world.unit.code]
    assert (unit["Tiket"], unit["Kepatuhan SLA %"]) == ("7", "71.4")  # never "71,4"
    response = client.get(
        "/api/v1/performance/report/export/", {**JULY, "group": "unit", "file_format": "xlsx"}
    )
    sheet = load_workbook(io.BytesIO(response.content)).active
    assert [c.value for c in sheet[1]][:3] == ["Kode", "Nama", "Tiket"]
    assert sheet.max_row == 3
    assert sheet.freeze_panes == "A2"
    assert all(cell.font.bold for cell in sheet[1])
    # every column as wide as its longest cell (header included), within bounds
    for column in sheet.iter_cols():
        longest = max(len(str(cell.value or "")) for cell in column)
        width = sheet.column_dimensions[column[0].column_letter].width
        assert width == min(max(longest + 2, 6), 60), column[0].value
    for chart in ("compliance_by_week", "breaches_by_unit"):
        response = client.get("/api/v1/performance/charts/", {**JULY, "chart": chart})
        assert response.status_code == 200
        assert response["Content-Type"] == "image/svg+xml"
        assert response.content.startswith(b"<svg")
        assert b"<rect" in response.content


def test_export_headers_follow_the_language_of_the_request() -> None:
    build_world()
    client = _client(manager())
    params = {**JULY, "group": "unit", "file_format": "csv"}
    english = client.get("/api/v1/performance/report/export/", params, HTTP_ACCEPT_LANGUAGE="en")
    header = english.content.decode().splitlines()[0].split(",")
    assert header[:4] == ["Code", "Name", "Tickets", "Followed up"]
    assert "SLA compliance %" in header
    indonesian = client.get("/api/v1/performance/report/export/", params, HTTP_ACCEPT_LANGUAGE="id")
    assert indonesian.content.decode().splitlines()[0].startswith("Kode,Nama,Tiket,")
    assert "_" not in english.content.decode().splitlines()[0]  # no snake_case names


def test_scores_show_formula_and_counts_and_officers_see_only_their_own() -> None:
    world = build_world()
    services.performance_ledger_sync(now=AUGUST_5)
    response = _client(world.officer).get(
        "/api/v1/performance/scores/", {"period": "2026-07", "subject": "officer"}
    )
    assert response.status_code == 200
    (row,) = response.json()
    assert (row["score"], row["status"], row["closed"], row["counts"]["tickets"]) == (
        "59.6",
        "scored",
        False,
        7,
    )
    assert "on_time - reopens" in row["formula"]
    assert (
        _client(world.officer)
        .get("/api/v1/performance/scores/", {"period": "2026-07", "subject": "unit"})
        .status_code
        == 403
    )
    other = _client(StaffFactory()).get(
        "/api/v1/performance/scores/", {"period": "2026-07", "subject": "officer"}
    )
    assert other.json() == []
    breaches = _client(world.officer).get("/api/v1/performance/my-breaches/", {"period": "2026-07"})
    assert sorted(b["report"] for b in breaches.json()) == sorted(
        [world.late.public_id, world.open_overdue.public_id]
    )
    assert {b["rule"] for b in breaches.json()} == {"holder_at_deadline"}


def test_appeal_api_refuses_an_open_month_then_accepts_after_close() -> None:
    world = build_world()
    services.performance_ledger_sync(now=AUGUST_5)
    client = _client(world.officer)
    body = {"report": world.late.public_id, "cycle": 1, "reason": "Jalan ditutup"}
    response = client.post("/api/v1/performance/appeals/", body, format="json")
    assert (response.status_code, response.json()["error"]["code"]) == (400, "invalid")
    boss = manager()
    services.performance_month_close(
        period=__import__("datetime").date(2026, 7, 1), actor=boss, now=AUGUST_5
    )
    response = client.post("/api/v1/performance/appeals/", body, format="json")
    assert response.status_code == 201
    appeal_id = response.json()["id"]
    decided = _client(boss).post(
        f"/api/v1/performance/appeals/{appeal_id}/decision/",
        {"upheld": False, "note": "Tidak"},
        format="json",
    )
    assert (decided.status_code, decided.json()["status"]) == (200, "rejected")
    assert ScoreEvent.objects.filter(source="appeal").count() == 0
    assert PerformanceMonth.objects.count() == 1


RANGE = "Give a month from 2000-01 to 9999-11."


@pytest.mark.parametrize(
    ("period", "message"),
    [
        ("9999-12", RANGE),  # its end (1 January 10000) cannot be represented
        ("1999-12", RANGE),
        ("0000-01", "Give a month as YYYY-MM."),
        ("2026-13", "Give a month as YYYY-MM."),
    ],
)
def test_periods_outside_the_range_are_400_on_every_period_endpoint(
    period: str, message: str
) -> None:
    build_world()
    client = _client(manager())
    answers = [
        client.post(
            "/api/v1/performance/months/close/",
            {"period": period},
            format="json",
            HTTP_ACCEPT_LANGUAGE="en",
        ),
        client.get(
            "/api/v1/performance/scores/",
            {"period": period, "subject": "unit"},
            HTTP_ACCEPT_LANGUAGE="en",
        ),
        client.get(
            "/api/v1/performance/my-breaches/", {"period": period}, HTTP_ACCEPT_LANGUAGE="en"
        ),
    ]
    for response in answers:
        assert response.status_code == 400
        assert response.json()["error"] == {
            "code": "invalid",
            "message": "Invalid input.",
            "fields": {"period": [message]},
        }
    assert PerformanceMonth.objects.count() == 0


def test_the_last_and_first_months_of_the_range_are_read() -> None:
    client = _client(manager())
    for period in ("9999-11", "2000-01"):
        assert client.get("/api/v1/performance/scores/", {"period": period}).json() == []
    future = client.post(
        "/api/v1/performance/months/close/",
        {"period": "9999-11"},
        format="json",
        HTTP_ACCEPT_LANGUAGE="en",
    )
    assert (future.status_code, future.json()["error"]["fields"]) == (
        400,
        {"period": ["This month has not ended yet."]},
    )
    assert PerformanceMonth.objects.count() == 0


@pytest.mark.parametrize(
    ("start", "end"), [("0001-01-01", "0001-01-02"), ("9999-12-30", "9999-12-31")]
)
def test_report_dates_at_the_ends_of_the_calendar_answer_an_empty_report(
    start: str, end: str
) -> None:
    build_world()
    client = _client(manager())
    dates = {"start": start, "end": end}
    assert client.get("/api/v1/performance/report/", {**dates, "group": "unit"}).json() == []
    drill = client.get(
        "/api/v1/performance/report/tickets/", {**dates, "group": "unit", "metric": "tickets"}
    )
    assert drill.json() == {"metric": "tickets", "count": 0, "reports": []}
    export = client.get(
        "/api/v1/performance/report/export/", {**dates, "group": "unit", "file_format": "csv"}
    )
    assert export.status_code == 200
    for chart in ("compliance_by_week", "breaches_by_unit"):
        svg = client.get("/api/v1/performance/charts/", {**dates, "chart": chart})
        assert (svg.status_code, svg.content[:4]) == (200, b"<svg")
