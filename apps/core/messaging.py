"""Pluggable SMS and push delivery.

``SMS_BACKEND`` / ``PUSH_BACKEND`` name a class with ``send(*, to, body, **extra)``. The file
backends append one JSON line per message under ``var/log/`` (like Django's file e-mail
backend) and are the development default; the memory backends keep messages in a list for
tests. A production deployment names its gateway's adapter here.
"""

import json
import threading
from pathlib import Path
from typing import Any, ClassVar

from django.conf import settings
from django.utils.module_loading import import_string


class FileBackend:
    filename = "messages.log"
    _lock = threading.Lock()

    def send(self, *, to: str, body: str, **extra: Any) -> None:
        path = Path(settings.VAR_DIR) / "log" / self.filename
        path.parent.mkdir(parents=True, exist_ok=True)
        line = json.dumps({"to": to, "body": body, **extra}, ensure_ascii=False)
        with self._lock, path.open("a", encoding="utf-8") as handle:
            handle.write(line + "\n")


class FileSmsBackend(FileBackend):
    filename = "sms.log"


class FilePushBackend(FileBackend):
    filename = "push.log"


class MemoryBackend:
    outbox: ClassVar[list[dict[str, Any]]] = []

    def send(self, *, to: str, body: str, **extra: Any) -> None:
        self.outbox.append({"to": to, "body": body, **extra})


class MemorySmsBackend(MemoryBackend):
    outbox: ClassVar[list[dict[str, Any]]] = []


class MemoryPushBackend(MemoryBackend):
    outbox: ClassVar[list[dict[str, Any]]] = []


def sms_backend() -> Any:
    return import_string(settings.SMS_BACKEND)()


def push_backend() -> Any:
    return import_string(settings.PUSH_BACKEND)()


def push_send(*, to: str, body: str, **extra: Any) -> None:
    """Outbox handler: one push message through the configured backend."""
    push_backend().send(to=to, body=body, **extra)
