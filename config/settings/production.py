"""Production settings: everything from base.py, plus HTTPS behind a proxy (docs/security.md).

Select with ``DJANGO_SETTINGS_MODULE=config.settings.production``. Every value below comes
from the environment, with the secure choice as the default; ``manage.py check --deploy``
is clean with them (tested). `make run` uses base.py: plain HTTP on 127.0.0.1.
"""

from config.settings.base import *  # noqa: F403
from config.settings.base import env

DEBUG = False
# The proxy in front terminates TLS and says so in this header (set it there, strip it from
# clients). Requests that arrive as HTTP are redirected, except the health check.
SECURE_PROXY_SSL_HEADER = (
    env.str("DJANGO_SECURE_PROXY_SSL_HEADER", default="HTTP_X_FORWARDED_PROTO"),
    "https",
)
SECURE_SSL_REDIRECT = env.bool("DJANGO_SECURE_SSL_REDIRECT", default=True)
SECURE_REDIRECT_EXEMPT = [r"^healthz$"]
SECURE_HSTS_SECONDS = env.int("DJANGO_SECURE_HSTS_SECONDS", default=365 * 24 * 3600)
SECURE_HSTS_INCLUDE_SUBDOMAINS = env.bool("DJANGO_SECURE_HSTS_INCLUDE_SUBDOMAINS", default=True)
SECURE_HSTS_PRELOAD = env.bool("DJANGO_SECURE_HSTS_PRELOAD", default=True)
SESSION_COOKIE_SECURE = env.bool("DJANGO_SESSION_COOKIE_SECURE", default=True)
CSRF_COOKIE_SECURE = env.bool("DJANGO_CSRF_COOKIE_SECURE", default=True)
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"

# Two Celery workers on separate queues (make run PROFILE=prod, deploy/systemd): "celery" for
# the intake side effects (the outbox relay and deliveries: inbox, push, SMS, CCTV linking),
# "periodic" for the SLA sweep and the other jobs beat starts, so that a long sweep never
# delays a citizen's notification.
CELERY_TASK_ROUTES = {
    "apps.sla.tasks.*": {"queue": "periodic"},
    "apps.performance.tasks.*": {"queue": "periodic"},
    "apps.dashboard.tasks.*": {"queue": "periodic"},
    "apps.reports.tasks.*": {"queue": "periodic"},
    "apps.cctv.tasks.*": {"queue": "periodic"},
    "apps.identity.tasks.otp_purge": {"queue": "periodic"},
    "apps.core.tasks.outbox_purge": {"queue": "periodic"},
}
