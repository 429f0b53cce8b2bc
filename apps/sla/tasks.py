from celery import shared_task

from apps.sla import services


@shared_task(ignore_result=True, acks_late=True)
def sla_sweep() -> int:
    """Beat runs this every minute; overlapping runs are harmless (advisory lock)."""
    return services.sla_sweep().breaches
