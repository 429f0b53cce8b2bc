"""Realistic past tickets for demos (``manage.py generate_demo_data``; docs/performance.md).

Written set-based (``bulk_create`` and one ``UPDATE … FROM unnest`` per table for the past
timestamps) with exactly the rows the triage services write: a ``created`` event, status
events, ``transferred`` events (koordinasi, bukan wewenang, acceptance) and contiguous
custody intervals. Points are sampled inside the kelurahan boundaries with
``ST_GeneratePoints``; units come from ``apps.routing.selectors.route``. Clocks, warnings,
breaches and the score ledger then come from the real SLA sweep and ledger sync.
"""

import random
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.contrib.gis.geos import Point
from django.db import connection, transaction
from django.utils import timezone

from apps.accounts.models import Agency
from apps.core.errors import Conflict
from apps.identity.models import Reporter
from apps.performance.demo.planner import DESCRIPTIONS, Planner, Ticket
from apps.reports.models import PUBLIC_ID_ALPHABET, PUBLIC_ID_LENGTH, Custody, Report, ReportEvent
from apps.routing.models import Area, Category
from apps.routing.selectors import route

Progress = Callable[[str, int, int], None]


@dataclass
class DemoResult:
    reports: int = 0
    events: int = 0
    custody: int = 0
    breaches: int = 0
    ledger_rows: int = 0


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
        planner = Planner(rng=rng, now=now, triage_id=triage.pk)
        routes: dict[tuple[int, int], Any] = {}
        tickets: list[Ticket] = []
        for i, area_id in enumerate(chosen):
            category = rng.choice(categories)
            point = points[area_id].pop()
            key = (area_id, category.pk)
            if key not in routes:  # one kelurahan, one category: one unit
                routes[key] = route(point=point, category=category)
            routing = routes[key]
            created = now - timedelta(seconds=rng.uniform(3600, days * 86400))
            ticket = Ticket(
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
