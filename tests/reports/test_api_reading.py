"""Reading reports: my list, detail, timeline, categories, tracking and claiming."""

import uuid
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from rest_framework.test import APIClient

from apps.accounts.models import Agency
from apps.identity.models import Reporter
from apps.reports.codes import new_public_id
from apps.reports.models import Report, ReportEvent
from tests.factories import staff_in
from tests.reports.conftest import client_for
from tests.reports.factories import citizen, complete, file_report, image_bytes, upload
from tests.reports.transitions import report_transition

pytestmark = pytest.mark.django_db


def missing_body() -> dict[str, Any]:
    response = APIClient().get("/api/v1/reports/LW-2222AA/")
    assert response.status_code == 404
    return dict(response.json())


# ---- categories -----------------------------------------------------------------------------


def test_categories_are_listed_in_indonesian_by_default(api_client: APIClient) -> None:
    response = api_client.get("/api/v1/categories/")
    assert response.status_code == 200
    body = response.json()
    assert len(body) == 19
    assert body[0] == {
        "code": "banjir",
        "name": "Banjir / genangan",
        "description": "Genangan atau banjir di jalan, permukiman, atau fasilitas umum.",
        "group": "Air",
        "sla_days": 6,
    }


def test_categories_in_english_and_only_active_ones(api_client: APIClient) -> None:
    from apps.routing.models import Category

    Category.objects.filter(code="lainnya").update(is_active=False)
    response = api_client.get("/api/v1/categories/", HTTP_ACCEPT_LANGUAGE="en")
    body = response.json()
    assert len(body) == 18
    assert body[0]["name"] == "Flooding"
    assert "lainnya" not in {row["code"] for row in body}


# ---- my reports -----------------------------------------------------------------------------


def test_my_reports_lists_only_mine_newest_first(
    reporter: Reporter, reporter_client: APIClient
) -> None:
    first = file_report(reporter=reporter).report
    second = file_report(reporter=reporter, is_public=False).report
    file_report(reporter=citizen())
    file_report(reporter=None)
    response = reporter_client.get("/api/v1/me/reports/")
    assert response.status_code == 200
    body = response.json()
    assert body["count"] == 2
    assert [row["id"] for row in body["results"]] == [second.public_id, first.public_id]
    assert body["results"][0]["is_public"] is False


def test_my_reports_filter_by_status(reporter: Reporter, reporter_client: APIClient) -> None:
    waiting = file_report(reporter=reporter).report
    done = complete(file_report(reporter=reporter).report)
    response = reporter_client.get("/api/v1/me/reports/", {"status": "selesai"})
    assert [row["id"] for row in response.json()["results"]] == [done.public_id]
    response = reporter_client.get("/api/v1/me/reports/", {"status": "menunggu"})
    assert [row["id"] for row in response.json()["results"]] == [waiting.public_id]
    bad = reporter_client.get("/api/v1/me/reports/", {"status": "hacked"})
    assert bad.status_code == 400
    assert "status" in bad.json()["error"]["fields"]


@pytest.mark.parametrize("query", ["status=", "status=%F3%A2%AD%B5%0C", "status=SELESAI"])
def test_my_reports_refuses_what_is_not_a_status(reporter_client: APIClient, query: str) -> None:
    response = reporter_client.get(f"/api/v1/me/reports/?{query}")
    assert response.status_code == 400
    body = response.json()
    assert set(body) == {"error"}
    assert body["error"]["code"] == "invalid"
    assert set(body["error"]["fields"]) == {"status"}


def test_my_reports_query_count_does_not_grow(
    reporter: Reporter, reporter_client: APIClient, django_assert_num_queries: Any
) -> None:
    photo = image_bytes("JPEG")
    file_report(reporter=reporter, photos=[upload(photo)])
    with django_assert_num_queries(6) as one:  # token, user, reporter, count, page, photos
        reporter_client.get("/api/v1/me/reports/")
    for _ in range(4):
        file_report(reporter=reporter, photos=[upload(photo), upload(photo)])
    with django_assert_num_queries(len(one.captured_queries)):
        response = reporter_client.get("/api/v1/me/reports/")
    assert response.json()["count"] == 5
    assert sum(len(row["photos"]) for row in response.json()["results"]) == 9


