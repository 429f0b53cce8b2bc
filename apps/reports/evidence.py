"""CCTV evidence for tickets (docs/cctv.md): automatic linking, manual links, holds.

After a report is accepted, intake queues ``report_link_clips`` through the transactional
outbox (``LINK_HANDLER``), so the link is made seconds later by a worker, and never lost if
Redis is down. The same handler runs again when an officer corrects the place or time, when
duplicates are merged, and when a requested clip arrives (``report_clips_arrived``, which
``apps.cctv`` calls through ``CCTV_CLIP_ARRIVED_HANDLER``).

Linking is place and time only: the cameras whose view sector contains the point and the
clips overlapping the incident time ± ``CCTV_LINK_WINDOW``. A merged ticket links for its own
point and for each duplicate's. The automatic pass never undoes a manual decision.
"""

import logging
from dataclasses import dataclass
from datetime import datetime

from django.conf import settings
from django.contrib.gis.geos import Point
from django.db import transaction
from django.db.models import (
    Case,
    Count,
    DateTimeField,
    ExpressionWrapper,
    Max,
    Q,
    QuerySet,
    Value,
    When,
)
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from apps.accounts.models import User
from apps.cctv import media
from apps.cctv import selectors as cctv_selectors
from apps.cctv import services as cctv_services
from apps.cctv.models import HOLD_INDEFINITE, Clip
from apps.core import outbox
from apps.core.errors import ApplicationError, NotFound
from apps.core.models import OutboxMessage
from apps.core.text import text_clean
from apps.reports.models import ClipPlay, Report, ReportClip
from apps.reports.services.common import lock

logger = logging.getLogger(__name__)

LINK_HANDLER = "apps.reports.evidence.report_link_clips"
REF_PREFIX = "report:"
NOTE_MAX = 2000


def ref_for(report_id: int) -> str:
    return f"{REF_PREFIX}{report_id}"


def link_later(*, report_id: int, dedup_key: str | None = None) -> None:
    """Queue (re)linking of a ticket; call inside the transaction that changed it."""
    outbox.enqueue(handler=LINK_HANDLER, payload={"report_id": report_id}, dedup_key=dedup_key)


def first_link_message(*, report: Report, at: datetime) -> OutboxMessage:
    """The outbox row that links a new ticket, for intake to store in the report's own INSERT
    (``outbox.message_new``). Its primary key is not known yet, so the row names the ticket by
    its public id, unique from the start."""
    return outbox.message_new(
        handler=LINK_HANDLER,
        payload={"report_public_id": report.public_id},
        dedup_key=f"report:{report.public_id}:cctv-link",
        at=at,
    )


# ---- the automatic pass --------------------------------------------------------------------


@dataclass(frozen=True)
class _Candidate:
    clip_id: int
    camera_id: int
    reason: str
    distance_m: float
    bearing_deg: float | None
    overlap_s: float
    offset_s: float


def _moments(report: Report) -> list[tuple[Point, datetime]]:
    """The places and times to search: the ticket's own and each merged duplicate's. Only
    points the reporter gave: a report placed by its address alone (docs/open311.md) says
    nothing of which cameras saw it."""
    duplicates = Report.objects.filter(parent_id=report.pk).only(
        "location", "location_precision", "occurred_at"
    )
    return [
        (r.location, r.occurred_at)
        for r in [report, *duplicates]
        if r.location is not None and r.location_is_exact
    ]


