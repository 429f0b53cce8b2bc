"""Four-eyes reveal (quality rows 6 and 7): grants, refusals, and the audit rows they leave.

Asking and revealing go through the staff ticket API, bound to a ticket the unit holds;
listing and granting through the identity API."""

from datetime import timedelta

import pytest
from django.db import connection
from django.utils import timezone
from rest_framework.test import APIClient

from apps.accounts.models import Agency
from apps.identity import services
from apps.identity.errors import RevealDenied
from apps.identity.models import IdentityAccessEvent, Reporter, RevealRequest
from apps.reports.models import Report
from tests.factories import staff_in
from tests.identity.factories import TICKET, citizen, client_for, granted_request
from tests.reports.factories import file_report

pytestmark = pytest.mark.django_db

REQUESTS = "/api/v1/identity/reveal-requests/"
OTHER_TICKET = "LW-22222Z"


def _ticket(reporter: Reporter, public_id: str = TICKET, agency: str = "DINAS-SDA") -> Report:
    """A ticket filed by ``reporter``, now held by ``agency``."""
    report = file_report(reporter=reporter).report
    Report.objects.filter(pk=report.pk).update(
        public_id=public_id, agency=Agency.objects.get(code=agency)
    )
    return Report.objects.get(pk=report.pk)


def _citizen_with_ticket(*args, **kwargs) -> Reporter:
    reporter = citizen(*args, **kwargs)
    _ticket(reporter)
    return reporter


def _ask(client: APIClient, fields=("name", "phone"), ticket=TICKET):
    return client.post(
        f"/api/v1/staff/tickets/{ticket}/reveal-requests/",
        {"fields": list(fields), "reason_code": "verify", "justification": "Konfirmasi lokasi"},
        format="json",
    )


def _reveal(client: APIClient, fields=("name", "phone"), ticket=TICKET):
    return client.post(
        f"/api/v1/staff/tickets/{ticket}/reveal/", {"fields": list(fields)}, format="json"
    )


def _denials() -> list[str]:
    return list(
        IdentityAccessEvent.objects.filter(kind="denied")
        .order_by("id")
        .values_list("detail__denial", flat=True)
    )


def test_request_grant_reveal_through_the_api(officer, supervisor):
    reporter = _citizen_with_ticket(name="Siti Rahayu")
    officer_client, supervisor_client = client_for(officer), client_for(supervisor)

    created = _ask(officer_client)
    assert created.status_code == 201, created.json()
    request_id = created.json()["id"]
    listed = supervisor_client.get(REQUESTS).json()["results"]
    on_ticket = supervisor_client.get(f"/api/v1/staff/tickets/{TICKET}/reveal-requests/").json()
    granted = supervisor_client.post(f"{REQUESTS}{request_id}/grant/", {}, format="json")
    revealed = _reveal(officer_client)

    assert created.json()["ticket_ref"] == TICKET
    assert created.json()["agency"] == "DINAS-SDA"
    assert created.json()["reason"] == "verify: Konfirmasi lokasi"
    assert [r["id"] for r in listed] == [request_id]
    assert [r["id"] for r in on_ticket] == [request_id]
    assert granted.status_code == 200
    assert granted.json()["granted_by"] == supervisor.username
    assert revealed.status_code == 200
    assert revealed["Cache-Control"] == "no-store"
    assert revealed.json() == {
        "pseudonym": reporter.pseudonym,
        "ticket_ref": TICKET,
        "identity": {"name": "Siti Rahayu", "phone": "+628123456789"},
    }
    events = IdentityAccessEvent.objects.order_by("id")
    assert [(e.kind, e.actor_id) for e in events] == [
        ("requested", officer.pk),
        ("granted", supervisor.pk),
        ("revealed", officer.pk),
    ]
    assert events.last().fields == ["name", "phone"]
    assert events.last().ticket_ref == TICKET


def test_a_ticket_that_does_not_exist_or_another_unit_holds_is_404_and_asks_nothing(
    officer, supervisor
):
    reporter = citizen()
    _ticket(reporter, public_id=OTHER_TICKET, agency="DINAS-BINAMARGA")
    client = client_for(officer)

    for ticket in (TICKET, OTHER_TICKET):  # none, and one held by another unit
        assert _ask(client, ticket=ticket).status_code == 404
        assert _reveal(client, ticket=ticket).status_code == 404
    assert RevealRequest.objects.count() == 0
    assert IdentityAccessEvent.objects.count() == 0


def test_a_grant_no_longer_reveals_once_the_ticket_moved_to_another_unit(officer, supervisor):
    reporter = _citizen_with_ticket()
    granted_request(reporter=reporter, officer=officer, supervisor=supervisor)
    Report.objects.filter(public_id=TICKET).update(
        agency=Agency.objects.get(code="DINAS-BINAMARGA")
    )

    assert _reveal(client_for(officer)).status_code == 404  # out of the officer's scope now
    assert not IdentityAccessEvent.objects.filter(kind="revealed").exists()


