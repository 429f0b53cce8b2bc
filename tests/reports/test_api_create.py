"""POST /api/v1/reports/ as JSON: the shape, idempotency, mass assignment, bad input."""

import json
import uuid
from datetime import timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from rest_framework.test import APIClient

from apps.core.models import OutboxMessage
from apps.identity.models import Reporter
from apps.reports.models import Custody, Report, ReportEvent
from tests.factories import staff_in
from tests.reports.factories import citizen, report_body

pytestmark = pytest.mark.django_db

URL = "/api/v1/reports/"


def payload(**overrides: Any) -> dict[str, Any]:
    return report_body(accuracy_m=8, **overrides)


def integers_in(value: Any, path: str = "") -> list[str]:
    """Paths of integer values in a JSON document (only counts and sizes may be integers)."""
    allowed = {"sla_days", "support_count", "width", "height", "n", "count", "rating"}
    found: list[str] = []
    if isinstance(value, dict):
        for key, item in value.items():
            if isinstance(item, int) and not isinstance(item, bool) and key not in allowed:
                found.append(f"{path}.{key}")
            found += integers_in(item, f"{path}.{key}")
    elif isinstance(value, list):
        for index, item in enumerate(value):
            found += integers_in(item, f"{path}[{index}]")
    return found


def test_signed_in_reporter_files_a_report(reporter: Reporter, reporter_client: APIClient) -> None:
    response = reporter_client.post(URL, payload(), format="json")
    assert response.status_code == 201, response.json()
    body = response.json()
    report = Report.objects.get()
    assert body["id"] == report.public_id
    assert body["id"].startswith("LW-")
    assert len(body["id"]) == 9
    assert body["status"] == "menunggu"
    assert body["status_label"] == "Menunggu"
    assert body["category"] == {"code": "banjir", "name": "Banjir / genangan"}
    assert body["location"] == {"lat": -6.1754, "lon": 106.8272}
    assert body["area"] == {
        "code": "31.71.01.1001",
        "name": "Gambir",
        "kecamatan": {"code": "31.71.01", "name": "Gambir"},
        "kota": {"code": "31.71", "name": "Kota Administrasi Jakarta Pusat"},
    }
    assert body["agency"] == {
        "code": "DINAS-SDA-31.71",
        "name": "Suku Dinas Sumber Daya Air Kota Administrasi Jakarta Pusat",
    }
    assert body["photos"] == []
    assert "tracking_code" not in body
    assert body["is_anonymous"] is False
    assert body["support_count"] == 0
    assert (
        body["sla_due_at"]
        == (report.created_at + timedelta(days=6))
        .astimezone(timezone.get_current_timezone())
        .isoformat()
    )
    assert (
        body["created_at"]
        == report.created_at.astimezone(timezone.get_current_timezone()).isoformat()
    )
    assert integers_in(body) == []
    assert report.reporter == reporter
    assert report.accuracy_m == 8.0


def test_anonymous_report_shows_the_tracking_code_once(api_client: APIClient) -> None:
    body = payload()
    api_client.credentials(HTTP_X_DEVICE_ID="device-3c1f9a7e")  # its replay is for it alone
    first = api_client.post(URL, body, format="json")
    assert first.status_code == 201
    code = first.json()["tracking_code"]
    assert len(code) == 14
    assert code.count("-") == 2
    assert first.json()["is_anonymous"] is True

    replay = api_client.post(URL, body, format="json")
    assert replay.status_code == 200
    expected = dict(first.json())
    del expected["tracking_code"]
    assert replay.json() == expected
    assert Report.objects.count() == 1


def test_replay_is_byte_identical_for_a_signed_in_reporter(reporter_client: APIClient) -> None:
    body = payload()
    first = reporter_client.post(URL, body, format="json")
    again = reporter_client.post(URL, body, format="json")
    assert (first.status_code, again.status_code) == (201, 200)
    assert again.content == first.content
    assert Report.objects.count() == 1


def test_same_key_with_a_different_body_is_a_conflict(reporter_client: APIClient) -> None:
    body = payload()
    reporter_client.post(URL, body, format="json")
    before = (Report.objects.count(), ReportEvent.objects.count(), OutboxMessage.objects.count())
    response = reporter_client.post(URL, {**body, "description": "lain"}, format="json")
    assert response.status_code == 409
    assert response.json()["error"]["code"] == "idempotency_conflict"
    after = (Report.objects.count(), ReportEvent.objects.count(), OutboxMessage.objects.count())
    assert after == before


