"""The identity reveal from the ticket page (docs/triage.md, "Reporter identity"; docs/privacy.md).

Request by an officer of the unit → grant by another supervisor → reveal by the requester on
a ``no-store`` page; refusals are admin error messages and ``denied`` events written by the
identity services; other units get 404s; the identity never appears on the ticket page.
"""

import uuid
from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone

from apps.accounts.models import User
from apps.accounts.roles import OrgRole
from apps.accounts.services import user_grant_org_role
from apps.identity.models import IdentityAccessEvent, Reporter, RevealRequest
from apps.identity.services import citizen_create
from apps.reports.models import Report
from tests.factories import StaffFactory
from tests.identity.factories import client_for
from tests.triage.triage_helpers import GAMBIR, SDA_JAKSEL, officer, ticket

pytestmark = pytest.mark.django_db

CHANGELIST = "/admin/reports/report/"
CANARY = f"CNRY{uuid.uuid4().hex[:10].upper()}"
PHONE = "+6281277190246"


def _canary_reporter() -> Reporter:
    return citizen_create(
        phone=PHONE, name=f"Budi {CANARY} Santoso", email=f"{CANARY.lower()}@example.id"
    )


def _client(user: User, language: str = "en") -> Client:
    client = Client(headers={"accept-language": language})
    client.force_login(user)
    return client


def _page(client: Client, report: Report) -> str:
    response = client.get(f"{CHANGELIST}{report.pk}/change/")
    assert response.status_code == 200
    return response.content.decode()


def _ask(client: Client, report: Report, **overrides: object):
    data = {
        "reason_code": "verify",
        "justification": "Perlu konfirmasi lokasi genangan",
        "fields": ["name", "phone"],
        **overrides,
    }
    return client.post(f"{CHANGELIST}{report.pk}/reveal/request/", data, follow=True)


def _grant(client: Client, report: Report, request: RevealRequest, hours: str = "24"):
    return client.post(
        f"{CHANGELIST}{report.pk}/reveal/grant/",
        {"request": str(request.public_id), "ttl_hours": hours},
        follow=True,
    )


def _reveal(client: Client, report: Report, fields=("name", "phone"), follow: bool = True):
    return client.post(f"{CHANGELIST}{report.pk}/reveal/", {"fields": list(fields)}, follow=follow)


def _events() -> list[tuple[str, int, str]]:
    return [
        (e.kind, e.actor_id, e.detail.get("denial", ""))
        for e in IdentityAccessEvent.objects.order_by("id")
    ]


def _messages(response) -> list[str]:
    return [str(m) for m in response.context["messages"]]


def test_request_grant_and_reveal_from_the_ticket_page() -> None:
    report = ticket(reporter=_canary_reporter())
    asker, granter = officer(), officer(role="supervisor")
    asker_client, granter_client = _client(asker), _client(granter)

    assert 'id="lw-reveal-request-form"' in _page(asker_client, report)
    asked = _ask(asker_client, report)
    request = RevealRequest.objects.get()
    asker_page = _page(asker_client, report)
    granter_page = _page(granter_client, report)
    granted = _grant(granter_client, report, request, hours="2")
    request.refresh_from_db()
    ready_page = _page(asker_client, report)
    before_reveal = IdentityAccessEvent.objects.count()
    revealed = _reveal(asker_client, report, follow=False)
    after_page = _page(asker_client, report)

    assert asked.redirect_chain == [(f"{CHANGELIST}{report.pk}/change/", 302)]
    assert _messages(asked) == ["Reveal request filed; a supervisor of the unit must grant it."]
    assert (request.ticket_ref, request.agency_id, request.requested_by_id) == (
        report.public_id,
        report.agency_id,
        asker.pk,
    )
    assert request.reason == "verify: Perlu konfirmasi lokasi genangan"
    assert request.fields == ["name", "phone"]
    # the requester sees the pending request but no grant button; the supervisor gets one
    assert f'data-request="{request.public_id}"' in asker_page
    assert "Waiting for a grant" in asker_page
    assert 'class="lw-reveal-grant"' not in asker_page
    assert 'class="lw-reveal-show"' not in asker_page
    assert 'class="lw-reveal-grant"' in granter_page
    assert 'class="lw-reveal-show"' not in granter_page
    assert granted.status_code == 200
    assert _messages(granted)[0].startswith(f"Reveal request for {report.public_id} granted until ")
    assert request.granted_by_id == granter.pk
    assert request.expires_at - request.granted_at == timedelta(hours=2)
    assert 'class="lw-reveal-show"' in ready_page

    assert revealed.status_code == 200
    assert "no-store" in revealed["Cache-Control"]
    body = revealed.content.decode()
    assert f"Budi {CANARY} Santoso" in body
    assert PHONE in body
    assert f"{CANARY.lower()}@example.id" not in body  # e-mail was not asked for
    assert _events() == [
        ("requested", asker.pk, ""),
        ("granted", granter.pk, ""),
        ("revealed", asker.pk, ""),
    ]
    assert IdentityAccessEvent.objects.count() == before_reveal + 1
    last = IdentityAccessEvent.objects.order_by("id").last()
    assert (last.ticket_ref, last.fields) == (report.public_id, ["name", "phone"])
    # nothing of it was kept: no message, nothing in the session, not on the ticket page
    assert CANARY not in str(dict(asker_client.session.items()))
    assert CANARY not in str(asker_client.cookies)
    for page in (asker_page, granter_page, ready_page, after_page):
        assert CANARY not in page
        assert CANARY.lower() not in page
        assert PHONE not in page
        assert "81277190246" not in page
        assert report.reporter.pseudonym not in page


