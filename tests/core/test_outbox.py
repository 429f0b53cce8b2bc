import json
from typing import Any

import pytest
from django.test import override_settings
from kombu.exceptions import OperationalError

from apps.core import outbox
from apps.core.messaging import FilePushBackend, MemoryPushBackend
from apps.core.messaging import push_send as _push_send
from apps.core.models import OutboxMessage

pytestmark = pytest.mark.django_db

PUSH = "apps.core.messaging.push_send"


class FailingPushBackend:
    def send(self, **message: object) -> None:
        raise ConnectionError("gateway down")


def test_message_is_delivered_after_commit_exactly_once(
    django_capture_on_commit_callbacks,  # type: ignore[no-untyped-def]
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        message_id = outbox.enqueue(handler=PUSH, payload={"to": "Warga-A", "body": "x"})
    sent = [{"to": "Warga-A", "body": "x", "message_id": f"outbox:{message_id}"}]
    assert MemoryPushBackend.outbox == sent
    # A redelivery (duplicate task, relay run) does nothing new.
    assert outbox.deliver(message_id=message_id) is False
    assert outbox.relay() == 0
    assert MemoryPushBackend.outbox == sent
    assert OutboxMessage.objects.get(pk=message_id).delivered_at is not None


def test_handlers_must_live_in_the_project() -> None:
    with pytest.raises(ValueError, match="apps"):
        outbox.enqueue(handler="os.system", payload={"command": "true"})
    assert OutboxMessage.objects.count() == 0


def test_dedup_key_records_a_side_effect_once() -> None:
    first = outbox.enqueue(handler="apps.core.tasks.outbox_purge", payload={}, dedup_key="k1")
    second = outbox.enqueue(handler="apps.core.tasks.outbox_purge", payload={}, dedup_key="k1")
    assert first is not None
    assert second is None
    assert OutboxMessage.objects.filter(dedup_key="k1").count() == 1


def test_enqueue_many_inserts_in_one_statement_and_counts_only_new_keys(
    django_capture_on_commit_callbacks,  # type: ignore[no-untyped-def]
    django_assert_num_queries,  # type: ignore[no-untyped-def]
) -> None:
    messages = {f"m{i}": {"to": f"Warga-{i}", "body": "x"} for i in range(3)}
    with django_capture_on_commit_callbacks(execute=True):
        with django_assert_num_queries(1):
            assert outbox.enqueue_many(handler=PUSH, messages=messages) == 3
        # queued again, with one new key: only that one is inserted and counted
        again = {**messages, "m3": {"to": "Warga-3", "body": "x"}}
        assert outbox.enqueue_many(handler=PUSH, messages=again) == 1
    assert OutboxMessage.objects.count() == 4
    assert sorted(sent["to"] for sent in MemoryPushBackend.outbox) == [
        f"Warga-{i}" for i in range(4)
    ]
    assert outbox.enqueue_many(handler=PUSH, messages={}) == 0
    with pytest.raises(ValueError, match="apps"):
        outbox.enqueue_many(handler="os.system", messages={"k": {}})


def test_a_large_batch_is_published_as_one_relay_run(
    django_capture_on_commit_callbacks,  # type: ignore[no-untyped-def]
) -> None:
    messages = {f"m{i}": {"to": f"Warga-{i}", "body": "x"} for i in range(25)}
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        assert outbox.enqueue_many(handler=PUSH, messages=messages) == 25
    assert len(callbacks) == 1
    callbacks[0]()
    assert len(MemoryPushBackend.outbox) == 25
    assert not OutboxMessage.objects.filter(delivered_at__isnull=True).exists()


def test_a_failing_handler_is_recorded_and_retried_later() -> None:
    message_id = OutboxMessage.objects.create(
        handler=PUSH, payload={"to": "Warga-A", "body": "x"}, available_at="2020-01-01T00:00:00Z"
    ).pk
    with override_settings(PUSH_BACKEND="tests.core.test_outbox.FailingPushBackend"):
        assert outbox.relay() == 0
    message = OutboxMessage.objects.get(pk=message_id)
    assert (message.attempts, message.last_error, message.delivered_at) == (
        1,
        "ConnectionError",
        None,
    )
    assert message_id not in outbox.pending_ids()  # backed off into the future
    # Once due again and the gateway is back, it is delivered once.
    OutboxMessage.objects.filter(pk=message_id).update(available_at="2020-01-01T00:00:00Z")
    assert outbox.relay() == 1
    assert MemoryPushBackend.outbox == [
        {"to": "Warga-A", "body": "x", "message_id": f"outbox:{message_id}"}
    ]


def test_a_rolled_back_change_leaves_no_side_effect() -> None:
    from django.db import transaction

    def change_then_fail() -> None:
        with transaction.atomic():
            outbox.enqueue(handler=PUSH, payload={"to": "Warga-A", "body": "x"})
            raise RuntimeError("abort")

    with pytest.raises(RuntimeError):
        change_then_fail()
    assert OutboxMessage.objects.count() == 0
    assert MemoryPushBackend.outbox == []


class _KilledAfterSending(BaseException):
    """Stands for SIGKILL: the handler's effect happened, its transaction never commits."""


def _send_then_die(**payload: object) -> None:
    _push_send(**payload)  # type: ignore[arg-type]
    raise _KilledAfterSending


@pytest.mark.parametrize(
    "backend", ["apps.core.messaging.MemoryPushBackend", "apps.core.messaging.FilePushBackend"]
)
def test_a_push_repeated_after_a_crash_before_commit_is_dropped_by_message_id(
    backend: str, settings, tmp_path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Issue #17, drill 1: the push went out, the worker died before the outbox row was
    marked delivered, the relay delivers the message again: the backend drops the repeat."""
    settings.PUSH_BACKEND = backend
    settings.VAR_DIR = tmp_path
    message_id = outbox.enqueue(handler=PUSH, payload={"to": "Warga-K", "body": "x"})
    other_id = outbox.enqueue(handler=PUSH, payload={"to": "Warga-K", "body": "x"})
    monkeypatch.setattr("apps.core.messaging.push_send", _send_then_die)
    with pytest.raises(_KilledAfterSending):
        outbox.deliver(message_id=message_id)
    monkeypatch.undo()
    assert OutboxMessage.objects.get(pk=message_id).delivered_at is None  # rolled back
    assert outbox.relay() == 2  # the repeat, and the other message
    assert outbox.relay() == 0
    if backend.endswith("MemoryPushBackend"):
        sent = [m["message_id"] for m in MemoryPushBackend.outbox]
    else:
        log = (tmp_path / "log" / "push.log").read_text(encoding="utf-8").splitlines()
        sent = [json.loads(line)["message_id"] for line in log]
    # once each: the same body to the same person twice is two messages, not a repeat
    assert sent == [f"outbox:{message_id}", f"outbox:{other_id}"]


def test_a_message_sent_outside_the_outbox_carries_no_key_and_is_never_dropped(
    settings, tmp_path
) -> None:
    settings.VAR_DIR = tmp_path
    for _ in range(2):
        FilePushBackend().send(to="Warga-L", body="y")
    lines = (tmp_path / "log" / "push.log").read_text(encoding="utf-8").splitlines()
    assert [json.loads(line) for line in lines] == [{"to": "Warga-L", "body": "y"}] * 2


def test_after_a_failed_publish_the_next_messages_wait_for_the_relay_without_retrying(
    django_capture_on_commit_callbacks: Any, monkeypatch: Any
) -> None:
    """A report queues two messages; with the broker down, only the first pays the
    connection timeout, the second is left to the relay at once."""
    from apps.core import tasks

    attempts: list[int] = []

    def broker_down(*, kwargs: dict[str, Any], **options: Any) -> None:
        attempts.append(kwargs["message_id"])
        raise OperationalError("redis is down")

    monkeypatch.setattr(tasks.outbox_deliver, "apply_async", broker_down)
    with django_capture_on_commit_callbacks(execute=True):
        first = outbox.enqueue(
            handler="apps.core.messaging.push_send", payload={"to": "a", "body": "x"}
        )
        outbox.enqueue(handler="apps.core.messaging.push_send", payload={"to": "b", "body": "y"})
    assert attempts == [first]
    assert len(outbox.pending_ids()) == 2
