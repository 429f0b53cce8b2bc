"""Bad input to the triage admin is never a 500 (docs/triage.md, "The admin").

The queue reads only its own filters' parameters: anything else (a model field such as
``reporter``, a lookup such as ``created_at__year``) is dropped with a message naming it, and
the queue is shown without it (never a bare 400 page, never a filter on the reporter). A
declared filter ignores a value it does not offer (a NUL byte, an unknown code, a malformed
date). Every ticket action and bulk action refuses a bad value with an admin error message and
changes nothing: status, unit, assignee, parent, events, custody, photos.
"""

import re
from typing import Any

import pytest
from django.test import Client

from apps.accounts.models import User
from apps.reports.models import Report
from apps.triage import services
from apps.triage.admin.queue import QUEUE_PARAMETERS
from tests.conftest import MONAS, TEBET_ECO_PARK
from tests.triage.triage_helpers import (
    BINA_MARGA_JAKPUS,
    SDA_JAKPUS,
    after_photo,
    custody_rows,
    near,
    officer,
    ticket,
)

pytestmark = pytest.mark.django_db

CHANGELIST = "/admin/reports/report/"


def _client(user: User) -> Client:
    client = Client(headers={"accept-language": "en"})
    client.force_login(user)
    return client


def _ids(response: Any) -> set[str]:
    return set(
        re.findall(r'field-public_id"><a href="[^"]*">(LW-\w{6})<', response.content.decode())
    )


def _messages(response: Any) -> list[tuple[str, str]]:
    return [(m.level_tag, str(m)) for m in response.context["messages"]]


def _state(report: Report) -> tuple[Any, ...]:
    """Everything an action could change on a ticket."""
    report = Report.objects.get(pk=report.pk)
    return (
        report.status,
        report.agency_id,
        report.assignee_id,
        report.parent_id,
        report.completed_at,
        list(report.events.order_by("pk").values_list("pk", flat=True)),
        custody_rows(report),
        report.photos.count(),
        report.messages.count(),
    )


def _queue() -> tuple[Client, Report, Report]:
    """An officer's client and two tickets of their unit, in Jakarta Pusat and Selatan."""
    gambir, tebet = ticket(), ticket(location=TEBET_ECO_PARK, at=SDA_JAKPUS)
    return _client(officer()), gambir, tebet


# ---- the queue's query string ----------------------------------------------------------------


@pytest.mark.parametrize(
    "query",
    [
        "reporter={reporter}",
        "reporter__id__lte={reporter}",
        "reporter__pseudonym__startswith=W",
        "status=%00",
        "status=proses",
        "status__isnull=%00",
        "public_id=%00",
        "description=%00",
        "address_hint__icontains=%00",
        "created_at__year=0",
        "created_at__year=99999",
        "assignee__username=x",
        "no_such_parameter=1",
        "kota=31.71&reporter={reporter}",
    ],
)
def test_the_queue_drops_parameters_its_filters_do_not_read(query: str) -> None:
    client, gambir, _tebet = _queue()
    url = f"{CHANGELIST}?{query.format(reporter=gambir.reporter_id)}"
    response = client.get(url, HTTP_ACCEPT_LANGUAGE="id")
    assert response.status_code == 302  # to the queue without the unknown parameters
    kept = response["Location"]
    assert "reporter" not in kept
    assert kept.startswith(CHANGELIST)
    if "kota=31.71" in query:
        assert kept == f"{CHANGELIST}?kota=31.71"
    page = client.get(kept, HTTP_ACCEPT_LANGUAGE="id")
    assert page.status_code == 200
    html = page.content.decode()
    assert '<header id="header">' in html  # the admin's frame
    name = next(p.split("=")[0] for p in query.split("&") if p.split("=")[0] != "kota")
    assert f"Antrean ini tidak punya filter bernama “{name}”" in html


def test_the_queue_accepts_exactly_its_filters_parameters() -> None:
    client, _gambir, _tebet = _queue()
    # the unit and assignee filters show once a link names one (the manager report's links)
    linked = {"unit": SDA_JAKPUS, "assignee": User.objects.earliest("pk").username}
    response = client.get(CHANGELIST, {"kota": "31.71", "kecamatan": "31.71.01", **linked})
    specs = response.context["cl"].filter_specs
    assert {name for spec in specs for name in spec.expected_parameters()} == QUEUE_PARAMETERS


