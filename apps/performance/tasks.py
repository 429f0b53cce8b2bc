from datetime import timedelta

from celery import shared_task
from django.utils import timezone

from apps.core.errors import Conflict
from apps.performance import selectors, services


@shared_task(ignore_result=True, acks_late=True)
def performance_ledger_sync() -> int:
    """Beat runs this every five minutes; a rerun adds nothing (unique per source event)."""
    result = services.performance_ledger_sync()
    return result.breaches + result.on_time + result.reopens + result.ratings


@shared_task(ignore_result=True, acks_late=True)
def performance_month_close_previous() -> None:
    """Beat runs this on the 2nd of each month: freeze the month before."""
    now = timezone.now()
    this_month = selectors.month_of(at=now)
    previous = selectors.month_of(
        at=selectors.month_bounds(period=this_month)[0].replace(day=1) - timedelta(days=1)
    )
    try:
        services.performance_month_close(period=previous, actor=None, now=now)
    except Conflict:
        return
