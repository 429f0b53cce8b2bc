"""The supervisors' list of pending reveal requests, approve and reject (docs/triage.md,
"Reporter identity"): scoped to the units one supervises, decided once, bad input answered by
an admin message that changes nothing, the outcome shown to the requester in their language."""

import uuid

import pytest
from django.test import Client

from apps.accounts.models import User
from apps.identity.models import IdentityAccessEvent, RevealRequest
from apps.identity.services import citizen_create
from apps.reports.models import Report
from apps.triage.selectors.reveal import (
    reveal_request_get_for_supervisor,
    reveal_requests_pending_count,
    reveal_requests_pending_for_supervisor,
)
from apps.triage.selectors.scope import staff_scope_for_user
from apps.triage.services.reveal import report_reveal_request_create
from tests.triage.triage_helpers import SDA_JAKSEL, officer, ticket

pytestmark = pytest.mark.django_db

LIST = "/admin/reports/report/reveal-requests/"
DECIDE = "/admin/reports/report/reveal-requests/decide/"
CANARY = f"CNRY{uuid.uuid4().hex[:10].upper()}"
PHONE = "+6281277190377"


def _client(user: User, language: str = "id") -> Client:
    client = Client(headers={"accept-language": language})
    client.force_login(user)
    return client


def _pending(report: Report, asker: User) -> RevealRequest:
    return report_reveal_request_create(
        report=report,
        actor=asker,
        reason_code="verify",
        justification="Perlu konfirmasi lokasi genangan",
        fields=["name", "phone"],
    )


def _decide(client: Client, request: RevealRequest | str, **data: str):
    public_id = request if isinstance(request, str) else str(request.public_id)
    return client.post(DECIDE, {"request": public_id, **data}, follow=True)


def _messages(response) -> list[str]:
    return [str(m) for m in response.context["messages"]]


def _kinds() -> list[str]:
    return list(IdentityAccessEvent.objects.order_by("id").values_list("kind", flat=True))


def _canary_ticket() -> Report:
    reporter = citizen_create(
        phone=PHONE, name=f"Siti {CANARY} Rahma", email=f"{CANARY.lower()}@example.id"
    )
    return ticket(reporter=reporter)


# ---- the selectors: scoped by StaffScope ----


def test_the_pending_list_holds_the_supervised_units_requests_but_not_ones_own() -> None:
    report = ticket()
    asker, supervisor = officer(), officer(role="supervisor")
    other_unit_supervisor = officer(SDA_JAKSEL, role="supervisor")
    theirs = _pending(report, asker)
    _pending(report, supervisor)  # the supervisor's own: not theirs to decide

    rows = reveal_requests_pending_for_supervisor(scope=staff_scope_for_user(user=supervisor))
    elsewhere = staff_scope_for_user(user=other_unit_supervisor)

    assert [r.public_id for r in rows] == [theirs.public_id]
    assert (rows[0].ticket_pk, rows[0].ticket_ref) == (report.pk, report.public_id)
    assert rows[0].category == report.category.name_id
    assert rows[0].fields_label == "name, phone"
    assert rows[0].reason == "Verify the report (location, facts): Perlu konfirmasi lokasi genangan"
    assert reveal_requests_pending_for_supervisor(scope=elsewhere) == []
    assert reveal_requests_pending_count(scope=elsewhere) == 0
    assert reveal_requests_pending_count(scope=staff_scope_for_user(user=asker)) == 0
    with pytest.raises(Exception, match="Not found"):
        reveal_request_get_for_supervisor(scope=elsewhere, public_id=theirs.public_id)


# ---- the page ----


def test_the_list_shows_labels_not_codes_and_no_reporter_data() -> None:
    report = _canary_ticket()
    _pending(report, officer())
    supervisor = officer(role="supervisor")

    response = _client(supervisor).get(LIST)
    page = response.content.decode()

    assert response.status_code == 200
    assert "Permintaan pembukaan identitas yang menunggu keputusan Anda" in page
    assert report.public_id in page
    assert "nama, telepon" in page
    assert "Verifikasi" in page
    assert "verify:" not in page
    assert "name, phone" not in page
    for secret in (CANARY, CANARY.lower(), "81277190377", report.reporter.pseudonym):
        assert secret not in page
    start = _client(supervisor).get("/admin/").content.decode()
    assert "1 permintaan pembukaan identitas menunggu keputusan Anda" in start


