"""Realistic past tickets for demos (``manage.py generate_demo_data``; docs/performance.md).

Written set-based (``bulk_create`` and one ``UPDATE … FROM unnest`` per table for the past
timestamps) with exactly the rows the triage services write: a ``created`` event, status
events, ``transferred`` events (koordinasi, bukan wewenang, acceptance) and contiguous
custody intervals. Points are sampled inside the kelurahan boundaries with
``ST_GeneratePoints``; units come from ``apps.routing.selectors.route``. Clocks, warnings,
breaches and the score ledger then come from the real SLA sweep and ledger sync.
"""

import math
import random
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.contrib.gis.geos import Point
from django.db import connection, transaction
from django.utils import timezone

from apps.accounts.models import Agency, Membership
from apps.core.errors import Conflict
from apps.identity.models import Reporter
from apps.reports import events
from apps.reports.models import PUBLIC_ID_ALPHABET, PUBLIC_ID_LENGTH, Custody, Report, ReportEvent
from apps.routing.models import Area, Category
from apps.routing.selectors import route

Progress = Callable[[str, int, int], None]
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
class _Ticket:
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


@dataclass
class DemoResult:
    reports: int = 0
    events: int = 0
    custody: int = 0
    breaches: int = 0
    ledger_rows: int = 0