def test_reveal_with_session_auth(officer, supervisor):
    reporter = _citizen_with_ticket()
    granted_request(reporter=reporter, officer=officer, supervisor=supervisor)
    client = APIClient()
    client.force_login(officer)

    assert _reveal(client, fields=["phone"]).status_code == 200


def test_reveal_without_a_grant_is_403_and_logged(officer):
    _citizen_with_ticket()

    response = _reveal(client_for(officer))

    assert response.status_code == 403
    assert response.json()["error"]["code"] == "reveal_denied"
    assert response.json()["error"]["denial"] == "no_grant"
    assert "+62" not in response.content.decode()
    assert _denials() == ["no_grant"]


def test_reveal_with_an_expired_grant_is_403(officer, supervisor, monkeypatch):
    reporter = _citizen_with_ticket()
    granted_request(reporter=reporter, officer=officer, supervisor=supervisor)
    later = timezone.now() + timedelta(hours=24, seconds=1)
    monkeypatch.setattr(timezone, "now", lambda: later)

    response = _reveal(client_for(officer))

    assert response.status_code == 403
    assert _denials() == ["grant_expired"]


def test_reveal_for_another_ticket_is_403(officer, supervisor):
    reporter = _citizen_with_ticket()
    granted_request(reporter=reporter, officer=officer, supervisor=supervisor)

    _ticket(reporter, public_id=OTHER_TICKET)  # the reporter's second ticket, same unit

    response = _reveal(client_for(officer), ticket=OTHER_TICKET)

    assert response.status_code == 403
    assert _denials() == ["other_ticket"]


def test_reveal_of_a_field_not_granted_is_403(officer, supervisor):
    reporter = _citizen_with_ticket()
    granted_request(reporter=reporter, officer=officer, supervisor=supervisor, fields=("phone",))

    assert _reveal(client_for(officer), fields=["phone", "nik"]).status_code == 403
    assert _denials() == ["field_not_granted"]


def test_a_colleague_cannot_use_someone_elses_grant(officer, supervisor):
    reporter = _citizen_with_ticket()
    granted_request(reporter=reporter, officer=officer, supervisor=supervisor)
    colleague = staff_in("DINAS-SDA", "officer")

    assert _reveal(client_for(colleague)).status_code == 403
    assert _denials() == ["no_grant"]


def test_granting_your_own_request_is_403_and_logged(supervisor):
    _citizen_with_ticket()
    client = client_for(supervisor)
    created = _ask(client, fields=["name"]).json()

    response = client.post(f"{REQUESTS}{created['id']}/grant/", {}, format="json")

    assert response.status_code == 403
    assert response.json()["error"]["denial"] == "self_grant"
    assert RevealRequest.objects.get().granted_at is None
    assert _denials() == ["self_grant"]
    assert _reveal(client, fields=["name"]).status_code == 403


def test_an_officer_cannot_grant(officer):
    reporter = _citizen_with_ticket()
    other = staff_in("DINAS-SDA", "officer")
    request = services.reveal_request_create(
        reporter=reporter,
        ticket_ref=TICKET,
        agency=officer.memberships.get().agency,
        actor=other,
        reason="x",
        fields=["name"],
    )

    response = client_for(officer).post(f"{REQUESTS}{request.public_id}/grant/", {}, format="json")

    assert response.status_code == 404  # not their request and not a unit they supervise


def test_a_supervisor_of_another_unit_cannot_grant(officer, bina_marga):
    reporter = _citizen_with_ticket()
    request = services.reveal_request_create(
        reporter=reporter,
        ticket_ref=TICKET,
        agency=officer.memberships.get().agency,
        actor=officer,
        reason="x",
        fields=["name"],
    )
    outsider = staff_in("DINAS-BINAMARGA", "supervisor")

    with pytest.raises(RevealDenied):
        services.reveal_grant(reveal_request=request, actor=outsider)
    assert _denials() == ["not_supervisor"]


def test_an_officer_of_another_unit_cannot_request(bina_marga):
    _citizen_with_ticket()
    outsider = staff_in("DINAS-BINAMARGA", "officer")

    response = _ask(client_for(outsider), fields=["name"])

    assert response.status_code == 404  # the ticket is not in their scope
    assert RevealRequest.objects.count() == 0


def test_a_read_only_viewer_of_the_ticket_cannot_request(sda):
    _citizen_with_ticket()
    monitor = staff_in("DINAS-SDA", "monitor")

    assert _ask(client_for(monitor), fields=["name"]).status_code == 404
    assert RevealRequest.objects.count() == 0