def test_a_supervisor_of_another_unit_and_an_officer_see_none() -> None:
    report = ticket()
    request = _pending(report, officer())
    for user in (officer(SDA_JAKSEL, role="supervisor"), officer()):
        page = _client(user).get(LIST).content.decode()
        assert str(request.public_id) not in page
        assert "Tidak ada permintaan pembukaan identitas yang menunggu keputusan Anda." in page
        response = _decide(_client(user), request, decision="approve", ttl_hours="2")
        assert response.status_code == 404
    request.refresh_from_db()
    assert (request.granted_at, request.rejected_at) == (None, None)
    assert _kinds() == ["requested"]


def test_approve_from_the_list() -> None:
    report = ticket()
    asker, supervisor = officer(), officer(role="supervisor")
    request = _pending(report, asker)

    response = _decide(_client(supervisor, "en"), request, decision="approve", ttl_hours="2")
    request.refresh_from_db()

    assert response.redirect_chain == [(LIST, 302)]
    assert _messages(response)[0].startswith(f"Reveal request for {report.public_id} granted")
    assert request.granted_by_id == supervisor.pk
    assert request.rejected_at is None
    assert _kinds() == ["requested", "granted"]
    assert str(request.public_id) not in response.content.decode()  # no longer pending


def test_reject_from_the_list_the_requester_reads_why_in_their_language() -> None:
    report = ticket()
    asker, supervisor = officer(), officer(role="supervisor")
    request = _pending(report, asker)

    response = _decide(
        _client(supervisor, "en"), request, decision="reject", reason="Cukup lewat pesan"
    )
    request.refresh_from_db()
    ticket_page = _client(asker).get(f"/admin/reports/report/{report.pk}/change/")
    page = ticket_page.content.decode()

    assert _messages(response) == [
        f"Reveal request for {report.public_id} rejected; the requester sees the reason."
    ]
    assert (request.rejected_by_id, request.rejection_reason) == (
        supervisor.pk,
        "Cukup lewat pesan",
    )
    assert request.granted_at is None
    event = IdentityAccessEvent.objects.order_by("id").last()
    assert (event.kind, event.actor_id, event.reason) == (
        "rejected",
        supervisor.pk,
        "Cukup lewat pesan",
    )
    assert event.detail == {"request": str(request.public_id)}
    assert 'class="lw-reveal-rejected"' in page
    assert "Ditolak" in page
    assert "Alasan penolakan" in page
    assert "Cukup lewat pesan" in page
    assert 'class="lw-reveal-show"' not in page


def test_reject_from_the_ticket_page() -> None:
    report = ticket()
    request = _pending(report, officer())
    supervisor = officer(role="supervisor")
    client = _client(supervisor, "en")
    assert (
        'class="lw-reveal-reject"'
        in client.get(f"/admin/reports/report/{report.pk}/change/").content.decode()
    )

    response = client.post(
        f"/admin/reports/report/{report.pk}/reveal/reject/",
        {"request": str(request.public_id), "reason": "Tidak perlu"},
        follow=True,
    )
    request.refresh_from_db()

    assert response.redirect_chain == [(f"/admin/reports/report/{report.pk}/change/", 302)]
    assert request.rejection_reason == "Tidak perlu"
    assert _kinds() == ["requested", "rejected"]


# ---- bad input: an admin message or a 404, never a 500, and nothing changes ----