def report_link_clips(*, report_id: int | None = None, report_public_id: str = "") -> None:
    """Outbox handler: make the ticket's automatic links and clip requests match the cameras
    that could have seen it. Idempotent; runs inside the outbox delivery's transaction.

    The ticket is named by its id, or by its public id (a new ticket's first linking)."""
    tickets = Report.objects.all()
    if report_id is not None:
        tickets = tickets.filter(pk=report_id)
    else:
        tickets = tickets.filter(public_id=report_public_id)
    report = tickets.first()
    if report is None:
        return
    with transaction.atomic():
        report = lock(report)
        if report.parent_id is not None:
            # Merged: the parent carries the evidence now (it searches this point too).
            _apply(report=report, candidates={}, wanted=[])
            link_later(report_id=report.parent_id)
            return
        candidates: dict[int, _Candidate] = {}
        wanted: list[cctv_services.Wanted] = []
        window = settings.CCTV_LINK_WINDOW
        for point, at in _moments(report):
            for match in cctv_selectors.camera_matches(point=point, at=at):
                if not match.clips and not match.down_at_time:
                    wanted.append(cctv_services.Wanted(match.camera_id, at - window, at + window))
                for clip in match.clips:
                    candidate = _Candidate(
                        clip_id=clip.clip_id,
                        camera_id=match.camera_id,
                        reason=match.reason,
                        distance_m=match.distance_m,
                        bearing_deg=match.bearing_deg,
                        overlap_s=clip.overlap_s,
                        offset_s=(clip.starts_at - report.occurred_at).total_seconds(),
                    )
                    best = candidates.get(clip.clip_id)
                    if best is None or candidate.distance_m < best.distance_m:
                        candidates[clip.clip_id] = candidate
        _apply(report=report, candidates=candidates, wanted=wanted)


def _apply(
    *, report: Report, candidates: dict[int, _Candidate], wanted: list[cctv_services.Wanted]
) -> None:
    existing = {link.clip_id: link for link in ReportClip.objects.filter(report=report)}
    stale = [
        link.pk
        for clip_id, link in existing.items()
        if link.source == ReportClip.Source.AUTO and clip_id not in candidates
    ]
    ReportClip.objects.filter(pk__in=stale).delete()
    fresh, changed = [], []
    for clip_id, c in candidates.items():
        link = existing.get(clip_id)
        values = {
            "camera_id": c.camera_id,
            "reason": c.reason,
            "distance_m": c.distance_m,
            "bearing_deg": c.bearing_deg,
            "overlap_s": c.overlap_s,
            "offset_s": c.offset_s,
        }
        if link is None:
            fresh.append(ReportClip(report=report, clip_id=clip_id, source="auto", **values))
        elif link.source == ReportClip.Source.AUTO and any(
            getattr(link, name) != value for name, value in values.items()
        ):
            for name, value in values.items():
                setattr(link, name, value)
            changed.append(link)
        # a manual link or removal stays exactly as the officer left it
    ReportClip.objects.bulk_create(fresh)
    fields = ["camera", "reason", "distance_m", "bearing_deg", "overlap_s", "offset_s"]
    ReportClip.objects.bulk_update(changed, [*fields, "updated_at"])
    cctv_services.clip_requests_replace(ref=ref_for(report.pk), wanted=wanted)
    evidence_holds_update(clip_ids=set(existing) | set(candidates))


def report_clips_arrived(*, refs: list[str]) -> None:
    """Outbox handler (``CCTV_CLIP_ARRIVED_HANDLER``): requested footage arrived; relink."""
    for ref in refs:
        if ref.startswith(REF_PREFIX) and ref[len(REF_PREFIX) :].isdigit():
            report_link_clips(report_id=int(ref[len(REF_PREFIX) :]))


# ---- holds -----------------------------------------------------------------------------------


def _wanted_holds(clip_ids: set[int] | None) -> QuerySet[ReportClip, tuple[int, datetime]]:
    """What each linked clip's hold must be, as ``(clip id, until)`` rows computed by the
    database: indefinite while a ticket linking it is open, the latest closing +
    ``CCTV_HOLD_AFTER_CLOSE`` once all are closed. A clip without a link has no row (and no
    hold)."""
    links = ReportClip.objects.filter(removed=False)
    if clip_ids is not None:
        links = links.filter(clip_id__in=clip_ids)
    closed = Max(Coalesce("report__closed_at", "report__completed_at", "report__updated_at"))
    return (
        links.values("clip_id")
        .annotate(
            open=Count("pk", filter=Q(report__status__in=sorted(Report.OPEN_STATUSES))),
            until=Case(
                When(open__gt=0, then=Value(HOLD_INDEFINITE, output_field=DateTimeField())),
                default=ExpressionWrapper(
                    closed + Value(settings.CCTV_HOLD_AFTER_CLOSE),
                    output_field=DateTimeField(),
                ),
            ),
        )
        .order_by()
        .values_list("clip_id", "until")
    )


