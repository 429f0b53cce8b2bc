from celery import shared_task

from apps.identity import services


@shared_task(ignore_result=True)
def otp_purge() -> int:
    return services.otp_purge()