def test_a_grantor_who_left_the_unit_no_longer_counts(officer, supervisor, sda):
    from apps.accounts.services import membership_remove

    reporter = _citizen_with_ticket()
    granted_request(reporter=reporter, officer=officer, supervisor=supervisor)
    membership_remove(user=supervisor, agency=sda)

    assert _reveal(client_for(officer)).status_code == 403
    assert _denials() == ["grantor_not_supervisor"]


def test_a_restricted_reporter_is_never_revealed(officer, supervisor):
    reporter = _citizen_with_ticket()
    granted_request(reporter=reporter, officer=officer, supervisor=supervisor)
    services.reporter_set_reveal_restricted(
        reporter=reporter, restricted=True, actor=supervisor, reason="whistle-blower"
    )

    assert _reveal(client_for(officer)).status_code == 403
    assert _denials() == ["restricted"]


def test_reveal_after_erasure_is_410_and_logged(officer, supervisor):
    reporter = _citizen_with_ticket()
    granted_request(reporter=reporter, officer=officer, supervisor=supervisor)
    services.reporter_erase(reporter=reporter, actor=None)

    tombstone = _reveal(client_for(officer))

    assert tombstone.status_code == 410
    assert tombstone.json()["error"]["code"] == "reporter_erased"
    assert _denials() == ["erased"]


def test_citizens_and_anonymous_users_cannot_use_staff_endpoints(api_client):
    reporter = _citizen_with_ticket()
    assert _reveal(api_client).status_code == 401
    assert _ask(api_client).status_code == 401
    assert _reveal(client_for(reporter.user)).status_code == 403
    assert client_for(reporter.user).get(REQUESTS).status_code == 403


@pytest.mark.parametrize(
    "body",
    [
        {"fields": ["password"], "reason_code": "verify", "justification": "x"},
        {"fields": [], "reason_code": "verify", "justification": "x"},
        {"fields": ["name"], "reason_code": "curious", "justification": "x"},
        {"fields": ["name"], "reason_code": "verify", "justification": ""},
        {"fields": ["name"], "reason_code": "verify", "justification": "a\u0000b"},
        {"fields": ["name"], "reason_code": "verify", "justification": "x" * 1901},
        {"fields": "name", "reason_code": "verify", "justification": "x"},
    ],
)
def test_bad_request_bodies_are_400_and_log_nothing(officer, body):
    _citizen_with_ticket()
    response = client_for(officer).post(
        f"/api/v1/staff/tickets/{TICKET}/reveal-requests/", body, format="json"
    )
    assert response.status_code == 400, response.json()
    assert response.json()["error"]["code"] == "invalid"
    assert RevealRequest.objects.count() == 0
    assert IdentityAccessEvent.objects.count() == 0


def test_unknown_fields_to_reveal_are_400(officer):
    _citizen_with_ticket()
    response = _reveal(client_for(officer), fields=["password"])
    assert response.status_code == 400
    assert set(response.json()["error"]["fields"]) == {"fields"}
    assert IdentityAccessEvent.objects.count() == 0


def test_a_failing_audit_insert_returns_no_plaintext_and_commits_nothing(officer, supervisor):
    reporter = _citizen_with_ticket(name="Siti Rahayu")
    granted_request(reporter=reporter, officer=officer, supervisor=supervisor)
    before = IdentityAccessEvent.objects.count()
    with connection.cursor() as cursor:  # a real database error, only for reveal rows
        cursor.execute(
            """
            CREATE FUNCTION test_fail_reveal() RETURNS trigger LANGUAGE plpgsql AS $$
            BEGIN IF NEW.kind = 'revealed' THEN RAISE EXCEPTION 'disk full'; END IF;
            RETURN NEW; END $$;
            CREATE TRIGGER test_fail_reveal BEFORE INSERT ON identity_identityaccessevent
            FOR EACH ROW EXECUTE FUNCTION test_fail_reveal();
            """
        )
    client = client_for(officer)
    client.raise_request_exception = False

    response = _reveal(client)

    assert response.status_code == 500
    text = response.content.decode()
    assert "Siti" not in text
    assert "8123456789" not in text
    assert IdentityAccessEvent.objects.count() == before


def test_reveal_request_list_query_count_is_flat(supervisor, django_assert_num_queries):
    for n in range(4):
        other = staff_in("DINAS-SDA", "officer")
        services.reveal_request_create(
            reporter=citizen(f"+62811111111{n}"),
            ticket_ref=TICKET,
            agency=other.memberships.get().agency,
            actor=other,
            reason="x",
            fields=["name"],
        )
    client = APIClient()
    client.force_login(supervisor)
    client.get(REQUESTS)  # warm per-process caches (content types), so the count is stable

    # session, user, count, page (joins; the supervised agencies are a subquery)
    with django_assert_num_queries(4):
        assert len(client.get(REQUESTS).json()["results"]) == 4
