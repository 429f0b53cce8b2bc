"""Pluggable SMS and push delivery.

``SMS_BACKEND`` / ``PUSH_BACKEND`` name a class with ``send(*, to, body, **extra)``. The file
backends append one JSON line per message under ``var/log/`` (like Django's file e-mail
backend) and are the development default; the memory backends keep messages in a list for
tests. A production deployment names its gateway's adapter here.

Sent from the outbox, a message carries ``message_id`` (``outbox:<id>``): a worker killed
after sending but before its outbox row is marked delivered makes the relay send it again,
and the backend must drop that repeat. The file and memory backends do (they keep the id
with the message and skip an id already there); a gateway adapter passes it as the
gateway's idempotency key (docs/operations.md, "Side effects exactly once").
"""

import fcntl
import json
import threading
from pathlib import Path
from typing import Any, ClassVar

from django.conf import settings
from django.utils.module_loading import import_string

from apps.core import outbox


class FileBackend:
    filename = "messages.log"
    _lock = threading.Lock()

    def send(self, *, to: str, body: str, message_id: str | None = None, **extra: Any) -> None:
        path = Path(settings.VAR_DIR) / "log" / self.filename
        path.parent.mkdir(parents=True, exist_ok=True)
        record = {"to": to, "body": body, **extra}
        if message_id is not None:
            record["message_id"] = message_id
        line = json.dumps(record, ensure_ascii=False)
        # The file lock serialises every process (web and worker pools) that writes here,
        # so the check for an id already sent and the append are one step.
        with self._lock, path.open("a+", encoding="utf-8") as handle:
            fcntl.flock(handle, fcntl.LOCK_EX)
            try:
                if message_id is not None and self._already_sent(handle, message_id):
                    return
                handle.write(line + "\n")
                handle.flush()
            finally:
                fcntl.flock(handle, fcntl.LOCK_UN)

    @staticmethod
    def _already_sent(handle: Any, message_id: str) -> bool:
        handle.seek(0)
        needle = json.dumps({"message_id": message_id})[1:-1]  # '"message_id": "outbox:7"'
        return any(needle in line for line in handle)


class FileSmsBackend(FileBackend):
    filename = "sms.log"


class FilePushBackend(FileBackend):
    filename = "push.log"


class MemoryBackend:
    outbox: ClassVar[list[dict[str, Any]]] = []

    def send(self, *, to: str, body: str, message_id: str | None = None, **extra: Any) -> None:
        if message_id is not None:
            if any(sent.get("message_id") == message_id for sent in self.outbox):
                return
            extra["message_id"] = message_id
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
    """Outbox handler: one push message through the configured backend, keyed by the outbox
    message it comes from (the backend drops a repeat of that key)."""
    message_id = outbox.current_message_id()
    if message_id is not None:
        extra["message_id"] = f"outbox:{message_id}"
    push_backend().send(to=to, body=body, **extra)
