"""Limits on anonymous filing (docs/security.md, rows 7-8): per client address and per
device, checked only for anonymous reports (no token, or ``anonymous: true``).

The device is the app's ``X-Device-Id`` header: a random id the app makes once per install
and sends with every report. It also tells the original sender of an anonymous report
apart from anyone else replaying its ``client_request_id`` (``services.report_create``).
Only its SHA-256 is used, in the limit's cache key and in the request fingerprint.

Counters live in the cache (Redis), with DRF's sliding window. If Redis is down the limits
are skipped, never the report: an accepted report must not depend on Redis.
"""

import hashlib
import logging
import re

from django.conf import settings
from django.utils.translation import gettext_lazy as _
from redis.exceptions import RedisError
from rest_framework.exceptions import Throttled
from rest_framework.request import Request
from rest_framework.throttling import SimpleRateThrottle
from rest_framework.views import APIView

from apps.core.errors import ApplicationError

logger = logging.getLogger(__name__)

DEVICE_HEADER = "X-Device-Id"
_DEVICE_ID = re.compile(r"[A-Za-z0-9._:-]{8,128}")


def device_id_from(request: Request) -> str:
    """The ``X-Device-Id`` header ("" when absent); a malformed one is a 400."""
    value = request.headers.get(DEVICE_HEADER, "")
    if value and not _DEVICE_ID.fullmatch(value):
        message = str(_("8 to 128 letters, digits, dots, colons, dashes or underscores."))
        raise ApplicationError(fields={DEVICE_HEADER: [message]})
    return value


class _AnonymousFilingThrottle(SimpleRateThrottle):
    setting = ""

    def __init__(self, device_id: str = "") -> None:
        self.device_id = device_id
        super().__init__()

    def get_rate(self) -> str:
        rate: str = getattr(settings, self.setting)
        return rate

    def allow_request(self, request: Request, view: APIView) -> bool:
        try:
            return super().allow_request(request, view)
        except (RedisError, OSError) as exc:
            logger.warning("anonymous filing limit skipped: %s", type(exc).__name__)
            return True


class AnonymousFilingPerAddress(_AnonymousFilingThrottle):
    scope = "report_anon_address"
    setting = "REPORT_ANON_RATE_PER_ADDRESS"

    def get_cache_key(self, request: Request, view: APIView) -> str:
        return self.cache_format % {"scope": self.scope, "ident": self.get_ident(request)}


class AnonymousFilingPerDevice(_AnonymousFilingThrottle):
    scope = "report_anon_device"
    setting = "REPORT_ANON_RATE_PER_DEVICE"

    def get_cache_key(self, request: Request, view: APIView) -> str | None:
        if not self.device_id:
            return None  # no device: the address limit alone applies
        ident = hashlib.sha256(self.device_id.encode()).hexdigest()
        return self.cache_format % {"scope": self.scope, "ident": ident}


def anonymous_filing_check(request: Request, view: APIView, *, device_id: str) -> None:
    """Raise DRF's ``Throttled`` (429 with ``Retry-After``) when a limit is reached."""
    waits = []
    for throttle in (AnonymousFilingPerAddress(), AnonymousFilingPerDevice(device_id)):
        if not throttle.allow_request(request, view):
            waits.append(throttle.wait() or 1)
    if waits:
        raise Throttled(wait=max(waits))
