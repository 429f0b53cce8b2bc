"""Secrets in query strings never reach a log (docs/security.md, row 9).

Open311 clients may send ``api_key`` in the query string (GeoReport v2 allows it). The
value is replaced by ``[redacted]`` in gunicorn's access log (``RedactingGunicornLogger``,
``scripts/run.sh``) and in every record of Django's logging (``RedactSecretsFilter`` on
the handlers in settings), whatever logger wrote it.
"""

import logging
import re
from typing import Any

from gunicorn.glogging import Logger as GunicornLogger

SECRET_PARAMETERS = ("api_key", "token", "password")
_SECRET_IN_QUERY = re.compile(
    r"(?i)((?:^|[?&;\s\"'])(?:%s)=)[^&;\s\"']*" % "|".join(SECRET_PARAMETERS)  # noqa: UP031
)
REDACTED = "[redacted]"


def redact(text: str) -> str:
    """``text`` with the value of every secret query parameter replaced."""
    return _SECRET_IN_QUERY.sub(lambda m: m.group(1) + REDACTED, text)


class RedactSecretsFilter(logging.Filter):
    """Rewrites the record's message (and drops its request's query from any traceback
    text) so that no handler ever formats a secret."""

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        cleaned = redact(message)
        if cleaned != message:
            record.msg, record.args = cleaned, None
        if record.exc_info and not record.exc_text:
            # Formatted here, redacted; the handler's formatter then uses this text.
            record.exc_text = logging.Formatter().formatException(record.exc_info)
        if record.exc_text:
            record.exc_text = redact(record.exc_text)
        return True


class RedactingGunicornLogger(GunicornLogger):
    """gunicorn's access log with secret query parameters redacted (``%(r)s``, ``%(q)s``,
    ``%(U)s`` and the referer)."""

    def atoms(self, resp: Any, req: Any, environ: Any, request_time: Any) -> dict[str, Any]:
        atoms: dict[str, Any] = super().atoms(resp, req, environ, request_time)
        for key in ("r", "q", "U", "f"):
            if isinstance(atoms.get(key), str):
                atoms[key] = redact(atoms[key])
        for key in list(atoms):
            if key.startswith("{") and isinstance(atoms[key], str):
                atoms[key] = redact(atoms[key])
        return atoms