def test_a_retry_is_answered_after_its_occurred_at_left_the_allowed_window(
    reporter_client: APIClient,
) -> None:
    """A retry must learn that its report was filed, even if its input would now be refused:
    otherwise the app reports a failure and the citizen files the same problem again."""
    start = timezone.now()
    body = payload(occurred_at=(start - timedelta(days=7) + timedelta(minutes=30)).isoformat())
    with time_machine.travel(start, tick=False) as clock:
        first = reporter_client.post(URL, body, format="json")
        assert first.status_code == 201
        clock.shift(timedelta(hours=1))  # occurred_at is now more than 7 days ago
        again = reporter_client.post(URL, body, format="json")
        fresh = reporter_client.post(
            URL, {**body, "client_request_id": str(uuid.uuid4())}, format="json"
        )
        changed = reporter_client.post(URL, {**body, "description": "lain"}, format="json")
    assert again.status_code == 200
    assert again.json()["id"] == first.json()["id"]
    assert fresh.status_code == 400  # a new report with that time is refused
    assert "occurred_at" in fresh.json()["error"]["fields"]
    assert changed.status_code == 409  # the key names another report
    assert Report.objects.count() == 1


def test_a_refused_retry_leaves_no_trace(api_client: APIClient) -> None:
    """Without photos a retry tries the insert and meets the unique key: its rolled-back
    attempt leaves no pseudonymous reporter, event, custody or outbox row behind."""
    body = payload()
    api_client.post(URL, body, format="json", HTTP_X_DEVICE_ID="device-7e1d2c3b")
    counts = (
        Reporter.objects.count(),
        ReportEvent.objects.count(),
        Custody.objects.count(),
        OutboxMessage.objects.count(),
    )
    replay = api_client.post(URL, body, format="json", HTTP_X_DEVICE_ID="device-7e1d2c3b")
    other = api_client.post(URL, body, format="json", HTTP_X_DEVICE_ID="device-0000ffff")
    assert (replay.status_code, other.status_code) == (200, 409)
    assert counts == (
        Reporter.objects.count(),
        ReportEvent.objects.count(),
        Custody.objects.count(),
        OutboxMessage.objects.count(),
    )


def test_someone_elses_key_is_a_conflict_not_their_report(
    reporter_client: APIClient, make_client: Any
) -> None:
    body = payload()
    reporter_client.post(URL, body, format="json")
    stranger = citizen()
    response = make_client(stranger.user).post(URL, body, format="json")
    assert response.status_code == 409
    assert Report.objects.count() == 1


def test_mass_assignment_is_ignored(reporter: Reporter, reporter_client: APIClient) -> None:
    staff = staff_in("BPBD")
    response = reporter_client.post(
        URL,
        payload(
            status="selesai",
            agency="BPBD",
            agency_id=1,
            reporter="Warga-XXXXXX",
            reporter_id=999,
            assignee=staff.pk,
            public_id="LW-AAAAAA",
            id="LW-AAAAAA",
            support_count=99,
            rating=5,
            sla_due_at="2030-01-01T00:00:00Z",
            is_anonymous=True,
            channel="staff",
            tracking_code="AAAA-BBBB-CCCC",
        ),
        format="json",
    )
    assert response.status_code == 201
    report = Report.objects.get()
    assert report.status == "menunggu"
    assert report.agency.code == "DINAS-SDA-31.71"
    assert report.reporter == reporter
    assert report.assignee is None
    assert report.public_id != "LW-AAAAAA"
    assert (report.support_count, report.rating, report.is_anonymous) == (0, None, False)
    assert report.channel == "app"
    assert report.tracking_code_hash == ""
    assert report.provisional_due_at == report.created_at + timedelta(days=6)


def test_a_staff_token_must_report_anonymously(make_client: Any) -> None:
    client = make_client(staff_in("BPBD"))
    refused = client.post(URL, payload(), format="json")
    assert refused.status_code == 403
    assert refused.json()["error"]["code"] == "not_a_reporter"
    assert Report.objects.count() == 0
    accepted = client.post(URL, payload(anonymous=True), format="json")
    assert accepted.status_code == 201
    assert "tracking_code" in accepted.json()