@pytest.mark.parametrize(
    "query",
    [
        "kota=%00",
        "kecamatan=%00",
        "kelurahan=%00",
        "kota=%00&kecamatan=%00&kelurahan=%00",
        "category=%00",
        "status__exact=%00",
        "status__exact=bogus",
        "sla=%00",
        "created_from=%00&created_to=%00",
        "created_from=99999-01-01",
        "q=%00",
        "o=%00",
        "p=%00",
        "category=no-such-category",
        "kota=99",
        "kecamatan=31.99.99",
        "kelurahan=31.71.01.9999",
        "kota=31.71&kelurahan=31.71.01.1001",  # a kelurahan without its kecamatan chosen
    ],
)
def test_filters_ignore_values_they_do_not_offer(query: str) -> None:
    client, gambir, tebet = _queue()
    response = client.get(f"{CHANGELIST}?{query}")
    assert response.status_code == 200
    if query.startswith("kota=31.71"):
        assert _ids(response) == {gambir.public_id}  # the kota applies, its child too
    else:
        assert _ids(response) == {gambir.public_id, tebet.public_id}


def test_an_ignored_value_shows_all_and_the_valid_filters_still_apply() -> None:
    client, gambir, tebet = _queue()
    user = officer()
    services.report_start(report=tebet, actor=user, note="Mulai")
    response = _client(user).get(f"{CHANGELIST}?status__exact=%00&status__exact=proses")
    assert _ids(response) == {tebet.public_id}  # the offered value of the two applies
    response = client.get(f"{CHANGELIST}?status__exact=%00&kota=31.74")
    assert _ids(response) == {tebet.public_id}
    status, *_ = response.context["cl"].filter_specs
    assert next(status.choices(response.context["cl"]))["selected"] is True  # "All"
    # a kecamatan of another kota is ignored; under a kota that names no area it applies
    assert _ids(client.get(f"{CHANGELIST}?kota=31.74&kecamatan=31.71.01")) == {tebet.public_id}
    assert _ids(client.get(f"{CHANGELIST}?kota=%00&kecamatan=31.71.01")) == {gambir.public_id}
    assert _ids(client.get(f"{CHANGELIST}?kota=99&kecamatan=31.71.01")) == {gambir.public_id}


def test_extreme_dates_are_accepted() -> None:
    client, gambir, tebet = _queue()
    response = client.get(CHANGELIST, {"created_from": "0001-01-01", "created_to": "9999-12-31"})
    assert _ids(response) == {gambir.public_id, tebet.public_id}


# ---- ticket actions ----------------------------------------------------------------------------

NUL = "Null characters are not allowed."
NO_MATCH = "This value does not match the required pattern."
NUMBER = "A valid number is required."


def _act(client: Client, report: Report, action: str, **data: Any) -> Any:
    response = client.post(f"{CHANGELIST}{report.pk}/act/{action}/", data, follow=True)
    assert response.status_code == 200
    return response


@pytest.mark.parametrize(
    ("action", "data", "message"),
    [
        ("koordinasi", {"to_agency": "\x00", "reason": "Jalan"}, f"Receiving unit: {NUL}"),
        ("disposisi", {"to_agency": "SUDIN\x00"}, f"Receiving unit: {NUL}"),
        (
            "koordinasi",
            {"to_agency": "X" * 41, "reason": "Jalan"},
            "Receiving unit: Ensure this field has no more than 40 characters.",
        ),
        (
            "koordinasi",
            {"to_agency": "NO-SUCH-UNIT", "reason": "Jalan"},
            "Receiving unit: Unknown unit code.",
        ),
        ("assign", {"assignee": "\x00"}, f"Officer: {NUL}"),
        ("assign", {"assignee": "nobody-here"}, "Officer: Unknown officer."),
        ("merge", {"parent_id": "\x00"}, f"Parent ticket: {NUL} {NO_MATCH}"),
        ("merge", {"parent_id": "LW-\x00"}, f"Parent ticket: {NUL} {NO_MATCH}"),
        ("merge", {"parent_id": "LW-XXXXXX"}, "Parent ticket: No such ticket in your scope."),
        ("start", {"note": "Mulai\x00"}, f"Note: {NUL}"),
        ("reject", {"reason_code": "\x00"}, 'Reason: "\x00" is not a valid choice.'),
    ],
)
def test_ticket_actions_refuse_bad_values_and_change_nothing(
    action: str, data: dict[str, str], message: str
) -> None:
    report = ticket()
    client = _client(officer(role="supervisor"))
    before = _state(report)
    response = _act(client, report, action, **data)
    assert _messages(response) == [("error", f"Invalid input. {message}")]
    assert _state(report) == before


