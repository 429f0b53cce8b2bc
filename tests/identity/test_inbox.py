import pytest
from django.utils import timezone
from knox.models import AuthToken
from rest_framework.test import APIClient

from apps.core import outbox
from apps.core.messaging import MemoryPushBackend
from apps.core.models import OutboxMessage
from apps.identity.models import InboxMessage
from apps.identity.services import inbox_deliver
from tests.factories import ReporterFactory

pytestmark = pytest.mark.django_db


def _auth(api_client, user):
    _, token = AuthToken.objects.create(user=user)
    api_client.credentials(HTTP_AUTHORIZATION=f"Token {token}")
    return api_client


def test_inbox_deliver_stores_once_and_pushes_once(django_capture_on_commit_callbacks):
    reporter = ReporterFactory()
    args = {
        "reporter_id": reporter.pk,
        "kind": "status",
        "title": "Laporan LW-7K3QX9 sedang diproses",
        "body": "Petugas sedang menuju lokasi.",
        "report_public_id": "LW-7K3QX9",
        "dedup_key": "report:1:status:proses",
    }
    with django_capture_on_commit_callbacks(execute=True):
        inbox_deliver(**args)
    with django_capture_on_commit_callbacks(execute=True):
        inbox_deliver(**args)

    message = InboxMessage.objects.get()
    assert (message.reporter_id, message.kind, message.report_public_id) == (
        reporter.pk,
        "status",
        "LW-7K3QX9",
    )
    push = OutboxMessage.objects.get(dedup_key="push:report:1:status:proses")
    assert MemoryPushBackend.outbox == [
        {
            "to": reporter.pseudonym,
            "body": "Laporan LW-7K3QX9 sedang diproses",
            "report": "LW-7K3QX9",
            "kind": "status",
            "id": "report:1:status:proses",
            "message_id": f"outbox:{push.pk}",
        }
    ]


def test_inbox_deliver_through_the_outbox_is_idempotent(django_capture_on_commit_callbacks):
    reporter = ReporterFactory()
    payload = {
        "reporter_id": reporter.pk,
        "kind": "message",
        "title": "Pesan dari petugas",
        "body": "Mohon kirim foto tambahan.",
        "dedup_key": "report:2:message:9",
    }
    with django_capture_on_commit_callbacks(execute=False):
        message_id = outbox.enqueue(handler="apps.identity.services.inbox_deliver", payload=payload)
    assert message_id is not None
    with django_capture_on_commit_callbacks(execute=True):
        assert outbox.deliver(message_id=message_id) is True
    OutboxMessage.objects.filter(pk=message_id).update(delivered_at=None)  # a redelivery
    with django_capture_on_commit_callbacks(execute=True):
        assert outbox.deliver(message_id=message_id) is True

    assert InboxMessage.objects.filter(reporter=reporter).count() == 1
    assert len(MemoryPushBackend.outbox) == 1


class FailingPushBackend:
    def send(self, **_message: object) -> None:
        raise ConnectionError("push gateway down")


def test_a_push_the_backend_refused_is_retried_not_lost(
    settings, django_capture_on_commit_callbacks
):
    reporter = ReporterFactory()
    with django_capture_on_commit_callbacks(execute=False):  # the relay delivers, below
        inbox_deliver(reporter_id=reporter.pk, kind="status", title="t", body="b", dedup_key="k:1")
    push = OutboxMessage.objects.get(dedup_key="push:k:1")
    settings.PUSH_BACKEND = f"{__name__}.FailingPushBackend"
    with pytest.raises(ConnectionError):
        outbox.deliver(message_id=push.pk)
    push.refresh_from_db()
    assert (push.delivered_at, push.attempts, push.last_error) == (None, 1, "ConnectionError")
    assert MemoryPushBackend.outbox == []

    settings.PUSH_BACKEND = "apps.core.messaging.MemoryPushBackend"
    assert outbox.deliver(message_id=push.pk) is True
    assert outbox.deliver(message_id=push.pk) is False  # delivered: never twice
    assert [m["id"] for m in MemoryPushBackend.outbox] == ["k:1"]
    assert InboxMessage.objects.filter(reporter=reporter).count() == 1


def test_inbox_deliver_to_an_erased_reporter_stores_nothing(django_capture_on_commit_callbacks):
    reporter = ReporterFactory(erased_at=timezone.now())
    with django_capture_on_commit_callbacks(execute=True):
        inbox_deliver(reporter_id=reporter.pk, kind="status", title="t", body="b", dedup_key="k")
    assert InboxMessage.objects.count() == 0
    assert MemoryPushBackend.outbox == []


def test_inbox_list_is_newest_first_and_own_only(api_client, django_assert_num_queries):
    reporter, other = ReporterFactory(), ReporterFactory()
    for n in range(3):
        inbox_deliver(
            reporter_id=reporter.pk, kind="status", title=f"t{n}", body="", dedup_key=f"a{n}"
        )
    inbox_deliver(reporter_id=other.pk, kind="status", title="not yours", body="", dedup_key="b")
    client = _auth(api_client, reporter.user)

    response = client.get("/api/v1/me/inbox/")

    assert response.status_code == 200
    assert [m["title"] for m in response.json()["results"]] == ["t2", "t1", "t0"]
    assert response.json()["count"] == 3


def test_inbox_mark_read_and_someone_elses_message_is_404(api_client):
    reporter, other = ReporterFactory(), ReporterFactory()
    inbox_deliver(reporter_id=reporter.pk, kind="status", title="mine", body="", dedup_key="m")
    inbox_deliver(reporter_id=other.pk, kind="status", title="theirs", body="", dedup_key="t")
    mine = InboxMessage.objects.get(dedup_key="m")
    theirs = InboxMessage.objects.get(dedup_key="t")
    client = _auth(api_client, reporter.user)

    ok = client.post(f"/api/v1/me/inbox/{mine.public_id}/read/")
    denied = client.post(f"/api/v1/me/inbox/{theirs.public_id}/read/")

    assert ok.status_code == 200
    assert ok.json()["read_at"] is not None
    assert denied.status_code == 404
    assert denied.json()["error"]["code"] == "not_found"
    theirs.refresh_from_db()
    assert theirs.read_at is None


def test_inbox_requires_authentication(api_client):
    assert api_client.get("/api/v1/me/inbox/").status_code == 401


def test_inbox_list_query_count_does_not_grow_with_messages(django_assert_num_queries):
    reporter = ReporterFactory()
    for n in range(5):
        inbox_deliver(reporter_id=reporter.pk, kind="s", title=f"t{n}", body="", dedup_key=f"q{n}")
    client = APIClient()
    client.credentials(
        HTTP_AUTHORIZATION=f"Token {AuthToken.objects.create(user=reporter.user)[1]}"
    )

    # token lookup, token refresh, reporter, count, page
    with django_assert_num_queries(5):
        assert len(client.get("/api/v1/me/inbox/").json()["results"]) == 5


@pytest.mark.parametrize("query", ["page=0", "page_size=null", "page_size=-1", "page=x"])
def test_malformed_paging_is_a_400(api_client, query):
    client = _auth(api_client, ReporterFactory().user)
    response = client.get(f"/api/v1/me/inbox/?{query}")
    assert response.status_code == 400
    assert response.json()["error"]["code"] == "invalid"


def test_page_size_above_the_cap_counts_as_100_and_empty_means_absent(api_client):
    client = _auth(api_client, ReporterFactory().user)
    assert client.get("/api/v1/me/inbox/?page_size=100000").status_code == 200
    assert client.get("/api/v1/me/inbox/?page=&page_size=").status_code == 200
