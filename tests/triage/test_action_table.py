"""The action table (apps/triage/actions.py): one entry per officer action, read by the admin
ticket page and the staff API; the page's forms post themselves; confirmations say what
happened; a hand-over offers exactly the units it accepts and the timeline names the unit."""

import re
from html.parser import HTMLParser
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from apps.accounts.models import Agency, User
from apps.reports.models import Report
from apps.triage.actions import ACTIONS
from apps.triage.selectors.scope import disposisi_targets
from tests.triage.triage_helpers import BINA_MARGA_JAKPUS, SDA, agency, officer, ticket

pytestmark = pytest.mark.django_db

CHANGELIST = "/admin/reports/report/"


def _client(user: User, language: str = "en") -> Client:
    client = Client(headers={"accept-language": language})
    client.force_login(user)
    return client


def _messages(response: Any) -> list[str]:
    return [str(m) for m in response.context["messages"]]


def _act(client: Client, report: Report, action: str, **data: Any) -> Any:
    return client.post(f"{CHANGELIST}{report.pk}/act/{action}/", data, follow=True)


class _FormNesting(HTMLParser):
    """The ids of forms opened while another form is open (browsers drop those)."""

    def __init__(self) -> None:
        super().__init__()
        self.open: list[str] = []
        self.nested: list[str] = []
        self.action_forms: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag != "form":
            return
        form_id = dict(attrs).get("id") or ""
        if self.open:
            self.nested.append(form_id)
        if form_id.startswith("lw-") and form_id.endswith("-form"):
            self.action_forms.append(form_id)
        self.open.append(form_id)

    def handle_endtag(self, tag: str) -> None:
        if tag == "form" and self.open:
            self.open.pop()


def test_every_action_has_one_api_route_and_one_admin_route() -> None:
    report = ticket()
    for name, action in ACTIONS.items():
        api = reverse(f"staff-ticket-{action.path}", kwargs={"public_id": report.public_id})
        assert api == f"/api/v1/staff/tickets/{report.public_id}/{action.path}/"
        admin = reverse("admin:reports_report_act", args=[report.pk, name])
        assert admin == f"{CHANGELIST}{report.pk}/act/{name}/"
        assert action.label
        assert action.doc


def test_the_ticket_page_forms_are_not_nested_in_the_change_form() -> None:
    report = ticket()
    page = _client(officer()).get(f"{CHANGELIST}{report.pk}/change/").content.decode()
    parser = _FormNesting()
    parser.feed(page)
    assert "lw-take-form" in parser.action_forms
    assert "lw-start-form" in parser.action_forms
    assert parser.nested == []


@pytest.mark.parametrize(
    ("language", "expected"),
    [("en", "{id}: handed to {unit}."), ("id", "{id}: dialihkan ke {unit}.")],
)
def test_a_hand_over_confirms_the_receiving_unit_by_name(language: str, expected: str) -> None:
    report = ticket()
    target = agency(BINA_MARGA_JAKPUS)
    response = _act(
        _client(officer(), language), report, "koordinasi", to_agency=target.code, reason="Jalan"
    )
    unit = target.short_name or target.name
    assert _messages(response) == [expected.format(id=report.public_id, unit=unit)]


def test_confirmations_say_what_happened() -> None:
    report = ticket()
    client = _client(officer(role="supervisor"), "id")
    started = _act(client, report, "start", note="Petugas menuju lokasi")
    assert _messages(started) == [f"{report.public_id}: diproses."]
    returned = _act(client, report, "return", reason_code="not_our_sector")
    assert _messages(returned) == [f"{report.public_id}: dikembalikan ke triase."]
    assert all("Selesai" not in m for m in _messages(started) + _messages(returned))


def _picker(page: str, action: str) -> set[str]:
    listed = re.search(rf'<datalist id="lw-{action}-units">(.*?)</datalist>', page, re.S)
    assert listed is not None, action
    return set(re.findall(r'<option value="([^"]+)">', listed.group(1)))


def test_the_unit_pickers_offer_exactly_the_units_each_action_accepts() -> None:
    dinas = agency(SDA)
    report = ticket()
    Report.objects.filter(pk=report.pk).update(agency=dinas)
    report.refresh_from_db()
    page = _client(officer(SDA)).get(f"{CHANGELIST}{report.pk}/change/").content.decode()
    assert _picker(page, "disposisi") == set(
        disposisi_targets(agency=dinas).filter(is_active=True).values_list("code", flat=True)
    )
    assert _picker(page, "koordinasi") == set(
        Agency.objects.filter(is_active=True).exclude(pk=dinas.pk).values_list("code", flat=True)
    )
    assert 'name="to_agency" list="lw-koordinasi-units"' in page


def test_the_timeline_names_the_unit_a_ticket_went_to() -> None:
    report = ticket()
    target = agency(BINA_MARGA_JAKPUS)
    _act(_client(officer()), report, "koordinasi", to_agency=target.code, reason="Jalan")
    page = _client(officer(BINA_MARGA_JAKPUS)).get(f"{CHANGELIST}{report.pk}/change/")
    assert f'→ <span class="lw-to-unit">{target.name}</span>' in page.content.decode()


@pytest.mark.parametrize(
    ("action", "data"),
    [
        ("koordinasi", {"to_agency": "NO-SUCH-UNIT", "reason": "Jalan"}),
        ("assign", {"assignee": "nobody-here"}),
        ("merge", {"parent_id": "LW-XXXXXX"}),
        ("complete", {"note": "Beres"}),
        ("complete", {"note": "Beres", "lat": "x", "lon": "1"}),
    ],
)
def test_refusals_never_show_a_field_key(action: str, data: dict[str, str]) -> None:
    report = ticket()
    client = _client(officer(role="supervisor"), "id")
    _act(client, report, "start", note="Mulai")
    [message] = _messages(_act(client, report, action, **data))
    for key in ("to_agency", "assignee", "parent_id", "parent:", "photo:", "lat:", "lon:"):
        assert key not in message, message
