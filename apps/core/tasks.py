"""The core Celery tasks. They are declared in ``apps.core.outbox``, next to the code that
publishes them, and registered under these names (``apps.core.tasks.*``)."""

from apps.core.outbox import outbox_deliver, outbox_purge, outbox_relay

__all__ = ["outbox_deliver", "outbox_purge", "outbox_relay"]
