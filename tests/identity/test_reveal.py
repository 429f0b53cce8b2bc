"""Four-eyes reveal (quality rows 6 and 7): grants, refusals, and the audit rows they leave."""

from datetime import timedelta

import pytest
from django.db import connection
from django.utils import timezone
from rest_framework.test import APIClient

from apps.identity import services
from apps.identity.errors import RevealDenied
from apps.identity.models import IdentityAccessEvent, RevealRequest
from tests.factories import staff_in
from tests.identity.factories import TICKET, citizen, client_for, granted_request

pytestmark = pytest.mark.django_db

REQUESTS = "/api/v1/identity/reveal-requests/"
REVEAL = "/api/v1/identity/reveal/"


def _reveal(
    client: APIClient, reporter, fields=("name", "phone"), ticket=TICKET, agency="DINAS-SDA"
):
    return client.post(
        REVEAL,
        {
            "pseudonym": reporter.pseudonym,
            "ticket_ref": ticket,
            "agency": agency,
            "fields": list(fields),
        },
        format="json",
    )


def _denials() -> list[str]:
    return list(
        IdentityAccessEvent.objects.filter(kind="denied")
        .order_by("id")
        .values_list("detail__denial", flat=True)
    )


def test_request_grant_reveal_through_the_api(officer, supervisor):
    reporter = citizen(name="Siti Rahayu")
    officer_client, supervisor_client = client_for(officer), client_for(supervisor)

    created = officer_client.post(
        REQUESTS,
        {
            "pseudonym": reporter.pseudonym,
            "ticket_ref": TICKET,
            "agency": "DINAS-SDA",
            "fields": ["name", "phone"],
            "reason": "Perlu konfirmasi lokasi",
        },
        format="json",
    )
    assert created.status_code == 201, created.json()
    request_id = created.json()["id"]
    listed = supervisor_client.get(REQUESTS).json()["results"]
    granted = supervisor_client.post(f"{REQUESTS}{request_id}/grant/", {}, format="json")
    revealed = _reveal(officer_client, reporter)

    assert [r["id"] for r in listed] == [request_id]
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


def test_reveal_with_session_auth(officer, supervisor):
    reporter = citizen()
    granted_request(reporter=reporter, officer=officer, supervisor=supervisor)
    client = APIClient()
    client.force_login(officer)

    assert _reveal(client, reporter, fields=["phone"]).status_code == 200


def test_reveal_without_a_grant_is_403_and_logged(officer):
    reporter = citizen()

    response = _reveal(client_for(officer), reporter)

    assert response.status_code == 403
    assert response.json()["error"]["code"] == "reveal_denied"
    assert response.json()["error"]["denial"] == "no_grant"
    assert "+62" not in response.content.decode()
    assert _denials() == ["no_grant"]


def test_reveal_with_an_expired_grant_is_403(officer, supervisor, monkeypatch):
    reporter = citizen()
    granted_request(reporter=reporter, officer=officer, supervisor=supervisor)
    later = timezone.now() + timedelta(hours=24, seconds=1)
    monkeypatch.setattr(timezone, "now", lambda: later)

    response = _reveal(client_for(officer), reporter)

    assert response.status_code == 403
    assert _denials() == ["grant_expired"]


def test_reveal_for_another_ticket_is_403(officer, supervisor):
    reporter = citizen()
    granted_request(reporter=reporter, officer=officer, supervisor=supervisor)

    response = _reveal(client_for(officer), reporter, ticket="LW-OTHER1")

    assert response.status_code == 403
    assert _denials() == ["other_ticket"]


def test_reveal_of_a_field_not_granted_is_403(officer, supervisor):
    reporter = citizen()
    granted_request(reporter=reporter, officer=officer, supervisor=supervisor, fields=("phone",))

    assert _reveal(client_for(officer), reporter, fields=["phone", "nik"]).status_code == 403
    assert _denials() == ["field_not_granted"]