class _Planner:
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

    def _status(self, t: _Ticket, to: str, at: datetime, agency: int, actor: int | None) -> None:
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

    def _hand(self, t: _Ticket, agency: int, officer: int | None, at: datetime) -> None:
        if t.custody and t.custody[-1][3] is None:
            t.custody[-1][3] = at
        t.custody.append([agency, officer, at, None])
        t.assignee_id = officer

    def _transfer(
        self, t: _Ticket, mode: str, src: int, dst: int, at: datetime, actor: int | None
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

    def _route_elsewhere(self, t: _Ticket, holder: int) -> int:
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

    def plan(self, t: _Ticket) -> None:
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

    def _complete(self, t: _Ticket, holder: int, at: datetime) -> None:
        self._status(t, S.SELESAI, at, holder, t.assignee_id)
        t.events[-1]["note"] = "Sudah ditangani petugas di lokasi."
        t.completed_at = at
        t.custody[-1][3] = at


def _public_ids(rng: random.Random, n: int) -> list[str]:
    taken = set(Report.objects.values_list("public_id", flat=True))
    out: list[str] = []
    while len(out) < n:
        candidate = "LW-" + "".join(rng.choice(PUBLIC_ID_ALPHABET) for _ in range(PUBLIC_ID_LENGTH))
        if candidate not in taken:
            taken.add(candidate)
            out.append(candidate)
    return out


POINTS_SQL = f"""
    SELECT c.id, ST_X(d.geom), ST_Y(d.geom)
    FROM unnest(%(ids)s::bigint[], %(counts)s::int[]) AS c(id, n)
    JOIN {Area._meta.db_table} a ON a.id = c.id,
    LATERAL ST_Dump(ST_GeneratePoints(a.boundary, c.n, %(seed)s)) AS d
"""  # noqa: S608 - the table name comes from our model; values are parameters


def _points(*, area_ids: list[int], seed: int) -> dict[int, list[Point]]:
    """``ST_GeneratePoints`` inside each kelurahan, as many as it was drawn."""
    counts: dict[int, int] = {}
    for area_id in area_ids:
        counts[area_id] = counts.get(area_id, 0) + 1
    points: dict[int, list[Point]] = {}
    with connection.cursor() as cursor:
        cursor.execute(
            POINTS_SQL, {"ids": list(counts), "counts": list(counts.values()), "seed": seed}
        )
        for area_id, lon, lat in cursor.fetchall():
            points.setdefault(area_id, []).append(Point(lon, lat, srid=4326))
        # ST_GeneratePoints can return fewer points for a tiny or sliver-shaped boundary
        short = [a for a, n in counts.items() if len(points.get(a, [])) < n]
        if short:
            cursor.execute(
                f"SELECT id, ST_X(p), ST_Y(p) FROM {Area._meta.db_table}, "  # noqa: S608
                "LATERAL ST_PointOnSurface(boundary) AS p WHERE id = ANY(%(ids)s)",
                {"ids": short},
            )
            for area_id, lon, lat in cursor.fetchall():
                missing = counts[area_id] - len(points.get(area_id, []))
                points.setdefault(area_id, []).extend(
                    Point(lon, lat, srid=4326) for _ in range(missing)
                )
    return points


def _backdate(table: str, column: str, pairs: list[tuple[int, datetime]]) -> None:
    if not pairs:
        return
    sql = f"""
        UPDATE {table} t SET {column} = v.at
        FROM unnest(%(ids)s::bigint[], %(ats)s::timestamptz[]) AS v(id, at)
        WHERE t.id = v.id
    """  # noqa: S608 - table and column names are ours; values are parameters
    with connection.cursor() as cursor:
        cursor.execute(sql, {"ids": [p for p, _a in pairs], "ats": [a for _p, a in pairs]})


def _refuse_repeated_seed(rows: list[Report], seed: int) -> None:
    """The same seed makes the same tickets: a second run would repeat their ids."""
    request_ids = [r.client_request_id for r in rows]
    public_ids = [r.public_id for r in rows]
    if (
        Report.objects.filter(client_request_id__in=request_ids).exists()
        or Report.objects.filter(public_id__in=public_ids).exists()
    ):
        raise Conflict(
            f"demo tickets from seed {seed} exist already; pass another --seed "
            f"(e.g. --seed {seed + 1}) to add more"
        )


def demo_history_create(
    *, reports: int, days: int, seed: int = 1, now: datetime | None = None, progress: Progress
) -> DemoResult:
    """Create ``reports`` past tickets spread over the last ``days`` days, then sweep them."""
    from apps.performance.services import performance_ledger_sync
    from apps.sla.services import sla_sweep

    now = now or timezone.now()
    rng = random.Random(seed)  # noqa: S311 - reproducible demo data, not a secret
    triage = Agency.objects.get(code=settings.TRIAGE_AGENCY_CODE)
    categories = list(Category.objects.filter(is_active=True).order_by("code"))
    kelurahan = list(
        Area.objects.filter(level=Area.Level.KELURAHAN)
        .order_by("code")
        .values_list("pk", flat=True)
    )
    result = DemoResult()
    with transaction.atomic():
        chosen = [rng.choice(kelurahan) for _ in range(reports)]
        points = _points(area_ids=chosen, seed=seed)
        reporters = [
            Reporter.objects.get_or_create(pseudonym=f"Warga-Demo-{seed}-{i:03d}")[0]
            for i in range(max(1, min(50, reports // 5)))
        ]
        planner = _Planner(rng=rng, now=now, triage_id=triage.pk)
        routes: dict[tuple[int, int], Any] = {}
        tickets: list[_Ticket] = []
        for i, area_id in enumerate(chosen):
            category = rng.choice(categories)
            point = points[area_id].pop()
            key = (area_id, category.pk)
            if key not in routes:  # one kelurahan, one category: one unit
                routes[key] = route(point=point, category=category)
            routing = routes[key]
            created = now - timedelta(seconds=rng.uniform(3600, days * 86400))
            ticket = _Ticket(
                created=created,
                category=category,
                area_id=routing.area.pk,
                point=point,
                agency_id=routing.agency.pk,
                explanation=routing.explanation,
            )
            planner.plan(ticket)
            tickets.append(ticket)
            progress("planning", i + 1, reports)
        ids = _public_ids(rng, len(tickets))
        rows = [
            Report(
                public_id=ids[i],
                client_request_id=uuid.UUID(int=rng.getrandbits(128)),
                request_fingerprint="demo",
                reporter=rng.choice(reporters),
                category=t.category,
                description=f"{t.category.name_id}. {rng.choice(DESCRIPTIONS)}",
                location=t.point,
                occurred_at=t.created - timedelta(minutes=rng.randint(5, 600)),
                area_id=t.area_id,
                agency_id=t.custody[-1][0],
                assignee_id=t.assignee_id,
                routing_explanation=t.explanation,
                status=t.status,
                provisional_due_at=t.created + timedelta(days=t.category.sla_days),
                completed_at=t.completed_at,
                closed_at=t.closed_at,
                rating=t.rating,
            )
            for i, t in enumerate(tickets)
        ]
        _refuse_repeated_seed(rows, seed)
        Report.objects.bulk_create(rows, batch_size=1000)
        progress("writing", 1, 3)
        _backdate(
            Report._meta.db_table,
            "created_at",
            [(r.pk, t.created) for r, t in zip(rows, tickets, strict=True)],
        )
        _backdate(
            Report._meta.db_table,
            "updated_at",
            [(r.pk, t.events[-1]["at"]) for r, t in zip(rows, tickets, strict=True)],
        )
        events: list[ReportEvent] = []
        times: list[datetime] = []
        custody: list[Custody] = []
        for report, t in zip(rows, tickets, strict=True):
            for e in t.events:
                at = e.pop("at")
                events.append(ReportEvent(report=report, **e))
                times.append(at)
            custody += [
                Custody(report=report, agency_id=a, officer_id=o, started_at=s, ended_at=end)
                for a, o, s, end in t.custody
            ]
        ReportEvent.objects.bulk_create(events, batch_size=2000)
        _backdate(
            ReportEvent._meta.db_table,
            "created_at",
            [(e.pk, at) for e, at in zip(events, times, strict=True)],
        )
        Custody.objects.bulk_create(custody, batch_size=2000)
        progress("writing", 3, 3)
        result.reports, result.events, result.custody = len(rows), len(events), len(custody)
    sweep = sla_sweep(now=now)
    progress("SLA sweep", 1, 1)
    ledger = performance_ledger_sync(now=now)
    progress("ledger", 1, 1)
    result.breaches = sweep.breaches
    result.ledger_rows = ledger.breaches + ledger.on_time + ledger.reopens + ledger.ratings
    return result