def test_page_size_is_capped_at_100(reporter: Reporter, reporter_client: APIClient) -> None:
    template = file_report(reporter=reporter).report
    clones = []
    for _ in range(105):
        clone = Report.objects.get(pk=template.pk)
        clone.pk = None
        clone.public_id = new_public_id()
        clone.client_request_id = uuid.uuid4()
        clones.append(clone)
    Report.objects.bulk_create(clones)
    response = reporter_client.get("/api/v1/me/reports/", {"page_size": 10**9})
    assert response.status_code == 200
    assert response.json()["count"] == 106
    assert len(response.json()["results"]) == 100


def test_my_reports_needs_a_token(api_client: APIClient) -> None:
    response = api_client.get("/api/v1/me/reports/")
    assert response.status_code == 401
    assert response.json()["error"]["code"] == "not_authenticated"


def test_my_reports_with_a_staff_token_is_refused() -> None:
    response = client_for(staff_in("BPBD")).get("/api/v1/me/reports/")
    assert response.status_code == 403
    assert response.json()["error"]["code"] == "not_a_reporter"


# ---- detail ---------------------------------------------------------------------------------


def test_detail_of_my_own_report_is_complete(
    reporter: Reporter, reporter_client: APIClient
) -> None:
    report = file_report(reporter=reporter, is_public=False, address_hint="Gang 3").report
    body = reporter_client.get(f"/api/v1/reports/{report.public_id}/").json()
    assert body["id"] == report.public_id
    assert (body["is_public"], body["address_hint"], body["photos"]) == (False, "Gang 3", [])


def test_detail_of_someone_elses_public_report_has_no_personal_fields(
    reporter_client: APIClient,
) -> None:
    report = file_report(reporter=citizen(), address_hint="Rumah Pak RT no. 5").report
    response = reporter_client.get(f"/api/v1/reports/{report.public_id}/")
    assert response.status_code == 200
    body = response.json()
    assert set(body) == {
        "id",
        "status",
        "status_label",
        "category",
        "description",
        "location",
        "area",
        "agency",
        "sla_due_at",
        "completed_at",
        "support_count",
        "created_at",
        "updated_at",
    }
    assert "Rumah Pak RT" not in response.content.decode()
    assert report.reporter.pseudonym not in response.content.decode()
    assert APIClient().get(f"/api/v1/reports/{report.public_id}/").json() == body


def test_someone_elses_private_report_looks_missing(reporter_client: APIClient) -> None:
    report = file_report(reporter=citizen(), is_public=False).report
    for client in (reporter_client, APIClient(), client_for(staff_in("BPBD"))):
        for suffix in ("", "timeline/"):
            response = client.get(f"/api/v1/reports/{report.public_id}/{suffix}")
            assert response.status_code == 404
            assert response.json() == missing_body()


def test_malformed_ids_are_404(reporter_client: APIClient) -> None:
    for path in ("LW-1", "lw-abcdef", "123", "LW-ABCDEF0"):
        assert reporter_client.get(f"/api/v1/reports/{path}/").status_code == 404


# ---- timeline -------------------------------------------------------------------------------


def test_timeline_shows_public_events_and_the_acting_unit(
    reporter: Reporter, reporter_client: APIClient
) -> None:
    report = file_report(reporter=reporter).report
    officer = staff_in(report.agency.code, first_name="Siti", last_name="Rahma")
    report_transition(report=report, to=Report.Status.PROSES, actor=officer, note="Tim meluncur")
    ReportEvent.objects.create(
        report=report, kind=ReportEvent.Kind.ASSIGNED, visibility="internal", actor=officer
    )
    body = reporter_client.get(f"/api/v1/reports/{report.public_id}/timeline/").json()
    assert [(e["kind"], e["to_status"], e["by"]) for e in body] == [
        ("created", "menunggu", "reporter"),
        ("status", "proses", "unit"),
    ]
    assert body[1]["unit"] == {"code": report.agency.code, "name": report.agency.name}
    assert body[1]["note"] == "Tim meluncur"
    assert body[1]["officer_name"] is None  # the unit does not show staff names

    Agency.objects.filter(pk=report.agency_id).update(shows_staff_names=True)
    body = reporter_client.get(f"/api/v1/reports/{report.public_id}/timeline/").json()
    assert body[1]["officer_name"] == "Siti Rahma"
    assert body[0]["officer_name"] is None