def test_the_canary_is_on_no_ticket_page_for_any_role() -> None:
    report = ticket(reporter=_canary_reporter())
    asker, granter = officer(), officer(role="supervisor")
    _ask(_client(asker), report)
    _grant(_client(granter), report, RevealRequest.objects.get())
    manager = StaffFactory()
    user_grant_org_role(user=manager, role=OrgRole.MANAGER)
    monitor = officer(GAMBIR, role="monitor")
    for user in (asker, granter, manager, monitor):
        for language in ("en", "id"):
            page = _page(_client(user, language), report)
            assert CANARY not in page, user.username
            assert CANARY.lower() not in page, user.username
            assert "81277190246" not in page
    assert [e[0] for e in _events()] == ["requested", "granted"]


def test_the_request_form_is_in_indonesian_by_default_and_only_for_the_unit() -> None:
    report = ticket()
    monitor = officer(GAMBIR, role="monitor")
    manager = StaffFactory()
    user_grant_org_role(user=manager, role=OrgRole.MANAGER)

    page = _page(_client(officer(), "id"), report)

    assert "Minta pembukaan identitas" in page
    assert 'id="lw-reveal-request-form"' not in _page(_client(manager), report)
    assert 'id="lw-reveal"' not in _page(_client(monitor), report)  # monitors: no identity panel


def test_granting_ones_own_request_is_refused_and_logged() -> None:
    report = ticket()
    supervisor = officer(role="supervisor")
    client = _client(supervisor)
    _ask(client, report)
    request = RevealRequest.objects.get()

    page = _page(client, report)
    response = _grant(client, report, request)
    request.refresh_from_db()

    assert 'class="lw-reveal-grant"' not in page  # no button for one's own request
    assert _messages(response) == [
        "Refused: A request must be decided by another supervisor of the unit, not by its "
        "requester. The refusal has been logged."
    ]
    assert (request.granted_by_id, request.granted_at, request.expires_at) == (None, None, None)
    assert _events() == [
        ("requested", supervisor.pk, ""),
        ("denied", supervisor.pk, "self_grant"),
    ]
    denied = IdentityAccessEvent.objects.get(kind="denied")
    assert denied.detail["step"] == "grant"
    assert denied.ticket_ref == report.public_id


def test_an_officer_cannot_grant_and_is_logged() -> None:
    report = ticket()
    asker, other = officer(), officer()
    _ask(_client(asker), report)
    request = RevealRequest.objects.get()

    response = _client(other).post(
        f"{CHANGELIST}{report.pk}/reveal/grant/", {"request": str(request.public_id)}
    )

    # another officer does not even see the request (identity's list rule): 404, nothing logged
    assert response.status_code == 404
    assert [e[0] for e in _events()] == ["requested"]


def test_reveal_without_a_grant_is_refused_and_logged() -> None:
    report = ticket(reporter=_canary_reporter())
    asker = officer()
    client = _client(asker)
    _ask(client, report)  # pending, not granted

    response = _reveal(client, report)

    assert response.redirect_chain == [(f"{CHANGELIST}{report.pk}/change/", 302)]
    assert _messages(response) == [
        "Refused: You have no granted reveal request for this reporter in this unit. "
        "The refusal has been logged."
    ]
    assert CANARY not in response.content.decode()
    assert _events() == [("requested", asker.pk, ""), ("denied", asker.pk, "no_grant")]


