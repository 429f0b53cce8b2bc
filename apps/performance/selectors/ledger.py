"""Reads of the score ledger: counts per unit or officer, scores, breaches and appeals.

Managers (``OrgRole.MANAGER`` group) see every unit; an officer sees only their own scores
and breaches (docs/conventions.md C11).
"""

from datetime import date
from typing import Any

from django.db.models import Count, F, Q, QuerySet, Sum
from django.db.models.functions import Coalesce

from apps.accounts.models import User
from apps.accounts.selectors import user_is_manager
from apps.core.errors import Forbidden, NotFound
from apps.performance.formula import Counts
from apps.performance.models import Appeal, PerformanceMonth, ScoreEvent, ScoreSnapshot
from apps.sla.models import SlaBreach


def _ledger_counts(qs: QuerySet[ScoreEvent], key: str) -> dict[int, Counts]:
    rows = (
        qs.values(key)
        .annotate(
            on_time=Coalesce(Sum("count", filter=Q(kind=ScoreEvent.Kind.ON_TIME)), 0),
            breaches=Coalesce(Sum("count", filter=Q(kind=ScoreEvent.Kind.BREACH)), 0),
            reopens=Coalesce(Sum("count", filter=Q(kind=ScoreEvent.Kind.REOPEN)), 0),
            ratings=Coalesce(Sum("count", filter=Q(kind=ScoreEvent.Kind.RATING)), 0),
            rating_sum=Coalesce(
                Sum(F("rating") * F("count"), filter=Q(kind=ScoreEvent.Kind.RATING)), 0
            ),
            adjustments=Count("id", filter=Q(source=ScoreEvent.Source.APPEAL)),
        )
        .order_by(key)
    )
    return {
        row[key]: Counts(
            tickets=row["on_time"] + row["breaches"],
            on_time=row["on_time"],
            breaches=row["breaches"],
            reopens=row["reopens"],
            ratings=row["ratings"],
            rating_sum=row["rating_sum"],
            adjustments=row["adjustments"],
        )
        for row in rows
        if row[key] is not None
    }


def counts_by_subject(*, period: date, subject: str) -> dict[int, Counts]:
    """Raw counts per unit (``subject="unit"``) or officer for one month, in one query."""
    key = "agency_id" if subject == "unit" else "officer_id"
    return _ledger_counts(ScoreEvent.objects.filter(period=period), key)


def month_is_closed(*, period: date) -> bool:
    return PerformanceMonth.objects.filter(period=period).exists()


def breach_entry_get_for_officer(*, officer: User, report: str, cycle: int) -> ScoreEvent:
    """The officer's breach row in the ledger for one SLA breach (report and cycle); 404 if none.

    Only the charged officer finds it: anyone else gets the same 404 as a missing breach.
    """
    breach_ids = SlaBreach.objects.filter(report__public_id=report, cycle=cycle).values("pk")
    entry = (
        ScoreEvent.objects.filter(
            source=ScoreEvent.Source.SLA_BREACH,
            kind=ScoreEvent.Kind.BREACH,
            report__public_id=report,
            officer=officer,
            source_id__in=breach_ids,
        )
        .select_related("report")
        .first()
    )
    if entry is None:
        raise NotFound()
    return entry


def appeal_get_for_user(*, user: User, public_id: Any) -> Appeal:
    """One appeal: managers see every appeal, an officer only their own; 404 otherwise."""
    appeals = Appeal.objects.all()
    if not user_is_manager(user=user):
        appeals = appeals.filter(officer=user)
    appeal = appeals.filter(public_id=public_id).first()
    if appeal is None:
        raise NotFound()
    return appeal


def scores_for_user(*, user: User, period: date, subject: str) -> list[dict[str, Any]]:
    """Scores of a month: frozen snapshots if the month is closed, live counts otherwise.

    Managers get every unit or officer; anyone else only their own officer score.
    """
    manager = user_is_manager(user=user)
    if not manager and subject != "officer":
        raise Forbidden()
    closed = month_is_closed(period=period)
    if closed:
        snaps = ScoreSnapshot.objects.filter(period=period).select_related("agency", "officer")
        snaps = (
            snaps.filter(agency__isnull=False)
            if subject == "unit"
            else snaps.filter(officer__isnull=False)
        )
        if not manager:
            snaps = snaps.filter(officer=user)
        return [
            {
                "subject": _subject_label(snap.agency, snap.officer),
                "closed": True,
                "formula_version": snap.formula_version,
                "counts": Counts(
                    tickets=snap.tickets,
                    on_time=snap.on_time,
                    breaches=snap.breaches,
                    reopens=snap.reopens,
                    ratings=snap.ratings,
                    rating_sum=snap.rating_sum,
                    adjustments=snap.adjustments,
                ),
            }
            for snap in snaps.order_by("pk")
        ]
    qs = ScoreEvent.objects.filter(period=period)
    if not manager:
        qs = qs.filter(officer=user)
    key = "agency_id" if subject == "unit" else "officer_id"
    counts = _ledger_counts(qs, key)
    labels = _labels(subject=subject, ids=list(counts))
    return [
        {"subject": labels[pk], "closed": False, "formula_version": None, "counts": c}
        for pk, c in counts.items()
    ]


def _subject_label(agency: Any, officer: Any) -> dict[str, str]:
    if agency is not None:
        return {"kind": "unit", "code": agency.code, "name": agency.name}
    return {"kind": "officer", "code": officer.username, "name": officer.get_full_name()}


def _labels(*, subject: str, ids: list[int]) -> dict[int, dict[str, str]]:
    from apps.accounts.models import Agency

    if subject == "unit":
        return {
            a.pk: _subject_label(a, None)
            for a in Agency.objects.filter(pk__in=ids).only("code", "name")
        }
    return {u.pk: _subject_label(None, u) for u in User.objects.filter(pk__in=ids)}


def breaches_for_officer(*, user: User, period: date) -> QuerySet[ScoreEvent]:
    """The officer's own breach entries of a month, with the report and the rule (reason)."""
    return (
        ScoreEvent.objects.filter(officer=user, period=period, kind=ScoreEvent.Kind.BREACH)
        .select_related("report", "agency")
        .order_by("occurred_at", "pk")
    )