def test_a_colleague_cannot_use_someone_elses_grant(officer, supervisor):
    reporter = citizen()
    granted_request(reporter=reporter, officer=officer, supervisor=supervisor)
    colleague = staff_in("DINAS-SDA", "officer")

    assert _reveal(client_for(colleague), reporter).status_code == 403
    assert _denials() == ["no_grant"]


def test_granting_your_own_request_is_403_and_logged(supervisor):
    reporter = citizen()
    client = client_for(supervisor)
    created = client.post(
        REQUESTS,
        {
            "pseudonym": reporter.pseudonym,
            "ticket_ref": TICKET,
            "agency": "DINAS-SDA",
            "fields": ["name"],
            "reason": "x",
        },
        format="json",
    ).json()

    response = client.post(f"{REQUESTS}{created['id']}/grant/", {}, format="json")

    assert response.status_code == 403
    assert response.json()["error"]["denial"] == "self_grant"
    assert RevealRequest.objects.get().granted_at is None
    assert _denials() == ["self_grant"]
    assert _reveal(client, reporter, fields=["name"]).status_code == 403


def test_an_officer_cannot_grant(officer):
    reporter = citizen()
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
    reporter = citizen()
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
    reporter = citizen()
    outsider = staff_in("DINAS-BINAMARGA", "officer")

    response = client_for(outsider).post(
        REQUESTS,
        {
            "pseudonym": reporter.pseudonym,
            "ticket_ref": TICKET,
            "agency": "DINAS-SDA",
            "fields": ["name"],
            "reason": "x",
        },
        format="json",
    )

    assert response.status_code == 403
    assert RevealRequest.objects.count() == 0
    assert _denials() == ["no_permission"]


def test_a_grantor_who_left_the_unit_no_longer_counts(officer, supervisor, sda):
    from apps.accounts.services import membership_remove

    reporter = citizen()
    granted_request(reporter=reporter, officer=officer, supervisor=supervisor)
    membership_remove(user=supervisor, agency=sda)

    assert _reveal(client_for(officer), reporter).status_code == 403
    assert _denials() == ["grantor_not_supervisor"]


def test_a_restricted_reporter_is_never_revealed(officer, supervisor):
    reporter = citizen()
    granted_request(reporter=reporter, officer=officer, supervisor=supervisor)
    services.reporter_set_reveal_restricted(
        reporter=reporter, restricted=True, actor=supervisor, reason="whistle-blower"
    )

    assert _reveal(client_for(officer), reporter).status_code == 403
    assert _denials() == ["restricted"]


def test_reveal_after_erasure_is_410_and_the_old_pseudonym_404(officer, supervisor):
    reporter = citizen()
    old = reporter.pseudonym
    granted_request(reporter=reporter, officer=officer, supervisor=supervisor)
    services.reporter_erase(reporter=reporter, actor=None)
    reporter.refresh_from_db()
    client = client_for(officer)

    tombstone = _reveal(client, reporter)
    reporter.pseudonym = old
    missing = _reveal(client, reporter)

    assert tombstone.status_code == 410
    assert tombstone.json()["error"]["code"] == "reporter_erased"
    assert missing.status_code == 404
    assert _denials() == ["erased"]


def test_citizens_and_anonymous_users_cannot_use_staff_endpoints(api_client):
    reporter = citizen()
    assert _reveal(api_client, reporter).status_code == 401
    assert _reveal(client_for(reporter.user), reporter).status_code == 403
    assert client_for(reporter.user).get(REQUESTS).status_code == 403


def test_unknown_fields_and_agencies_are_400(officer):
    reporter = citizen()
    response = _reveal(client_for(officer), reporter, fields=["password"], agency="NOPE")
    assert response.status_code == 400
    assert set(response.json()["error"]["fields"]) == {"fields", "agency"}
    assert IdentityAccessEvent.objects.count() == 0


def test_a_failing_audit_insert_returns_no_plaintext_and_commits_nothing(officer, supervisor):
    reporter = citizen(name="Siti Rahayu")
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

    response = _reveal(client, reporter)

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
