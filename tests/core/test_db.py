"""The statements below the ORM (apps/core/db.py): what they store, how they fail, that the
prepared path and Django's cursor agree."""

import uuid
from datetime import timedelta
from typing import Any

import pytest
from django.db import IntegrityError, connection, transaction
from django.db.models import Model, signals  # noqa: TID251 - to check there are no receivers
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from apps.core.db import insert_linked, prepared_fetch
from apps.core.models import OutboxMessage
from apps.identity.models import Reporter
from apps.identity.services import reporter_new
from apps.reports.models import Custody, Report, ReportEvent, ReportPhoto
from apps.routing.models import Category
from apps.routing.selectors import route
from tests.conftest import MONAS
from tests.reports.factories import citizen

pytestmark = pytest.mark.django_db


AN_HOUR_AGO = timezone.now() - timedelta(hours=1)  # not "now": values are kept as set


def _family(category: Category) -> tuple[Reporter, Report, ReportEvent, Custody]:
    routing = route(point=MONAS, category=category)
    now = AN_HOUR_AGO
    reporter = reporter_new(user=None, at=now)
    report = Report(
        public_id=f"LW-T{uuid.uuid4().hex[:5].upper()}",
        created_at=now,
        updated_at=now,
        client_request_id=uuid.uuid4(),
        request_fingerprint="f" * 64,
        reporter=reporter,
        is_anonymous=True,
        category=category,
        description="Genangan di depan halte",
        location=MONAS,
        occurred_at=now - timedelta(hours=1),
        area=routing.area,
        agency=routing.agency,
        routing_explanation={"rule": "test", "nested": [1, "dua"]},
        provisional_due_at=now + timedelta(days=6),
    )
    event = ReportEvent(
        report=report,
        kind=ReportEvent.Kind.CREATED,
        to_status=Report.Status.MENUNGGU,
        agency=routing.agency,
        data={"channel": "app"},
        created_at=now,
    )
    custody = Custody(report=report, agency=routing.agency, started_at=now)
    return reporter, report, event, custody


def _store(reporter: Reporter, report: Report, event: ReportEvent, custody: Custody) -> None:
    insert_linked(
        [
            (reporter, {}),
            (report, {"reporter": reporter}),
            (event, {"report": report}),
            (custody, {"report": report}),
        ]
    )


def _stored_as_built(obj: Model) -> None:
    stored = type(obj).objects.get(pk=obj.pk)  # type: ignore[attr-defined]
    for field in obj._meta.concrete_fields:
        assert getattr(stored, field.attname) == getattr(obj, field.attname), field.name


def test_insert_linked_stores_every_field_as_set_and_links_the_rows(flood: Category) -> None:
    rows = _family(flood)
    _store(*rows)
    reporter, report, event, custody = rows
    assert all(obj.pk is not None and not obj._state.adding for obj in rows)
    assert report.reporter_id == reporter.pk
    assert event.report_id == custody.report_id == report.pk
    assert report.reporter is reporter  # the related instances are kept, not re-read
    for obj in rows:
        _stored_as_built(obj)  # auto_now fields untouched, JSON and geometry round-trip


def test_the_prepared_statement_and_djangos_cursor_store_the_same(
    flood: Category, settings: Any
) -> None:
    prepared = _family(flood)
    _store(*prepared)
    settings.DATABASE_PREPARED_STATEMENTS = False
    plain = _family(flood)
    with CaptureQueriesContext(connection) as queries:
        _store(*plain)
    assert len(queries) == 1  # one statement either way
    for a, b in zip(prepared, plain, strict=True):
        for field in a._meta.concrete_fields:
            if field.primary_key or field.name in ("public_id", "client_request_id", "pseudonym"):
                continue
            if field.is_relation and field.related_model in (Reporter, Report):
                continue
            assert getattr(a, field.attname) == getattr(b, field.attname), field.name
        _stored_as_built(b)


def test_a_violated_constraint_is_djangos_integrity_error_and_stores_nothing(
    flood: Category,
) -> None:
    first = _family(flood)
    _store(*first)
    clash = _family(flood)
    clash[1].public_id = first[1].public_id
    counts = (Reporter.objects.count(), Report.objects.count(), ReportEvent.objects.count())
    with pytest.raises(IntegrityError) as caught, transaction.atomic():
        _store(*clash)
    assert caught.value.__cause__.diag.constraint_name == "report_public_id_unique"  # type: ignore[union-attr]
    assert (Reporter.objects.count(), Report.objects.count(), ReportEvent.objects.count()) == (
        counts
    )
    assert clash[1].pk is None


def test_a_row_may_point_at_an_existing_one_without_a_link(flood: Category) -> None:
    _reporter, report, event, custody = _family(flood)
    report.reporter = citizen()
    insert_linked([(report, {}), (event, {"report": report}), (custody, {"report": report})])
    _stored_as_built(report)
    assert Report.objects.get(pk=report.pk).reporter_id == report.reporter_id


def test_a_link_must_name_a_foreign_key_to_an_earlier_row(flood: Category) -> None:
    _reporter, report, event, _custody = _family(flood)
    before = (Report.objects.count(), ReportEvent.objects.count())
    with pytest.raises(TypeError, match="description is not a foreign key"):
        insert_linked([(event, {}), (report, {"description": event})])
    with pytest.raises(ValueError, match="rows before it"):
        insert_linked([(event, {"report": report}), (report, {})])
    assert (Report.objects.count(), ReportEvent.objects.count()) == before
    assert report.pk is None
    assert event.pk is None


@pytest.mark.parametrize(
    "model", [Reporter, Report, ReportEvent, Custody, ReportPhoto, OutboxMessage]
)
def test_the_models_stored_this_way_have_no_save_receivers(model: type[Model]) -> None:
    # insert_linked sends no signals; a receiver added later would silently miss these rows.
    for signal in (signals.pre_save, signals.post_save):
        assert not signal.has_listeners(model), f"{signal} has a receiver for {model.__name__}"


def test_prepared_fetch_prepares_the_statement_once_per_connection() -> None:
    sql = "SELECT count(*) FROM routing_category WHERE code = %s"
    assert prepared_fetch(sql, ["banjir"]) == [(1,)]
    assert prepared_fetch(sql, ["tidak-ada"]) == [(0,)]
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(*) FROM pg_prepared_statements "
            "WHERE statement LIKE 'SELECT count(*) FROM routing_category WHERE code = $1'"
        )
        assert cursor.fetchone() == (1,)
