"""Who a breach is charged to: the holder at the deadline, the grace pass-back, triage."""

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.conf import settings

from apps.accounts.models import Agency
from apps.performance import services as performance_services
from apps.performance.models import ScoreEvent
from apps.reports.models import Custody
from apps.sla import services
from apps.sla.models import SlaBreach
from apps.sla.services.attribution import UNDECIDED
from tests.factories import staff_in
from tests.sla.factories import hand_over, make_report, transfer

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


# --- "a bukan wewenang return that triage overturns counts against the unit that returned it"


def _triage() -> Agency:
    return Agency.objects.get(code=settings.TRIAGE_AGENCY_CODE)


def test_overturned_return_held_by_triage_at_the_deadline_is_charged_to_the_returning_unit() -> (
    None
):
    first, _second = _two_units()
    triage = _triage()
    returner = staff_in(first.code)
    triage_officer = staff_in(triage.code)
    report = make_report(created_at=T0, agency=first)
    transfer(
        report=report,
        at=T0 + timedelta(days=4),
        from_agency=first,
        to_agency=triage,
        mode="bukan_wewenang",
        actor=returner,
    )
    # a triage officer claims it: the triage hold spans two custody intervals
    claimed = hand_over(
        report=report, at=T0 + timedelta(days=5), agency=triage, officer=triage_officer
    )
    services.sla_sweep(now=NOW)
    breach = SlaBreach.objects.get()
    # triage still deciding: charged to triage, provisional; the ledger waits
    assert (breach.agency_id, breach.rule, breach.provisional, breach.custody_id) == (
        triage.pk,
        "holder_at_deadline",
        True,
        claimed.pk,
    )
    assert performance_services.performance_ledger_sync(now=NOW).breaches == 0
    returned_custody = Custody.objects.get(report=report, agency=first)

    transfer(
        report=report,
        at=DUE + timedelta(hours=3),
        from_agency=triage,
        to_agency=first,
        mode="koordinasi",
        actor=triage_officer,
    )
    result = services.sla_sweep(now=DUE + timedelta(hours=4))
    assert (result.breaches, result.breaches_settled) == (0, 1)
    breach.refresh_from_db()
    assert (
        breach.agency_id,
        breach.officer_id,
        breach.rule,
        breach.provisional,
        breach.custody_id,
        breach.holder_agency_id,
    ) == (first.pk, returner.pk, "bukan_wewenang_overturned", False, returned_custody.pk, triage.pk)
    assert performance_services.performance_ledger_sync(now=DUE + timedelta(hours=4)).breaches == 1
    entry = ScoreEvent.objects.get(kind="breach")
    assert (entry.agency_id, entry.officer_id, entry.note) == (
        first.pk,
        returner.pk,
        "bukan_wewenang_overturned",
    )
    assert services.sla_sweep(now=DUE + timedelta(hours=5)).breaches_settled == 0


def test_upheld_return_stays_with_triage() -> None:
    first, second = _two_units()
    triage = _triage()
    report = make_report(created_at=T0, agency=first)
    transfer(
        report=report,
        at=T0 + timedelta(days=4),
        from_agency=first,
        to_agency=triage,
        mode="bukan_wewenang",
    )
    services.sla_sweep(now=NOW)
    transfer(
        report=report,
        at=DUE + timedelta(hours=1),
        from_agency=triage,
        to_agency=second,
        mode="koordinasi",
    )
    assert services.sla_sweep(now=DUE + timedelta(hours=2)).breaches_settled == 1
    breach = SlaBreach.objects.get()
    assert (breach.agency_id, breach.rule, breach.provisional) == (
        triage.pk,
        "holder_at_deadline",
        False,
    )
    assert performance_services.performance_ledger_sync(now=DUE + timedelta(hours=2)).breaches == 1


def test_sent_back_with_too_little_time_left_the_pass_back_lands_on_the_returning_unit() -> None:
    first, _second = _two_units()
    triage = _triage()
    returner = staff_in(first.code)
    report = make_report(created_at=T0, agency=first)
    transfer(
        report=report,
        at=T0 + timedelta(days=1),
        from_agency=first,
        to_agency=triage,
        mode="bukan_wewenang",
        actor=returner,
    )
    # triage sits on it for four days, then overturns with 20 hours left
    transfer(
        report=report,
        at=DUE - timedelta(hours=20),
        from_agency=triage,
        to_agency=first,
        mode="koordinasi",
    )
    breach = _breach()
    assert (breach.agency_id, breach.officer_id, breach.rule, breach.provisional) == (
        first.pk,
        returner.pk,
        "bukan_wewenang_overturned",
        False,
    )


def test_a_koordinasi_to_triage_is_not_a_bukan_wewenang_return() -> None:
    first, _second = _two_units()
    triage = _triage()
    report = make_report(created_at=T0, agency=first)
    transfer(
        report=report,
        at=T0 + timedelta(days=1),
        from_agency=first,
        to_agency=triage,
        mode="koordinasi",
    )
    transfer(
        report=report,
        at=DUE - timedelta(hours=20),
        from_agency=triage,
        to_agency=first,
        mode="koordinasi",
    )
    breach = _breach()
    assert (breach.agency_id, breach.rule, breach.provisional) == (
        triage.pk,
        "grace_pass_back",
        False,
    )


def test_the_rule_reads_the_events_the_triage_services_write() -> None:
    from apps.sla.services.attribution import return_decision
    from apps.triage import services as triage_services

    first, _second = _two_units()
    triage = _triage()
    returner = staff_in(first.code)
    triage_officer = staff_in(triage.code)
    report = make_report(created_at=T0, agency=first)
    triage_services.report_return_to_triage(
        report=report, actor=returner, reason_code="not_our_sector"
    )
    hold = Custody.objects.get(report=report, agency=triage)
    assert return_decision(report_id=report.pk, custody_id=hold.pk, triage_id=triage.pk) == (
        UNDECIDED
    )
    report.refresh_from_db()
    triage_services.report_koordinasi(
        report=report, actor=triage_officer, to_agency=first, reason="Ini wewenang Anda"
    )
    decision = return_decision(report_id=report.pk, custody_id=hold.pk, triage_id=triage.pk)
    assert (decision.overturned, decision.returning_agency_id, decision.returning_officer_id) == (
        True,
        first.pk,
        returner.pk,
    )
