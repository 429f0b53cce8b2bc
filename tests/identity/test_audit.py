"""The identity access log: append-only trigger, hash chain, tamper detection (row 38)."""

import io

import pytest
from django.core.management import CommandError, call_command
from django.db import DatabaseError, connection, transaction

from apps.identity import selectors, services
from apps.identity.models import IdentityAccessEvent
from tests.identity.factories import TICKET, citizen, granted_request

TABLE = "identity_identityaccessevent"


def _verify() -> str:
    out = io.StringIO()
    call_command("verify_identity_audit", stdout=out)
    return out.getvalue()


def _some_events(officer, supervisor, sda, reveals: int = 2) -> list[IdentityAccessEvent]:
    reporter = citizen()
    for _ in range(reveals):  # one reveal per grant
        granted_request(reporter=reporter, officer=officer, supervisor=supervisor)
        services.identity_reveal(
            reporter=reporter, ticket_ref=TICKET, agency=sda, actor=officer, fields=["name"]
        )
    return list(IdentityAccessEvent.objects.order_by("id"))


@pytest.mark.django_db
def test_every_row_links_to_the_previous_one(officer, supervisor, sda):
    events = _some_events(officer, supervisor, sda)

    assert events[0].prev_hash == IdentityAccessEvent.GENESIS_HASH
    assert [e.prev_hash for e in events[1:]] == [e.hash for e in events[:-1]]
    assert all(e.hash == e.compute_hash(e.prev_hash) for e in events)
    assert _verify().strip() == f"identity access log intact: {len(events)} event(s)"


@pytest.mark.django_db
@pytest.mark.parametrize(
    "sql",
    [
        f"UPDATE {TABLE} SET reason = 'edited'",  # noqa: S608 - fixed table name
        f"DELETE FROM {TABLE}",  # noqa: S608
    ],
)
def test_the_trigger_refuses_update_and_delete(officer, supervisor, sda, sql):
    events = _some_events(officer, supervisor, sda, reveals=1)

    with (
        pytest.raises(DatabaseError, match="append-only"),
        transaction.atomic(),
        connection.cursor() as cursor,
    ):
        cursor.execute(sql)

    assert list(IdentityAccessEvent.objects.order_by("id")) == events
    assert IdentityAccessEvent.objects.filter(reason="edited").count() == 0


@pytest.mark.django_db
def test_the_orm_cannot_edit_or_delete_either(officer, supervisor, sda):
    event = _some_events(officer, supervisor, sda, reveals=1)[-1]

    with pytest.raises(DatabaseError), transaction.atomic():
        IdentityAccessEvent.objects.filter(pk=event.pk).update(ticket_ref="LW-XXXXXX")
    with pytest.raises(DatabaseError), transaction.atomic():
        event.delete()


def _with_trigger_disabled(sql: str, params: list[object]) -> None:
    """What the table owner (or a superuser) can still do: the chain must show it."""
    with connection.cursor() as cursor:
        # Run the deferred foreign-key checks now: ALTER TABLE refuses pending trigger events.
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
        cursor.execute(f"ALTER TABLE {TABLE} DISABLE TRIGGER identity_access_event_append_only")
        cursor.execute(sql, params)
        cursor.execute(f"ALTER TABLE {TABLE} ENABLE TRIGGER identity_access_event_append_only")
        cursor.execute("SET CONSTRAINTS ALL DEFERRED")


@pytest.mark.django_db
def test_an_edited_row_is_reported_with_exit_code_1(officer, supervisor, sda):
    events = _some_events(officer, supervisor, sda)
    target = events[2]
    _with_trigger_disabled(f"UPDATE {TABLE} SET ticket_ref = %s WHERE id = %s", ["LW-X", target.pk])  # noqa: S608

    with pytest.raises(CommandError) as caught:
        _verify()

    assert caught.value.returncode == 1
    assert str(caught.value).startswith(
        f"identity access log broken at event id {target.pk}: hash does not match"
    )


@pytest.mark.django_db
def test_a_deleted_row_breaks_the_next_link(officer, supervisor, sda):
    events = _some_events(officer, supervisor, sda)
    _with_trigger_disabled(f"DELETE FROM {TABLE} WHERE id = %s", [events[1].pk])  # noqa: S608

    _checked, broken = selectors.access_event_chain_first_break()

    assert broken == selectors.ChainBreak(events[2].pk, "prev_hash does not match the previous row")


@pytest.mark.django_db
def test_a_recomputed_row_hash_still_breaks_the_following_link(officer, supervisor, sda):
    events = _some_events(officer, supervisor, sda)
    edited = events[1]
    edited.reason = "rewritten"
    new_hash = edited.compute_hash(edited.prev_hash)
    _with_trigger_disabled(
        f"UPDATE {TABLE} SET reason = %s, hash = %s WHERE id = %s",  # noqa: S608
        ["rewritten", new_hash, edited.pk],
    )

    _checked, broken = selectors.access_event_chain_first_break()

    assert broken is not None
    assert broken.event_id == events[2].pk
