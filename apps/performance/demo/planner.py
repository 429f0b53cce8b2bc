"""What happened to each demo ticket: a seeded plan of its events, custody and outcome.

``demo_history_create`` (``apps.performance.demo``) writes what the planner decided.
"""

import math
import random
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from django.contrib.gis.geos import Point

from apps.accounts.models import Agency, Membership
from apps.reports import events
from apps.reports.models import Report, ReportEvent
from apps.routing.models import Category

H = timedelta(hours=1)
DESCRIPTIONS = (
    "Mohon segera ditindaklanjuti, sudah beberapa hari.",
    "Mengganggu warga sekitar, terutama pagi dan sore hari.",
    "Sudah pernah dilaporkan ke RT tetapi belum ada tindakan.",
    "Lokasi dekat sekolah, berbahaya bagi anak-anak.",
    "Terjadi lagi setelah hujan deras semalam.",
)
S = Report.Status


@dataclass
class Ticket:
    created: datetime
    category: Category
    area_id: int
    point: Point
    agency_id: int
    explanation: dict[str, Any]
    status: str = S.MENUNGGU
    assignee_id: int | None = None
    completed_at: datetime | None = None
    closed_at: datetime | None = None
    rating: int | None = None
    events: list[dict[str, Any]] = field(default_factory=list)
    custody: list[list[Any]] = field(default_factory=list)  # [agency, officer, start, end]