def test_timeline_of_a_public_report_is_visible_to_anyone(api_client: APIClient) -> None:
    report = file_report(reporter=citizen()).report
    response = api_client.get(f"/api/v1/reports/{report.public_id}/timeline/")
    assert response.status_code == 200
    assert [event["kind"] for event in response.json()] == ["created"]


def test_timeline_query_count_does_not_grow(
    reporter: Reporter, reporter_client: APIClient, django_assert_num_queries: Any
) -> None:
    report = file_report(reporter=reporter).report
    url = f"/api/v1/reports/{report.public_id}/timeline/"
    with CaptureQueriesContext(connection) as short:
        reporter_client.get(url)
    complete(report)
    with django_assert_num_queries(len(short.captured_queries)):
        assert len(reporter_client.get(url).json()) == 3


# ---- tracking and claiming ------------------------------------------------------------------


def test_anonymous_reporter_tracks_with_the_code(api_client: APIClient) -> None:
    result = file_report(reporter=None)
    assert result.tracking_code is not None
    response = api_client.get(f"/api/v1/track/{result.tracking_code}/")
    assert response.status_code == 200
    body = response.json()
    assert body["report"]["id"] == result.report.public_id
    assert "photos" not in body["report"]
    assert [event["kind"] for event in body["timeline"]] == ["created"]
    # Case and dashes do not matter when the code is typed in again.
    typed = result.tracking_code.lower().replace("-", "")
    assert api_client.get(f"/api/v1/track/{typed}/").status_code == 200


@pytest.mark.parametrize("code", ["AAAA-BBBB-CCCC", "x", "-" * 3, "A" * 41])
def test_wrong_tracking_codes_are_404(api_client: APIClient, code: str) -> None:
    file_report(reporter=None)
    file_report(reporter=citizen())  # has no code: "" must never match
    response = api_client.get(f"/api/v1/track/{code}/")
    assert response.status_code == 404


def test_claim_moves_the_report_into_the_account(
    reporter: Reporter, reporter_client: APIClient
) -> None:
    result = file_report(reporter=None)
    response = reporter_client.post(f"/api/v1/track/{result.tracking_code}/claim/")
    assert response.status_code == 200
    assert response.json()["id"] == result.report.public_id
    assert response.json()["is_anonymous"] is False
    report = Report.objects.get()
    assert report.reporter == reporter
    assert report.events.filter(kind=ReportEvent.Kind.CLAIMED, visibility="internal").count() == 1
    mine = reporter_client.get("/api/v1/me/reports/").json()
    assert [row["id"] for row in mine["results"]] == [report.public_id]
    again = reporter_client.post(f"/api/v1/track/{result.tracking_code}/claim/")
    assert again.status_code == 200  # idempotent
    assert report.events.filter(kind=ReportEvent.Kind.CLAIMED).count() == 1


def test_a_claimed_report_cannot_be_claimed_by_someone_else(reporter_client: APIClient) -> None:
    result = file_report(reporter=None)
    reporter_client.post(f"/api/v1/track/{result.tracking_code}/claim/")
    stranger = client_for(citizen().user)
    response = stranger.post(f"/api/v1/track/{result.tracking_code}/claim/")
    assert response.status_code == 409
    assert response.json()["error"]["code"] == "already_claimed"


def test_claim_needs_a_token_and_a_valid_code(
    api_client: APIClient, reporter_client: APIClient
) -> None:
    result = file_report(reporter=None)
    assert api_client.post(f"/api/v1/track/{result.tracking_code}/claim/").status_code == 401
    assert reporter_client.post("/api/v1/track/ZZZZ-ZZZZ-ZZZZ/claim/").status_code == 404
    assert Report.objects.get().reporter.user_id is None
