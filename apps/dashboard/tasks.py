from celery import shared_task

from apps.dashboard import services


@shared_task(ignore_result=True, acks_late=True)
def dashboard_refresh() -> int:
    """Beat runs this every 5 minutes; a run while another holds the lock does nothing."""
    return services.dashboard_refresh().rows