class Planner:
    """Decides, with a seeded generator, what happened to each ticket."""

    def __init__(self, *, rng: random.Random, now: datetime, triage_id: int) -> None:
        self.rng = rng
        self.now = now
        self.triage_id = triage_id
        self.officers: dict[int, list[int]] = {}
        for agency_id, user_id in Membership.objects.filter(
            role__in=[Membership.Role.OFFICER, Membership.Role.SUPERVISOR], user__is_active=True
        ).values_list("agency_id", "user_id"):
            self.officers.setdefault(agency_id, []).append(user_id)
        self.codes = dict(Agency.objects.values_list("pk", "code"))
        self.units = list(
            Agency.objects.filter(is_active=True)
            .exclude(pk=triage_id)
            .order_by("pk")
            .values_list("pk", flat=True)
        )

    def _officer(self, agency_id: int) -> int | None:
        people = self.officers.get(agency_id)
        return self.rng.choice(people) if people else None

    def _status(self, t: Ticket, to: str, at: datetime, agency: int, actor: int | None) -> None:
        t.events.append(
            {
                "kind": ReportEvent.Kind.STATUS,
                "from_status": t.status,
                "to_status": to,
                "actor_id": actor,
                "agency_id": agency,
                "visibility": ReportEvent.Visibility.PUBLIC,
                "at": at,
            }
        )
        t.status = to

    def _hand(self, t: Ticket, agency: int, officer: int | None, at: datetime) -> None:
        if t.custody and t.custody[-1][3] is None:
            t.custody[-1][3] = at
        t.custody.append([agency, officer, at, None])
        t.assignee_id = officer

    def _transfer(
        self, t: Ticket, mode: str, src: int, dst: int, at: datetime, actor: int | None
    ) -> None:
        t.events.append(
            {
                "kind": ReportEvent.Kind.TRANSFERRED,
                "actor_id": actor,
                "agency_id": src,
                "visibility": ReportEvent.Visibility.INTERNAL,
                "data": events.transfer_data(
                    mode=mode, from_agency=(src, self.codes[src]), to_agency=(dst, self.codes[dst])
                ),
                "at": at + timedelta(milliseconds=2),
            }
        )

    def _route_elsewhere(self, t: Ticket, holder: int) -> int:
        """A koordinasi or a bukan wewenang detour. Returns the unit that ends up holding it."""
        rng = self.rng
        t1 = t.created + rng.uniform(1, 20) * H
        actor = self._officer(holder)
        if rng.random() < 0.45:  # bukan wewenang: back to triage, which decides
            reason = rng.choice(["not_our_sector", "wrong_area"])
            self._transfer(t, events.TransferMode.BUKAN_WEWENANG, holder, self.triage_id, t1, actor)
            t.events[-1]["data"].update(events.reason_data(reason_code=reason))
            self._hand(t, self.triage_id, None, t1)
            self._status(t, S.KOORDINASI, t1, holder, actor)
            t.events[-1]["data"] = events.reason_data(reason_code=reason)
            t2 = t1 + rng.uniform(2, 40) * H
            target = holder if rng.random() < 0.4 else rng.choice(self.units)
            self._transfer(t, events.TransferMode.KOORDINASI, self.triage_id, target, t2, None)
            t.events[-1]["data"][events.Key.PREVIOUS_STATUS] = t.status
            self._hand(t, target, None, t2)
        else:
            target = rng.choice([u for u in self.units if u != holder] or [holder])
            self._transfer(t, events.TransferMode.KOORDINASI, holder, target, t1, actor)
            t.events[-1]["data"][events.Key.PREVIOUS_STATUS] = t.status
            self._hand(t, target, None, t1)
            self._status(t, S.KOORDINASI, t1, holder, actor)
            t.events[-1]["data"] = events.handed_to_data(to_agency=self.codes[target])
            t2 = t1
        t3 = t2 + rng.uniform(1, 12) * H
        if t3 < self.now:
            officer = self._officer(target)
            t.events.append(
                {
                    "kind": ReportEvent.Kind.TRANSFERRED,
                    "actor_id": officer,
                    "agency_id": target,
                    "visibility": ReportEvent.Visibility.INTERNAL,
                    # the request's row id is not known before the bulk insert
                    "data": events.koordinasi_accepted_data(request_event_id=None),
                    "at": t3,
                }
            )
            self._hand(t, target, officer, t3)
            self._status(t, S.PROSES, t3, target, officer)
        return target

    def plan(self, t: Ticket) -> None:
        rng, now = self.rng, self.now
        t.events.append(
            {
                "kind": ReportEvent.Kind.CREATED,
                "to_status": S.MENUNGGU,
                "visibility": ReportEvent.Visibility.PUBLIC,
                "agency_id": t.agency_id,
                "data": events.created_data(channel=Report.Channel.APP, photos=0),
                "at": t.created,
            }
        )
        t.custody.append([t.agency_id, None, t.created, None])
        holder = t.agency_id
        if rng.random() < 0.05 and t.created + 30 * H < now:  # rejected by the unit
            at = t.created + rng.uniform(1, 30) * H
            officer = self._officer(holder)
            self._status(t, S.DITOLAK, at, holder, officer)
            t.events[-1]["data"] = events.reason_data(reason_code=rng.choice(["spam", "duplicate"]))
            t.custody[-1][3] = at
            t.closed_at = at
            return
        if rng.random() < 0.15 and t.created + 72 * H < now:
            holder = self._route_elsewhere(t, holder)
        # start work
        start = max(t.created + rng.uniform(0.5, 30) * H, t.events[-1]["at"] + 0.5 * H)
        if t.status != S.PROSES and start < now:
            officer = self._officer(holder)
            self._hand(t, holder, officer, start)
            self._status(t, S.PROSES, start, holder, officer)
        if t.status != S.PROSES:
            return
        # follow-up: lognormal around 40 hours; the long tail misses the six days
        done = t.created + min(rng.lognormvariate(math.log(40), 0.9), 24 * 40) * H
        done = max(done, t.events[-1]["at"] + H)
        if done >= now - 10 * timedelta(minutes=1) or rng.random() < 0.12:
            return  # still open (some of them overdue)
        self._complete(t, holder, done)
        if rng.random() < 0.04 and done + 48 * H < now:  # reopened by the reporter
            again = done + rng.uniform(6, 48) * H
            self._status(t, S.DIBUKA_KEMBALI, again, holder, None)
            t.events[-1]["data"] = events.reopened_data(
                reason="Belum selesai.", back_to=self.codes[holder]
            )
            t.completed_at = None
            self._hand(t, holder, t.assignee_id, again)
            finish = again + rng.uniform(4, 72) * H
            if finish < now:
                self._complete(t, holder, finish)
        if t.status == S.SELESAI and rng.random() < 0.4:
            at = t.completed_at + rng.uniform(1, 48) * H if t.completed_at else now
            if at < now:
                t.rating = rng.choices([1, 2, 3, 4, 5], weights=[1, 1, 2, 4, 4])[0]
                t.events.append(
                    {
                        "kind": ReportEvent.Kind.RATING,
                        "data": events.rating_data(rating=t.rating),
                        "visibility": ReportEvent.Visibility.PUBLIC,
                        "at": at,
                    }
                )
        if t.status == S.SELESAI and t.completed_at and t.completed_at + 72 * H < now:
            at = t.completed_at + 72 * H
            self._status(t, S.DIKONFIRMASI, at, holder, None)
            t.events[-1]["data"] = events.auto_confirm_data(after_days=3)  # the 72 h above
            t.closed_at = at

    def _complete(self, t: Ticket, holder: int, at: datetime) -> None:
        self._status(t, S.SELESAI, at, holder, t.assignee_id)
        t.events[-1]["note"] = "Sudah ditangani petugas di lokasi."
        t.completed_at = at
        t.custody[-1][3] = at
