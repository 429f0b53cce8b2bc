"""Admin: the DPO reads the access log and erases; nobody edits; no personal data shown."""

import pytest

from apps.accounts.roles import OrgRole
from apps.accounts.services import user_grant_org_role
from apps.identity.models import IdentityAccessEvent, Reporter
from tests.factories import StaffFactory
from tests.identity.factories import citizen, granted_request

pytestmark = pytest.mark.django_db


@pytest.fixture
def dpo():
    user = StaffFactory()
    user_grant_org_role(user=user, role=OrgRole.DPO)
    return user


@pytest.fixture
def dpo_client(client, dpo):
    client.force_login(dpo)
    return client


def test_the_dpo_reads_the_access_log_but_cannot_change_it(dpo_client, officer, supervisor):
    reporter = citizen()
    granted_request(reporter=reporter, officer=officer, supervisor=supervisor)
    event = IdentityAccessEvent.objects.order_by("id").first()

    listing = dpo_client.get("/admin/identity/identityaccessevent/")
    detail = dpo_client.get(f"/admin/identity/identityaccessevent/{event.pk}/change/")
    post = dpo_client.post(
        f"/admin/identity/identityaccessevent/{event.pk}/change/", {"reason": "edited"}
    )

    assert listing.status_code == 200
    assert reporter.pseudonym in listing.content.decode()
    assert detail.status_code == 200
    assert post.status_code == 403
    assert dpo_client.get("/admin/identity/identityaccessevent/add/").status_code == 403
    assert (
        dpo_client.get(f"/admin/identity/identityaccessevent/{event.pk}/delete/").status_code == 403
    )
    assert IdentityAccessEvent.objects.get(pk=event.pk).reason == event.reason


def test_other_staff_do_not_see_the_access_log(client, officer):
    client.force_login(officer)
    assert client.get("/admin/identity/identityaccessevent/").status_code == 403
    assert client.get("/admin/identity/revealrequest/").status_code == 403


def test_identity_tables_are_not_in_the_admin(dpo_client):
    for model in ["reporteridentity", "reporterkey", "blindindex", "otpchallenge", "inboxmessage"]:
        assert dpo_client.get(f"/admin/identity/{model}/").status_code == 404


def test_the_reporter_page_shows_the_pseudonym_only(dpo_client):
    reporter = citizen(name="Siti Rahayu", email="siti@example.id")

    page = dpo_client.get(f"/admin/identity/reporter/{reporter.pk}/change/").content.decode()

    assert reporter.pseudonym in page
    assert "Siti" not in page
    assert "siti@" not in page
    assert reporter.user.username not in page


def test_the_dpo_erases_from_the_admin_after_confirming(dpo_client, dpo):
    reporter = citizen()
    form = {"action": "erase_reporters", "_selected_action": [reporter.pk]}

    confirm = dpo_client.post("/admin/identity/reporter/", form)
    assert confirm.status_code == 200
    assert reporter.pseudonym in confirm.content.decode()
    assert Reporter.objects.get(pk=reporter.pk).erased_at is None

    done = dpo_client.post("/admin/identity/reporter/", {**form, "confirm": "yes"})

    assert done.status_code == 302
    erased = Reporter.objects.get(pk=reporter.pk)
    assert erased.erased_at is not None
    event = IdentityAccessEvent.objects.get(reporter=erased, kind="erased")
    assert (event.actor_id, event.detail) == (dpo.pk, {"by": "staff"})


def test_staff_without_the_dpo_role_cannot_erase(client, officer):
    from django.contrib.auth.models import Permission

    officer.user_permissions.add(Permission.objects.get(codename="view_reporter"))
    client.force_login(officer)
    reporter = citizen()

    listing = client.get("/admin/identity/reporter/")
    client.post(
        "/admin/identity/reporter/",
        {"action": "erase_reporters", "_selected_action": [reporter.pk], "confirm": "yes"},
    )

    assert listing.status_code == 200
    assert "erase_reporters" not in listing.content.decode()
    assert Reporter.objects.get(pk=reporter.pk).erased_at is None


def test_the_dpo_finds_a_reporter_or_an_access_event_by_identifier_in_any_case(
    dpo_client, officer, supervisor
):
    reporter, other = citizen(), citizen()
    granted_request(reporter=reporter, officer=officer, supervisor=supervisor)
    ticket_ref = IdentityAccessEvent.objects.filter(reporter=reporter).first().ticket_ref
    typed = reporter.pseudonym.lower()  # "warga-7k3qx9" for "Warga-7K3QX9"

    reporters = dpo_client.get("/admin/identity/reporter/", {"q": f" {typed} "})
    events = dpo_client.get("/admin/identity/identityaccessevent/", {"q": typed})
    requests = dpo_client.get("/admin/identity/revealrequest/", {"q": ticket_ref.lower()})

    assert [r.pk for r in reporters.context["cl"].result_list] == [reporter.pk]
    assert other.pseudonym not in reporters.content.decode()
    assert {e.reporter_id for e in events.context["cl"].result_list} == {reporter.pk}
    assert [r.ticket_ref for r in requests.context["cl"].result_list] == [ticket_ref]
