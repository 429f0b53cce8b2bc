from celery import shared_task

from apps.dashboard import services


@shared_task(ignore_result=True, acks_late=True)
def dashboard_refresh() -> int:
    """Beat runs this every 5 minutes; a run while another holds the lock does nothing."""
    return services.dashboard_refresh().rows


@shared_task(ignore_result=True)
def dashboard_warm_up() -> list[str]:
    """Sent when a refresh commits: build the new generation's city map data before a
    visitor's request has to."""
    return services.dashboard_warm_up()
