"""Limits on anonymous filing (docs/security.md, rows 7-8): per client address and per
device, checked only for anonymous reports (no token, or ``anonymous: true``).

The device is the app's ``X-Device-Id`` header: a random id the app makes once per install
and sends with every report. It also tells the original sender of an anonymous report
apart from anyone else replaying its ``client_request_id`` (``services.report_create``).
Only its SHA-256 is used, in the limit's cache key and in the request fingerprint.

Both limits are sliding windows kept in Redis as sorted sets of filing times, checked and
recorded together by one Lua script: one round trip per report, and atomic, so concurrent
requests cannot both take the last place (DRF's cache throttles read and then write, two round
trips per limit). A refused request is not recorded. If Redis is down the limits are skipped,
never the report: an accepted report must not depend on Redis.
"""

import hashlib
import logging
import re
import secrets
import time

from django.conf import settings
from django.core.cache import cache
from django.utils.translation import gettext_lazy as _
from django_redis import get_redis_connection
from redis.commands.core import Script
from redis.exceptions import RedisError
from rest_framework.exceptions import Throttled
from rest_framework.request import Request
from rest_framework.throttling import BaseThrottle

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


# KEYS: the limits' keys. ARGV: now (seconds), a unique member, then each key's limit and window
# (seconds). Returns each key's wait in whole seconds (0: a place is free); only when every
# key has a place is the filing recorded under all of them.
_CHECK_AND_RECORD = """
local now = tonumber(ARGV[1])
local waits = {}
local refused = false
for i, key in ipairs(KEYS) do
    local limit = tonumber(ARGV[1 + 2 * i])
    local window = tonumber(ARGV[2 + 2 * i])
    redis.call('ZREMRANGEBYSCORE', key, '-inf', now - window)
    local count = redis.call('ZCARD', key)
    waits[i] = 0
    if count >= limit then
        local frees = redis.call('ZRANGE', key, count - limit, count - limit, 'WITHSCORES')
        waits[i] = math.max(1, math.ceil(tonumber(frees[2]) + window - now))
        refused = true
    end
end
if not refused then
    for i, key in ipairs(KEYS) do
        redis.call('ZADD', key, now, ARGV[2])
        redis.call('EXPIRE', key, math.ceil(tonumber(ARGV[2 + 2 * i])))
    end
end
return waits
"""
_script: Script | None = None

_PERIODS = {"s": 1, "m": 60, "h": 3600, "d": 86400}


def parse_rate(rate: str) -> tuple[int, int]:
    """``"60/hour"`` → (60, 3600), as DRF's rates are written."""
    count, period = rate.split("/")
    return int(count), _PERIODS[period[0]]


def _limits(request: Request, device_id: str) -> list[tuple[str, str]]:
    """(cache key, rate) of each limit that applies: the address's, and the device's if any."""
    address = BaseThrottle().get_ident(request)  # honours NUM_PROXIES, as every limit
    limits = [(f"anon-filing:address:{address}", settings.REPORT_ANON_RATE_PER_ADDRESS)]
    if device_id:
        digest = hashlib.sha256(device_id.encode()).hexdigest()
        limits.append((f"anon-filing:device:{digest}", settings.REPORT_ANON_RATE_PER_DEVICE))
    return limits


def anonymous_filing_check(request: Request, *, device_id: str) -> None:
    """Record one anonymous filing, or raise DRF's ``Throttled`` (429 with ``Retry-After``)
    when a limit is reached."""
    global _script
    limits = _limits(request, device_id)
    args: list[float | str] = [time.time(), secrets.token_hex(8)]
    for _key, rate in limits:
        args.extend(parse_rate(rate))
    try:
        client = get_redis_connection("default")
        if _script is None:
            _script = client.register_script(_CHECK_AND_RECORD)
        waits = _script(
            keys=[cache.make_key(key) for key, _rate in limits], args=args, client=client
        )
    except (RedisError, OSError) as exc:
        logger.warning("anonymous filing limit skipped: %s", type(exc).__name__)
        return
    if any(waits):
        raise Throttled(wait=max(int(wait) for wait in waits))
