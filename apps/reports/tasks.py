"""Celery adapters of the reports app (thin: call one service)."""

from celery import shared_task

from apps.reports import evidence, services


@shared_task(ignore_result=True, acks_late=True)
def report_auto_confirm() -> int:
    """Beat runs this every 15 minutes; overlapping runs skip each other's locked rows."""
    return services.report_auto_confirm_due()


@shared_task(ignore_result=True, acks_late=True)
def evidence_holds_refresh() -> int:
    """Beat, hourly: CCTV evidence holds follow their tickets (open; closed + N days)."""
    return evidence.evidence_holds_refresh()