@pytest.mark.parametrize(
    ("lat", "lon", "message"),
    [
        ("inf", "106.8272", f"Location: {NUMBER}"),
        ("1e400", "106.8272", f"Location: {NUMBER}"),
        ("-1e400", "106.8272", f"Location: {NUMBER}"),
        ("nan", "106.8272", f"Location: {NUMBER}"),
        ("-6.1754", "-inf", f"Location: {NUMBER}"),
        ("-6.1754", "Infinity", f"Location: {NUMBER}"),
        ("\x00", "106.8272", f"Location: {NUMBER}"),
        ("-91", "106.8272", "Location: Ensure this value is greater than or equal to -90."),
        ("-6.1754", "181", "Location: Ensure this value is less than or equal to 180."),
        ("-6.1754", "", "Location: Give both lat and lon, or neither."),
        ("", "106.8272", "Location: Give both lat and lon, or neither."),
    ],
)
def test_complete_refuses_a_geotag_that_is_not_a_place(lat: str, lon: str, message: str) -> None:
    report = ticket()
    user = officer()
    services.report_start(report=report, actor=user, note="Mulai")
    before = _state(report)
    response = _act(
        _client(user), report, "complete", note="Beres", photo=after_photo(), lat=lat, lon=lon
    )
    assert _messages(response) == [("error", f"Invalid input. {message}")]
    assert _state(report) == before
    assert before[0] == Report.Status.PROSES


def test_action_forms_pass_units_officers_parents_and_the_geotag() -> None:
    boss, colleague = officer(role="supervisor"), officer()
    client = _client(boss)
    report, duplicate, moving, done = ticket(), ticket(), ticket(), ticket()
    response = _act(client, report, "assign", assignee=colleague.username)
    assert _messages(response) == [
        ("info", f"{report.public_id}: assigned to {colleague.username}.")
    ]
    _act(client, duplicate, "merge", parent_id=f" {report.public_id} ")
    handed_over = client.post(
        f"{CHANGELIST}{moving.pk}/act/koordinasi/",
        {"to_agency": BINA_MARGA_JAKPUS, "reason": "Jalan amblas"},
    )  # the ticket leaves the unit's scope: back to the queue, not to a 404 ticket page
    assert (handed_over.status_code, handed_over["Location"]) == (302, CHANGELIST)
    services.report_start(report=done, actor=boss, note="Mulai")
    lon, lat = near(MONAS, 20)
    # a photo without GPS is placed by the officer's geotag
    _act(client, done, "complete", note="Beres", photo=after_photo(), lat=str(lat), lon=str(lon))
    report.refresh_from_db()
    duplicate.refresh_from_db()
    moving.refresh_from_db()
    done.refresh_from_db()
    assert report.assignee == colleague
    assert duplicate.parent == report
    assert moving.agency.code == BINA_MARGA_JAKPUS
    assert done.status == Report.Status.SELESAI


# ---- bulk actions ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "selected", ["\x00", "", "abc", "-1", "0", "1.5", " 1", "\u0661", str(2**63), "9" * 30]
)
def test_bulk_actions_refuse_a_malformed_selection(selected: str) -> None:
    report = ticket()
    client = _client(officer(role="supervisor"))
    before = _state(report)
    response = client.post(
        CHANGELIST,
        {"action": "bulk_take", "_selected_action": [report.pk, selected], "index": 0},
        follow=True,
    )
    assert response.redirect_chain == [(CHANGELIST, 302)]  # as for any refused action
    assert _messages(response) == [("error", "Select tickets from the list.")]
    assert _state(report) == before


@pytest.mark.parametrize(
    ("assignee", "message"),
    [
        ("\x00", f"assignee: {NUL}"),
        ("x" * 151, "assignee: Ensure this value has at most 150 characters (it has 151)."),
        ("", "Name an officer (username)."),
        ("nobody-here", "Name an officer (username)."),
    ],
)
def test_bulk_assign_refuses_a_bad_officer_name(assignee: str, message: str) -> None:
    report = ticket()
    client = _client(officer(role="supervisor"))
    before = _state(report)
    response = client.post(
        CHANGELIST,
        {
            "action": "bulk_assign",
            "_selected_action": [report.pk],
            "assignee": assignee,
            "index": 0,
        },
        follow=True,
    )
    assert response.status_code == 200
    assert _messages(response) == [("error", message)]
    assert _state(report) == before