def test_anonymous_flag_with_a_token_does_not_link_the_account(
    reporter: Reporter, reporter_client: APIClient
) -> None:
    response = reporter_client.post(URL, payload(anonymous=True), format="json")
    assert response.status_code == 201
    report = Report.objects.get()
    assert report.reporter != reporter
    assert report.reporter.user_id is None
    assert report.is_anonymous is True


def test_occurred_at_and_private_flag_are_stored(reporter_client: APIClient) -> None:
    when = timezone.now() - timedelta(days=2)
    response = reporter_client.post(
        URL,
        payload(occurred_at=when.isoformat(), is_public=False, address_hint="Dekat halte"),
        format="json",
    )
    assert response.status_code == 201
    report = Report.objects.get()
    assert (report.occurred_at, report.is_public, report.address_hint) == (
        when,
        False,
        "Dekat halte",
    )


def test_an_invalid_token_is_refused(api_client: APIClient) -> None:
    api_client.credentials(HTTP_AUTHORIZATION="Token " + "0" * 64)
    response = api_client.post(URL, payload(), format="json")
    assert response.status_code == 401
    assert Report.objects.count() == 0


def _now_plus(**delta: float) -> str:
    return (timezone.now() + timedelta(**delta)).isoformat()


BAD_JSON: list[tuple[str, dict[str, Any], int, str, str]] = [
    ("missing category", {"category": None}, 400, "invalid", "category"),
    ("unknown category", {"category": "tidak_ada"}, 400, "unknown_category", "category"),
    ("missing client id", {"client_request_id": None}, 400, "invalid", "client_request_id"),
    ("client id not a uuid", {"client_request_id": "abc"}, 400, "invalid", "client_request_id"),
    ("empty description", {"description": ""}, 400, "invalid", "description"),
    ("blank description", {"description": "   "}, 400, "invalid", "description"),
    ("oversized description", {"description": "x" * 2001}, 400, "invalid", "description"),
    ("NUL byte", {"description": "banjir\x00parah"}, 400, "invalid", "description"),
    ("NUL in address", {"address_hint": "rt\x00"}, 400, "invalid", "address_hint"),
    ("missing lat", {"lat": None}, 400, "invalid", "lat"),
    ("missing lon", {"lon": None}, 400, "invalid", "lon"),
    ("lat as NaN string", {"lat": "NaN"}, 400, "invalid", "lat"),
    ("lon as Infinity string", {"lon": "Infinity"}, 400, "invalid", "lon"),
    ("lat 91", {"lat": 91}, 400, "invalid", "lat"),
    ("lon 181", {"lon": 181}, 400, "invalid", "lon"),
    ("negative accuracy", {"accuracy_m": -5}, 400, "invalid", "accuracy_m"),
    ("future occurred_at", {"occurred_at": "FUTURE"}, 400, "invalid", "occurred_at"),
    ("stale occurred_at", {"occurred_at": "STALE"}, 400, "invalid", "occurred_at"),
    ("occurred_at without a zone", {"occurred_at": "NAIVE"}, 400, "invalid", "occurred_at"),
    ("photos in JSON", {"photos": ["aGVsbG8="]}, 400, "invalid", "photos.0"),
    (
        "outside the service area",
        {"lat": -7.2575, "lon": 112.7521},
        422,
        "outside_service_area",
        "",
    ),
    ("at sea beyond Jakarta", {"lat": -5.0, "lon": 106.8}, 422, "outside_service_area", ""),
]


@pytest.mark.parametrize(
    ("case", "change", "status", "code", "field"), BAD_JSON, ids=[row[0] for row in BAD_JSON]
)
def test_bad_json_input_is_refused_and_stores_nothing(
    reporter_client: APIClient,
    case: str,
    change: dict[str, Any],
    status: int,
    code: str,
    field: str,
) -> None:
    body = payload()
    for key, value in change.items():
        if value is None:
            del body[key]
        elif value == "FUTURE":
            body[key] = _now_plus(hours=1)
        elif value == "STALE":
            body[key] = _now_plus(days=-8)
        elif value == "NAIVE":  # now, Jakarta time, without a zone: ambiguous, so refused
            body[key] = timezone.localtime().replace(tzinfo=None).isoformat()
        else:
            body[key] = value
    response = reporter_client.post(URL, body, format="json")
    assert response.status_code == status, response.json()
    error = response.json()["error"]
    assert error["code"] == code
    if field:
        assert field in error["fields"]
    assert (Report.objects.count(), OutboxMessage.objects.count()) == (0, 0)