def evidence_holds_update(*, clip_ids: set[int]) -> int:
    """Bring these clips' holds in line with the tickets linking them (one statement)."""
    if not clip_ids:
        return 0
    holds: dict[int, datetime | None] = dict.fromkeys(clip_ids, None)
    holds.update(_wanted_holds(clip_ids))
    return cctv_services.clip_holds_set(holds=holds)


def evidence_holds_refresh() -> int:
    """The periodic pass: every linked or held clip's hold follows its tickets (closing,
    reopening, unlinking), in one statement in the database. Returns how many holds
    changed."""
    return cctv_services.clip_holds_refresh(wanted=_wanted_holds(None))


# ---- manual links ----------------------------------------------------------------------------


def _clip_for_link(uid: str) -> Clip:
    clip = cctv_selectors.clips_by_uid(uids=[uid]).first()
    if clip is None:
        raise NotFound()
    return clip


@transaction.atomic
def report_clip_link_store(*, report: Report, clip_uid: str, actor: User, note: str) -> ReportClip:
    """Link a clip by hand (or restore one removed); the note is required. The caller has
    checked that ``actor`` may (``apps.triage.services.report_clip_link_add``)."""
    note = text_clean(value=note, field="note", max_length=NOTE_MAX)
    clip = _clip_for_link(clip_uid)
    report = lock(report)
    link, _created = ReportClip.objects.update_or_create(
        report=report,
        clip=clip,
        defaults={
            "camera": clip.camera,
            "source": ReportClip.Source.MANUAL,
            "reason": ReportClip.Reason.MANUAL,
            "removed": False,
            "note": note,
            "actor": actor,
            "offset_s": (clip.starts_at - report.occurred_at).total_seconds(),
        },
    )
    evidence_holds_update(clip_ids={clip.pk})
    return link


@transaction.atomic
def report_clip_link_drop(*, report: Report, clip_uid: str, actor: User, note: str) -> None:
    """Remove a link by hand; the row stays (removed) so the automatic pass respects it. The
    caller has checked that ``actor`` may (``apps.triage.services.report_clip_link_remove``)."""
    note = text_clean(value=note, field="note", max_length=NOTE_MAX)
    report = lock(report)
    updated = ReportClip.objects.filter(report=report, clip__uid=clip_uid, removed=False).update(
        source=ReportClip.Source.MANUAL,
        removed=True,
        note=note,
        actor=actor,
        updated_at=timezone.now(),
    )
    if not updated:
        raise ApplicationError(fields={"clip": [str(_("This clip is not linked to the ticket."))]})
    clip_ids = set(
        ReportClip.objects.filter(report=report, clip__uid=clip_uid).values_list(
            "clip_id", flat=True
        )
    )
    evidence_holds_update(clip_ids=clip_ids)


# ---- plays -----------------------------------------------------------------------------------


@transaction.atomic
def report_clip_play_log(*, user: User, report: Report, clip_uid: str, purpose: str) -> str:
    """Log one play of a clip linked to ``report`` and return its short-lived URL. The caller
    has checked that ``user`` may see the evidence (``apps.triage.services.report_clip_play``)."""
    if purpose not in ClipPlay.Purpose.values:
        raise ApplicationError(fields={"purpose": [str(_("Choose a purpose."))]})
    link = (
        ReportClip.objects.filter(report=report, clip__uid=clip_uid, removed=False)
        .select_related("clip__camera__vms")
        .first()
    )
    if link is None or not cctv_selectors.clip_is_playable(clip=link.clip):
        raise NotFound()
    ClipPlay.objects.create(
        user=user, report=report, clip=link.clip, clip_uid=link.clip.uid, purpose=purpose
    )
    return cctv_services.clip_signed_url(clip=link.clip, kind=media.VIDEO)
