"""Who a breach is charged to: the holder at the deadline, the grace pass-back, triage."""

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.conf import settings

from apps.accounts.models import Agency
from apps.reports.models import Custody
from apps.sla import services
from apps.sla.models import SlaBreach
from tests.factories import staff_in
from tests.sla.factories import hand_over, make_report

pytestmark = pytest.mark.django_db
JKT = ZoneInfo("Asia/Jakarta")
T0 = datetime(2026, 7, 6, 9, 0, tzinfo=JKT)
DUE = T0 + timedelta(days=6)
NOW = DUE + timedelta(minutes=5)


def _two_units() -> tuple[Agency, Agency]:
    first, second = Agency.objects.exclude(code=settings.TRIAGE_AGENCY_CODE).order_by("code")[:2]
    return first, second


def _breach() -> SlaBreach:
    services.sla_sweep(now=NOW)
    return SlaBreach.objects.get()


def test_the_unit_and_officer_holding_at_the_deadline_are_charged() -> None:
    first, second = _two_units()
    officer = staff_in(second.code)
    report = make_report(created_at=T0, agency=first)
    handed = hand_over(report=report, at=T0 + timedelta(days=2), agency=second, officer=officer)
    breach = _breach()
    assert (breach.agency_id, breach.officer_id, breach.rule, breach.custody_id) == (
        second.pk,
        officer.pk,
        "holder_at_deadline",
        handed.pk,
    )


def test_a_holder_with_less_than_a_day_left_passes_the_charge_back() -> None:
    first, second = _two_units()
    officer = staff_in(first.code)
    report = make_report(created_at=T0, agency=first, custody=False)
    earlier = Custody.objects.create(report=report, agency=first, officer=officer, started_at=T0)
    hand_over(report=report, at=DUE - timedelta(hours=23), agency=second)
    breach = _breach()
    assert (breach.agency_id, breach.officer_id, breach.rule, breach.custody_id) == (
        first.pk,
        officer.pk,
        "grace_pass_back",
        earlier.pk,
    )
    assert breach.holder_agency_id == second.pk


def test_exactly_one_day_left_is_enough_to_be_charged() -> None:
    first, second = _two_units()
    report = make_report(created_at=T0, agency=first)
    hand_over(report=report, at=DUE - timedelta(days=1), agency=second)
    assert (_breach().agency_id, SlaBreach.objects.get().rule) == (
        second.pk,
        "holder_at_deadline",
    )


def test_pass_back_skips_every_late_holder() -> None:
    first, second = _two_units()
    triage = Agency.objects.get(code=settings.TRIAGE_AGENCY_CODE)
    report = make_report(created_at=T0, agency=first)
    hand_over(report=report, at=DUE - timedelta(hours=20), agency=second)
    hand_over(report=report, at=DUE - timedelta(hours=2), agency=triage)
    breach = _breach()
    assert (breach.agency_id, breach.rule, breach.holder_agency_id) == (
        first.pk,
        "grace_pass_back",
        triage.pk,
    )


def test_time_before_the_first_routing_is_charged_to_triage() -> None:
    first, _second = _two_units()
    report = make_report(created_at=T0, agency=first, custody=False)
    Custody.objects.create(report=report, agency=first, started_at=DUE - timedelta(hours=3))
    breach = _breach()
    triage = Agency.objects.get(code=settings.TRIAGE_AGENCY_CODE)
    assert (breach.agency_id, breach.officer_id, breach.rule) == (
        triage.pk,
        None,
        "triage_before_routing",
    )


def test_no_custody_at_the_deadline_is_charged_to_triage() -> None:
    first, _second = _two_units()
    report = make_report(created_at=T0, agency=first)
    Custody.objects.filter(report=report).update(ended_at=T0 + timedelta(days=1))
    breach = _breach()
    assert (breach.agency.code, breach.rule) == (settings.TRIAGE_AGENCY_CODE, "triage_no_custody")