@pytest.mark.parametrize(
    "raw",
    [
        '"description": "banjir \\u0000 parah"',
        '"description": "banjir \\ud800"',
        '"lat": NaN',
        '"lat": Infinity',
        '"lon": -Infinity',
    ],
)
def test_raw_json_escapes_and_constants_are_refused(api_client: APIClient, raw: str) -> None:
    body = payload()
    key = raw.split(":")[0].strip('"')
    del body[key]
    text = json.dumps(body)[:-1] + ", " + raw + "}"
    response = api_client.post(URL, text, content_type="application/json")
    assert response.status_code == 400
    assert response.json()["error"]["code"] in {"invalid", "parse_error"}
    assert Report.objects.count() == 0


def test_malformed_json_is_a_parse_error(api_client: APIClient) -> None:
    response = api_client.post(URL, '{"category": ', content_type="application/json")
    assert response.status_code == 400
    assert response.json()["error"]["code"] == "parse_error"


def test_a_50_mb_json_body_is_refused_with_413(api_client: APIClient) -> None:
    body = json.dumps(payload(description="x" * (50 * 1024 * 1024)))
    response = api_client.post(URL, body, content_type="application/json")
    assert response.status_code == 413
    assert response.json()["error"]["code"] == "request_too_large"
    assert Report.objects.count() == 0


def test_a_body_over_the_global_limit_is_refused_before_it_is_read(
    api_client: APIClient, settings: Any
) -> None:
    declared = settings.REQUEST_MAX_BODY_BYTES + 1
    response = api_client.post(
        URL, json.dumps(payload()), content_type="application/json", CONTENT_LENGTH=str(declared)
    )
    assert response.status_code == 413
    assert response.json() == {
        "error": {
            "code": "request_too_large",
            "message": "The request body is too large.",
            "fields": {},
        }
    }
    assert Report.objects.count() == 0


# ---- cost of a creation (docs/benchmarks.md, report_create) ---------------------------------


def _flood_body() -> dict[str, Any]:
    return report_body()


def test_an_anonymous_json_creation_costs_five_queries(
    api_client: APIClient, django_assert_num_queries: Any
) -> None:
    api_client.post("/api/v1/reports/", _flood_body(), format="json")  # warm-up
    # category, (savepoint: the test runs in a transaction), route, ONE statement for the new
    # pseudonymous reporter, the report, its event, its custody interval and the CCTV
    # linking's outbox row, (release). No replay check first (without photos the unique key
    # answers a retry), no UPDATE after the INSERT and no read-back for the response.
    with django_assert_num_queries(5):
        response = api_client.post("/api/v1/reports/", _flood_body(), format="json")
    assert response.status_code == 201
    report = Report.objects.select_related("reporter").get(public_id=response.json()["id"])
    assert report.provisional_due_at == report.created_at + timedelta(days=6)
    assert report.occurred_at == report.created_at
    assert report.updated_at == report.created_at
    assert Custody.objects.get(report=report).started_at == report.created_at
    event = ReportEvent.objects.get(report=report)
    assert (event.kind, event.to_status, event.created_at) == (
        ReportEvent.Kind.CREATED,
        Report.Status.MENUNGGU,
        report.created_at,
    )
    assert report.reporter.user_id is None
    assert report.reporter.created_at == report.reporter.updated_at == report.created_at


def test_a_signed_in_json_creation_costs_a_fixed_number_of_queries(
    reporter_client: APIClient, django_assert_num_queries: Any
) -> None:
    reporter_client.post("/api/v1/reports/", _flood_body(), format="json")  # warm-up
    # the token (knox: 2), reporter, category, (savepoint), route, one statement for the
    # report, its event and custody and the outbox rows of the inbox message and the CCTV
    # linking, (release).
    with django_assert_num_queries(8):
        response = reporter_client.post("/api/v1/reports/", _flood_body(), format="json")
    assert response.status_code == 201


