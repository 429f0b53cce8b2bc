"""Who may see a ticket's CCTV evidence, what they see, and the logged play (docs/cctv.md).

Only the officers of the unit holding the ticket (and of its parent unit), their
supervisors, and managers see linked clips. Monitors, former holders, the reporter, the
public, Open311 and the exports never do. Every play hands out a short-lived URL and writes
a ``ClipPlay`` row (user, ticket, clip, purpose) in the same transaction.
"""

from dataclasses import dataclass, field
from datetime import datetime

from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from apps.accounts.models import User
from apps.cctv import media
from apps.cctv import selectors as cctv_selectors
from apps.cctv import services as cctv_services
from apps.cctv.models import HOLD_INDEFINITE, Camera, ClipRequest
from apps.cctv.svg import camera_map
from apps.core.errors import ApplicationError, Forbidden
from apps.reports.models import Report, ReportClip
from apps.triage.selectors.scope import StaffScope, staff_scope_for_user


class EvidenceDenied(Forbidden):
    code = "evidence_denied"  # type: ignore[assignment]  # more specific than permission_denied
    default_message = _(
        "Only the unit holding the ticket, its supervisors and managers see CCTV evidence."
    )


def evidence_may_view(*, scope: StaffScope, report: Report) -> bool:
    if scope.user_id is None:
        return False
    if scope.reads_all:
        return True
    return report.agency_id in scope.view_agency_ids or (
        report.agency.parent_id is not None and report.agency.parent_id in scope.view_agency_ids
    )


def evidence_check_manage(*, user: User, report: Report) -> None:
    """Adding or removing a link: an officer who may act on the ticket."""
    scope = staff_scope_for_user(user=user)
    if not scope.can_act(report):
        raise EvidenceDenied()


@dataclass(frozen=True)
class CameraRow:
    camera: Camera
    distance_m: float
    bearing_deg: float | None
    reason: str
    down_at_time: bool
    clip_count: int


@dataclass(frozen=True)
class LinkRow:
    link: ReportClip
    uid: str
    camera_code: str
    camera_name: str
    starts_at: datetime
    ends_at: datetime
    offset_s: float
    held_until: datetime | None
    hold_indefinite: bool
    playable: bool
    poster_url: str


@dataclass
class TicketEvidence:
    may_view: bool
    may_manage: bool
    cameras: list[CameraRow] = field(default_factory=list)
    links: list[LinkRow] = field(default_factory=list)
    removed: list[ReportClip] = field(default_factory=list)
    open_requests: int = 0
    cameras_down: bool = False  # "kamera di sekitar sedang mati"
    map: dict[str, object] = field(default_factory=dict)


def ticket_evidence_for_user(
    *, user: User, report: Report, scope: StaffScope | None = None
) -> TicketEvidence:
    """The ticket's cameras (with their sectors), linked clips and holds, as ``user`` may see.

    The caller found ``report`` through the staff scope; without evidence access the answer
    says so and holds nothing else.
    """
    scope = scope or staff_scope_for_user(user=user)
    if not evidence_may_view(scope=scope, report=report):
        return TicketEvidence(may_view=False, may_manage=False)
    now = timezone.now()
    matches = (
        cctv_selectors.camera_matches(point=report.location, at=report.occurred_at)
        if report.location is not None and report.location_is_exact
        else []  # placed by its address only: no camera can be said to have seen it
    )
    cameras = {
        camera.pk: camera for camera in Camera.objects.filter(pk__in=[m.camera_id for m in matches])
    }
    rows = [
        CameraRow(
            camera=cameras[m.camera_id],
            distance_m=m.distance_m,
            bearing_deg=m.bearing_deg,
            reason=m.reason,
            down_at_time=m.down_at_time,
            clip_count=len(m.clips),
        )
        for m in matches
    ]
    links = list(
        ReportClip.objects.filter(report=report)
        .select_related("clip__camera__vms", "actor")
        .order_by("offset_s", "pk")
    )
    active = [link for link in links if not link.removed]
    linked_cameras = {link.clip.camera for link in active}
    shown = {row.camera.pk: row.camera for row in rows} | {c.pk: c for c in linked_cameras}
    return TicketEvidence(
        may_view=True,
        may_manage=scope.can_act(report),
        cameras=rows,
        links=[_link_row(link, now) for link in active],
        removed=[link for link in links if link.removed],
        open_requests=ClipRequest.objects.filter(
            ref=f"report:{report.pk}", fulfilled_at__isnull=True
        ).count(),
        cameras_down=bool(rows) and all(r.down_at_time for r in rows) and not active,
        map=camera_map(
            cameras=sorted(shown.values(), key=lambda c: c.code),
            center=report.location,
            radius_m=settings.CCTV_LINK_RADIUS_M,
            highlight=[c.code for c in linked_cameras],
        ),
    )


def _link_row(link: ReportClip, now: datetime) -> LinkRow:
    clip = link.clip
    playable = cctv_selectors.clip_is_playable(clip=clip, now=now)
    poster = ""
    if clip.poster_uri and playable and clip.camera.vms is not None:
        try:
            poster = cctv_services.clip_signed_url(clip=clip, kind=media.POSTER)
        except ApplicationError:
            poster = ""
    return LinkRow(
        link=link,
        uid=str(clip.uid),
        camera_code=clip.camera.code,
        camera_name=clip.camera.name,
        starts_at=clip.starts_at,
        ends_at=clip.ends_at,
        offset_s=link.offset_s,
        held_until=clip.held_until,
        hold_indefinite=clip.held_until is not None and clip.held_until >= HOLD_INDEFINITE,
        playable=playable,
        poster_url=poster,
    )