def test_reveal_with_an_expired_grant_is_refused_and_logged(monkeypatch) -> None:
    report = ticket(reporter=_canary_reporter())
    asker, granter = officer(), officer(role="supervisor")
    client = _client(asker)
    _ask(client, report)
    _grant(_client(granter), report, RevealRequest.objects.get(), hours="1")
    later = timezone.now() + timedelta(hours=1, seconds=1)
    monkeypatch.setattr(timezone, "now", lambda: later)

    page = _page(client, report)
    response = _reveal(client, report)

    assert "Expired" in page
    assert 'class="lw-reveal-show"' not in page
    assert _messages(response) == [
        "Refused: Your grant has expired. File a new request. The refusal has been logged."
    ]
    assert CANARY not in response.content.decode()
    assert [e[2] for e in _events()] == ["", "", "grant_expired"]


def test_a_grant_for_another_ticket_does_not_reveal_this_one() -> None:
    reporter = _canary_reporter()
    granted_ticket, other_ticket = ticket(reporter=reporter), ticket(reporter=reporter)
    asker, granter = officer(), officer(role="supervisor")
    client = _client(asker)
    _ask(client, granted_ticket)
    _grant(_client(granter), granted_ticket, RevealRequest.objects.get())

    response = _reveal(client, other_ticket)

    assert _messages(response) == [
        "Refused: Your grant is for another ticket, not this one. The refusal has been logged."
    ]
    assert CANARY not in response.content.decode()
    assert _events()[-1] == ("denied", asker.pk, "other_ticket")
    denied = IdentityAccessEvent.objects.get(kind="denied")
    assert denied.ticket_ref == other_ticket.public_id
    assert not IdentityAccessEvent.objects.filter(kind="revealed").exists()


def test_a_field_that_was_not_granted_is_refused() -> None:
    report = ticket(reporter=_canary_reporter())
    asker, granter = officer(), officer(role="supervisor")
    client = _client(asker)
    _ask(client, report, fields=["phone"])
    _grant(_client(granter), report, RevealRequest.objects.get())

    response = _reveal(client, report, fields=["name"])

    assert _messages(response) == [
        "Refused: These fields were not granted. The refusal has been logged."
    ]
    assert CANARY not in response.content.decode()
    assert _events()[-1][2] == "field_not_granted"


def test_another_unit_gets_404_and_nothing_is_written() -> None:
    report = ticket()
    _ask(_client(officer()), report)
    request = RevealRequest.objects.get()
    events = IdentityAccessEvent.objects.count()
    outsider = _client(officer(SDA_JAKSEL, role="supervisor"))

    responses = [
        outsider.get(f"{CHANGELIST}{report.pk}/change/"),
        outsider.post(
            f"{CHANGELIST}{report.pk}/reveal/request/",
            {"reason_code": "verify", "justification": "x", "fields": ["name"]},
        ),
        outsider.post(
            f"{CHANGELIST}{report.pk}/reveal/grant/", {"request": str(request.public_id)}
        ),
        outsider.post(f"{CHANGELIST}{report.pk}/reveal/", {"fields": ["name"]}),
        outsider.post(f"{CHANGELIST}999999999/reveal/", {"fields": ["name"]}),
    ]

    assert [r.status_code for r in responses] == [404] * 5
    assert RevealRequest.objects.count() == 1
    assert IdentityAccessEvent.objects.count() == events
    request.refresh_from_db()
    assert request.granted_at is None


def test_a_request_of_another_ticket_or_a_bad_id_cannot_be_granted_here() -> None:
    report, elsewhere = ticket(), ticket()
    asker, granter = officer(), officer(role="supervisor")
    _ask(_client(asker), elsewhere)
    request = RevealRequest.objects.get()
    client = _client(granter)

    wrong_ticket = _grant(client, report, request)
    bad_ids = [
        client.post(f"{CHANGELIST}{report.pk}/reveal/grant/", {"request": value})
        for value in ("not-a-uuid", "", str(uuid.uuid4()))
    ]

    assert wrong_ticket.status_code == 404
    assert [r.status_code for r in bad_ids] == [404, 404, 404]
    request.refresh_from_db()
    assert request.granted_at is None
    assert [e[0] for e in _events()] == ["requested"]


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"reason_code": "curious"}, "Reason: Unknown reason code."),
        ({"justification": "   "}, "Justification: This field may not be blank."),
        ({"justification": "x" * 1901}, "Justification: Ensure this field has no more than"),
        ({"fields": []}, "Fields: Choose one or more identity fields."),
        ({"fields": ["name", "address"]}, "Fields: Choose one or more identity fields."),
        ({"justification": "a\x00b"}, "Justification: Contains characters that are not allowed."),
    ],
)
def test_bad_request_input_is_refused_and_writes_nothing(overrides, message) -> None:
    report = ticket()
    response = _ask(_client(officer()), report, **overrides)

    assert response.status_code == 200
    assert len(_messages(response)) == 1
    assert message in _messages(response)[0]
    assert RevealRequest.objects.count() == 0
    assert IdentityAccessEvent.objects.count() == 0


