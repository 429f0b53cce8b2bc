"""The dashboard's time windows, constants and cache (docs/dashboard.md).

Public reads cache what they build under the current refresh generation: a refresh names a
new generation when it commits, which retires every key of the previous one at once.
"""

from collections.abc import Callable
from datetime import datetime, timedelta
from typing import TypeVar

from django.core.cache import cache
from django.utils.translation import get_language

from apps.dashboard.models import DashboardRefresh
from apps.performance.models import MIN_TICKETS
from apps.performance.selectors import JAKARTA

GENERATION_KEY = "dashboard:generation"
CACHE_SECONDS = 600  # a safety net: a refresh retires every key anyway
TREND_WEEKS = 12
CLUSTER_ZOOMS = tuple(range(9, 17))  # below 9 the city is a few pixels; above, zoom 16's cells
CLUSTER_CELL_PX = 48  # a cell is about 48 screen pixels wide
CLUSTER_MAX_CELLS = 2000
POINTS_MAX_AGE = timedelta(days=90)
POINTS_MAX = 500
DUTY_QUEUE_MAX = 200
# Douglas-Peucker tolerance in degrees (1e-4 ~ 11 m): the city map draws 267 polygons in a few
# hundred pixels, a kelurahan page one polygon across the screen.
CITY_SIMPLIFY_DEG = 0.0009
KELURAHAN_SIMPLIFY_DEG = 0.00005
MIN_OUTCOMES = MIN_TICKETS  # an on-time share needs at least this many outcomes (as scores)

T = TypeVar("T")

# --- time windows -----------------------------------------------------------------------


def month_start_of(at: datetime) -> datetime:
    local = at.astimezone(JAKARTA)
    return local.replace(day=1, hour=0, minute=0, second=0, microsecond=0)


def week_start_of(at: datetime) -> datetime:
    local = at.astimezone(JAKARTA)
    monday = local - timedelta(days=local.weekday())
    return monday.replace(hour=0, minute=0, second=0, microsecond=0)


def cluster_cell_degrees(zoom: int) -> float:
    """Width of a cluster cell at ``zoom`` in degrees of longitude (cells nest by zoom)."""
    return 360.0 / 2**zoom * CLUSTER_CELL_PX / 256


# --- caching ----------------------------------------------------------------------------


def generation() -> str:
    """The current refresh generation (cache first, the database after a cache flush)."""
    value = cache.get(GENERATION_KEY)
    if value is None:
        last = DashboardRefresh.objects.filter(pk=1).values_list("refreshed_at", flat=True).first()
        value = f"{last.timestamp():.6f}" if last else "none"
        cache.set(GENERATION_KEY, value, None)
    return str(value)


def cached(name: str, build: Callable[[], T], *, seconds: int = CACHE_SECONDS) -> T:
    """``build()`` once per generation, language and ``name``."""
    key = f"dashboard:{generation()}:{get_language() or 'id'}:{name}"
    value = cache.get(key)
    if value is None:
        value = build()
        cache.set(key, value, seconds)
    return value


def last_refresh() -> DashboardRefresh | None:
    return DashboardRefresh.objects.filter(pk=1).first()