@pytest.mark.django_db(transaction=True)
def test_a_creation_outside_a_transaction_is_three_statements_and_publishes_after_them(
    api_client: APIClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The INSERT is atomic on its own: no BEGIN, COMMIT or savepoint around it (two round
    # trips saved on every report), and the outbox publishes once it has committed.
    published: list[int] = []
    monkeypatch.setattr(
        "apps.core.outbox._dispatch", lambda message_id: published.append(message_id)
    )
    api_client.post("/api/v1/reports/", _flood_body(), format="json")  # warm-up
    published.clear()
    with CaptureQueriesContext(connection) as queries:
        response = api_client.post("/api/v1/reports/", _flood_body(), format="json")
    assert response.status_code == 201
    statements = [query["sql"].split(None, 1)[0].upper() for query in queries.captured_queries]
    assert statements == ["SELECT", "SELECT", "WITH"]  # category, route, the INSERT
    report = Report.objects.get(public_id=response.json()["id"])
    link = OutboxMessage.objects.get(payload__report_public_id=report.public_id)
    assert published == [link.pk]
    assert link.dedup_key == f"report:{report.public_id}:cctv-link"


def test_the_201_body_is_what_the_database_holds(reporter_client: APIClient) -> None:
    # microseconds and a +07:00 offset, two hours ago: both must come back as stored
    two_hours_ago = timezone.now().astimezone(ZoneInfo("Asia/Jakarta")) - timedelta(hours=2)
    occurred = two_hours_ago.replace(microsecond=123456).isoformat()
    body = _flood_body() | {"occurred_at": occurred, "accuracy_m": 8}
    created = reporter_client.post("/api/v1/reports/", body, format="json")
    assert created.status_code == 201
    detail = reporter_client.get(f"/api/v1/reports/{created.json()['id']}/")
    assert created.json() == detail.json()


def test_a_taken_public_id_is_retried_with_a_new_one(
    api_client: APIClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    first = api_client.post("/api/v1/reports/", _flood_body(), format="json").json()
    fresh = iter([first["id"], first["id"], "LW-ZZZZZ2"])
    monkeypatch.setattr("apps.reports.services.intake.new_public_id", lambda: next(fresh))
    before = (Report.objects.count(), ReportEvent.objects.count(), Custody.objects.count())
    response = api_client.post("/api/v1/reports/", _flood_body(), format="json")
    assert response.status_code == 201
    assert response.json()["id"] == "LW-ZZZZZ2"
    assert "tracking_code" in response.json()
    after = (Report.objects.count(), ReportEvent.objects.count(), Custody.objects.count())
    assert after == (before[0] + 1, before[1] + 1, before[2] + 1)  # the tries left nothing
    assert Reporter.objects.filter(reports__public_id="LW-ZZZZZ2").count() == 1


def test_an_outbox_key_left_under_a_new_public_id_is_retried_with_another_id(
    api_client: APIClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The new report's outbox rows are keyed by its public id; a row left under that key
    # (its report long gone) fails the INSERT like a taken public id, and is retried alike.
    OutboxMessage.objects.create(
        handler="apps.reports.evidence.report_link_clips",
        payload={"report_public_id": "LW-ZZZZZ4"},
        dedup_key="report:LW-ZZZZZ4:cctv-link",
        available_at=timezone.now(),
    )
    fresh = iter(["LW-ZZZZZ4", "LW-ZZZZZ5"])
    monkeypatch.setattr("apps.reports.services.intake.new_public_id", lambda: next(fresh))
    response = api_client.post("/api/v1/reports/", _flood_body(), format="json")
    assert response.status_code == 201
    assert response.json()["id"] == "LW-ZZZZZ5"
    assert Report.objects.count() == 1
    assert OutboxMessage.objects.filter(dedup_key="report:LW-ZZZZZ5:cctv-link").count() == 1


def test_a_taken_pseudonym_for_an_anonymous_report_is_retried(
    api_client: APIClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    first = api_client.post("/api/v1/reports/", _flood_body(), format="json").json()
    taken = Report.objects.get(public_id=first["id"]).reporter.pseudonym
    fresh = iter([taken, "Warga-ZZZZZ2"])
    monkeypatch.setattr("apps.identity.services.reporters._new_pseudonym", lambda: next(fresh))
    before = (Report.objects.count(), Reporter.objects.count(), ReportEvent.objects.count())
    response = api_client.post("/api/v1/reports/", _flood_body(), format="json")
    assert response.status_code == 201
    after = (Report.objects.count(), Reporter.objects.count(), ReportEvent.objects.count())
    assert after == (before[0] + 1, before[1] + 1, before[2] + 1)  # the failed try left nothing
    report = Report.objects.get(public_id=response.json()["id"])
    assert report.reporter.pseudonym == "Warga-ZZZZZ2"
