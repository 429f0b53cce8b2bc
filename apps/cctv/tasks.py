"""Celery adapters of the cctv app (thin: call one service)."""

from celery import shared_task

from apps.cctv import services


@shared_task(ignore_result=True, acks_late=True)
def camera_health_sweep() -> int:
    """Beat, every minute: cameras without a heartbeat for CCTV_HEARTBEAT_TIMEOUT go offline."""
    return services.camera_health_sweep()


@shared_task(ignore_result=True, acks_late=True)
def clip_retention_sweep() -> int:
    """Beat, hourly: expired clip records that no ticket holds are deleted (the VMS is told)."""
    return services.clips_expire()