@pytest.mark.parametrize(
    ("reason", "message"),
    [
        ("", "Reason for rejection: Say why the request is rejected."),
        ("   ", "Reason for rejection: Say why the request is rejected."),
        ("x" * 1001, "Reason for rejection: Ensure this field has no more than 1000 characters."),
        ("a\x00b", "Reason for rejection: Contains characters that are not allowed."),
    ],
)
def test_a_missing_or_bad_rejection_reason_is_refused(reason: str, message: str) -> None:
    request = _pending(ticket(), officer())

    response = _decide(
        _client(officer(role="supervisor"), "en"), request, decision="reject", reason=reason
    )
    request.refresh_from_db()

    assert response.status_code == 200
    assert _messages(response) == [f"Invalid input. {message}"]
    assert (request.rejected_at, request.rejection_reason) == (None, "")
    assert _kinds() == ["requested"]


@pytest.mark.parametrize("first", ["approve", "reject"])
@pytest.mark.parametrize("second", ["approve", "reject"])
def test_deciding_a_decided_request_is_refused(first: str, second: str) -> None:
    request = _pending(ticket(), officer())
    one, two = officer(role="supervisor"), officer(role="supervisor")
    data = {"approve": {"ttl_hours": "2"}, "reject": {"reason": "Tidak perlu"}}
    _decide(_client(one, "en"), request, decision=first, **data[first])

    response = _decide(_client(two, "en"), request, decision=second, **data[second])
    request.refresh_from_db()

    assert response.status_code == 200
    assert _messages(response) == ["This request has already been decided."]
    decided_by = request.granted_by_id if first == "approve" else request.rejected_by_id
    assert decided_by == one.pk
    assert _kinds() == ["requested", "granted" if first == "approve" else "rejected"]


@pytest.mark.parametrize(
    "data",
    [
        {"request": str(uuid.uuid4()), "decision": "approve"},
        {"request": "not-a-uuid", "decision": "reject", "reason": "x"},
        {"request": "", "decision": "approve"},
        {"request": "12345", "decision": "approve"},
        {"decision": "maybe"},
        {"decision": ""},
    ],
)
def test_unknown_requests_and_decisions_are_404s(data: dict[str, str]) -> None:
    request = _pending(ticket(), officer())
    data = {"request": str(request.public_id), **data}

    response = _client(officer(role="supervisor")).post(DECIDE, data)

    assert response.status_code == 404
    request.refresh_from_db()
    assert (request.granted_at, request.rejected_at) == (None, None)


def test_the_decision_view_accepts_post_only_and_no_anonymous() -> None:
    request = _pending(ticket(), officer())
    assert _client(officer(role="supervisor")).get(DECIDE).status_code == 405
    anonymous = Client().post(DECIDE, {"request": str(request.public_id), "decision": "approve"})
    assert anonymous.status_code == 302  # to the login page
    assert _kinds() == ["requested"]


def test_rejecting_ones_own_request_is_refused_and_logged() -> None:
    report = ticket()
    supervisor = officer(role="supervisor")
    request = _pending(report, supervisor)
    response = _client(supervisor, "en").post(
        f"/admin/reports/report/{report.pk}/reveal/reject/",
        {"request": str(request.public_id), "reason": "x"},
        follow=True,
    )
    request.refresh_from_db()
    assert _messages(response) == [
        "Refused: A request must be decided by another supervisor of the unit, not by its "
        "requester. The refusal has been logged."
    ]
    assert request.rejected_at is None
    denied = IdentityAccessEvent.objects.get(kind="denied")
    assert denied.detail == {
        "step": "reject",
        "denial": "self_grant",
        "request": str(request.public_id),
    }


def test_the_api_lists_a_rejection_to_the_requester() -> None:
    from tests.identity.factories import client_for

    report = ticket()
    asker, supervisor = officer(), officer(role="supervisor")
    request = _pending(report, asker)
    _decide(_client(supervisor), request, decision="reject", reason="Cukup lewat pesan")

    response = client_for(asker).get("/api/v1/identity/reveal-requests/")

    assert response.status_code == 200
    [row] = response.json()["results"]
    assert (row["id"], row["granted_by"], row["rejected_by"]) == (
        str(request.public_id),
        None,
        supervisor.username,
    )
    assert row["rejection_reason"] == "Cukup lewat pesan"
    assert row["rejected_at"] is not None