@pytest.mark.parametrize("hours", ["0", "73", "abc", "-1", "²", "٣", "1e1", "2\x00"])
def test_a_bad_grant_duration_is_refused_and_writes_nothing(hours) -> None:
    report = ticket()
    _ask(_client(officer()), report)
    request = RevealRequest.objects.get()

    response = _grant(_client(officer(role="supervisor")), report, request, hours=hours)

    assert response.status_code == 200
    assert "Valid for (hours): " in _messages(response)[0]
    assert "ttl_hours" not in _messages(response)[0]
    request.refresh_from_db()
    assert request.granted_at is None
    assert [e[0] for e in _events()] == ["requested"]


def test_a_second_grant_is_refused() -> None:
    report = ticket()
    _ask(_client(officer()), report)
    request = RevealRequest.objects.get()
    first, second = officer(role="supervisor"), officer(role="supervisor")
    _grant(_client(first), report, request)

    response = _grant(_client(second), report, request)

    assert _messages(response) == ["This request has already been decided."]
    request.refresh_from_db()
    assert request.granted_by_id == first.pk
    assert [e[0] for e in _events()] == ["requested", "granted"]


def test_the_reveal_views_accept_post_only() -> None:
    report = ticket()
    client = _client(officer())
    for suffix in ("reveal/", "reveal/request/", "reveal/grant/"):
        assert client.get(f"{CHANGELIST}{report.pk}/{suffix}").status_code == 405
    assert IdentityAccessEvent.objects.count() == 0


def test_one_reveal_per_grant_a_refresh_neither_reveals_nor_logs_again() -> None:
    """docs/security.md, row 11: after the reveal the page offers no "Buka identitas"; the
    browser's refresh (the same POST again) shows nothing and writes no second event."""
    report = ticket(reporter=_canary_reporter())
    asker, granter = officer(), officer(role="supervisor")
    asker_client = _client(asker, language="id")
    _ask(asker_client, report)
    _grant(_client(granter), report, RevealRequest.objects.get())
    assert 'class="lw-reveal-show"' in _page(asker_client, report)
    assert "Buka identitas" in _page(asker_client, report)

    first = _reveal(asker_client, report, follow=False)
    after = _page(asker_client, report)
    events = IdentityAccessEvent.objects.count()
    refreshed = _reveal(asker_client, report)

    assert first.status_code == 200
    assert f"Budi {CANARY} Santoso" in first.content.decode()
    assert 'class="lw-reveal-show"' not in after
    assert "Buka identitas" not in after
    assert refreshed.redirect_chain == [(f"{CHANGELIST}{report.pk}/change/", 302)]
    assert CANARY not in refreshed.content.decode()
    assert IdentityAccessEvent.objects.count() == events
    assert [e.kind for e in IdentityAccessEvent.objects.order_by("id")] == [
        "requested",
        "granted",
        "revealed",
    ]
    assert RevealRequest.objects.get().revealed_at is not None


def test_the_staff_api_reveals_once_per_grant_too() -> None:
    report = ticket(reporter=_canary_reporter())
    asker, granter = officer(), officer(role="supervisor")
    _ask(_client(asker), report)
    _grant(_client(granter), report, RevealRequest.objects.get())
    api = client_for(asker)
    url = f"/api/v1/staff/tickets/{report.public_id}/reveal/"

    first = api.post(url, {"fields": ["name"]}, format="json")
    events = IdentityAccessEvent.objects.count()
    second = api.post(url, {"fields": ["name"]}, format="json")

    assert first.status_code == 200
    assert second.status_code == 409
    assert second.json()["error"]["code"] == "reveal_already_used"
    assert CANARY not in second.content.decode()
    assert IdentityAccessEvent.objects.count() == events
