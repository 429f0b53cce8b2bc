"""The score formula (docs/performance.md), version ``FORMULA_VERSION``. Pure functions."""

from dataclasses import asdict, dataclass
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from apps.performance.models import FORMULA_VERSION, MIN_TICKETS

FORMULA_TEXT = (
    "score = clamp(0, 100, 100 * (on_time - reopens) / tickets + 5 * (average_rating - 3)); "
    "tickets = on_time + breaches; the rating term is 0 without ratings; "
    f"fewer than {MIN_TICKETS} tickets: no score ('too few tickets')"
)


@dataclass(frozen=True)
class Counts:
    tickets: int = 0
    on_time: int = 0
    breaches: int = 0
    reopens: int = 0
    ratings: int = 0
    rating_sum: int = 0
    adjustments: int = 0


def score_for(counts: Counts) -> Decimal | None:
    """The score for ``counts``, or None when there are too few tickets to be fair."""
    if counts.tickets < MIN_TICKETS:
        return None
    value = Decimal(100) * Decimal(counts.on_time - counts.reopens) / Decimal(counts.tickets)
    if counts.ratings > 0:
        value += Decimal(5) * (Decimal(counts.rating_sum) / Decimal(counts.ratings) - Decimal(3))
    value = min(Decimal(100), max(Decimal(0), value))
    return value.quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)


def score_explained(counts: Counts, *, version: int = FORMULA_VERSION) -> dict[str, Any]:
    """The score beside its raw counts and the formula that produced it."""
    score = score_for(counts)
    return {
        "score": str(score) if score is not None else None,
        "too_few_tickets": score is None,
        "status": "too few tickets" if score is None else "scored",
        "formula_version": version,
        "formula": FORMULA_TEXT,
        "counts": asdict(counts),
    }
