"""Filing a report: validate, route, store, and queue its side effects, idempotently."""

import logging
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.contrib.gis.geos import Point
from django.core.files.uploadedfile import UploadedFile
from django.db import IntegrityError
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from apps.core import outbox
from apps.core.db import insert_linked, single_statement_atomic
from apps.core.errors import ApplicationError
from apps.core.models import OutboxMessage
from apps.core.outbox import DEDUP_CONSTRAINT as OUTBOX_KEY_CONSTRAINT
from apps.core.text import text_clean
from apps.identity.models import Reporter
from apps.identity.services import reporter_new
from apps.identity.services.reporters import PSEUDONYM_CONSTRAINT
from apps.reports import events, evidence
from apps.reports.codes import new_public_id, new_tracking_code, tracking_code_hash
from apps.reports.images import (
    ProcessedPhoto,
    location_mismatch,
    photo_process,
    upload_sha256,
)
from apps.reports.models import Custody, Report, ReportEvent, ReportPhoto
from apps.reports.services.common import (
    constraint_name,
    files_delete,
    first_notice_message,
    photo_store,
    status_title,
)
from apps.reports.services.intake_checks import (
    ReportCreateResult,
    check_accuracy,
    check_location,
    check_occurred_at,
    replay_or_conflict,
    request_fingerprint,
)
from apps.routing.models import Category
from apps.routing.selectors import Routing, route, route_for_kelurahan, route_to_triage
from apps.routing.selectors_address import AddressMatch

logger = logging.getLogger(__name__)

DESCRIPTION_MAX = 2000
# GeoReport v2 makes the description optional, up to 4,000 characters (docs/open311.md).
OPEN311_DESCRIPTION_MAX = 4000
ADDRESS_HINT_MAX = 300


PUBLIC_ID_ATTEMPTS = 10


@dataclass(frozen=True)
class _Placement:
    routing: Routing
    location: Point | None
    precision: str


def _place(
    *, location: Point | None, address: AddressMatch | None, category: Category
) -> _Placement:
    """Where the report is and who handles it: the reported point; else the kelurahan an
    address named (a point inside it, flagged approximate); else central triage with the
    location to be confirmed."""
    precision = Report.LocationPrecision
    if location is not None:
        return _Placement(route(point=location, category=category), location, precision.EXACT)
    evidence = {"match": "address", **(address.evidence if address else {})}
    if address is not None and address.kelurahan is not None and address.point is not None:
        routing = route_for_kelurahan(
            kelurahan=address.kelurahan, category=category, explanation=evidence
        )
        return _Placement(routing, address.point, precision.KELURAHAN)
    return _Placement(
        route_to_triage(category=category, explanation=evidence), None, precision.UNKNOWN
    )


def _store(
    *,
    reporter: Reporter | None,
    anonymous: bool,
    category: Category,
    location: Point | None,
    address: AddressMatch | None,
    description: str,
    client_request_id: uuid.UUID,
    fingerprint: str,
    occurred_at: datetime | None,
    accuracy_m: float | None,
    address_hint: str,
    is_public: bool,
    channel: str,
    processed: list[ProcessedPhoto],
    saved_files: list[str],
) -> tuple[ReportCreateResult, list[OutboxMessage]]:
    """Route and store the report; returns it with its outbox rows, for the caller to
    publish once the statement has committed."""
    placement = _place(location=location, address=address, category=category)
    routing = placement.routing
    now = timezone.now()
    tracking_code: str | None = None
    if anonymous:
        owner = reporter_new(user=None, at=now)  # stored below; report_create retries
        tracking_code = new_tracking_code()
    else:
        assert reporter is not None  # noqa: S101 - anonymous is forced when there is none
        owner = reporter
    report = Report(
        public_id=new_public_id(),
        created_at=now,
        updated_at=now,
        client_request_id=client_request_id,
        request_fingerprint=fingerprint,
        channel=channel,
        reporter=owner,
        is_anonymous=anonymous,
        tracking_code_hash=tracking_code_hash(tracking_code) if tracking_code else "",
        category=category,
        description=description,
        location=placement.location,
        location_precision=placement.precision,
        accuracy_m=accuracy_m,
        occurred_at=occurred_at or now,
        address_hint=address_hint,
        is_public=is_public,
        area=routing.area,
        agency=routing.agency,
        routing_explanation=routing.explanation,
        status=Report.Status.MENUNGGU,
        # The clock starts at the stored creation time, to the microsecond.
        provisional_due_at=now + timedelta(days=category.sla_days),
    )
    event = ReportEvent(
        report=report,
        kind=ReportEvent.Kind.CREATED,
        to_status=Report.Status.MENUNGGU,
        actor_id=None if anonymous else owner.user_id,  # by id: no query for the user
        agency=routing.agency,
        visibility=ReportEvent.Visibility.PUBLIC,
        data=events.created_data(channel=channel, photos=len(processed)),
        created_at=now,
    )
    custody = Custody(report=report, agency=routing.agency, officer=None, started_at=now)
    photos = [
        photo_store(
            report=report,
            processed=photo,
            index=index,
            kind=ReportPhoto.Kind.BEFORE,
            saved=saved_files,
            exif_location=photo.exif_location,
            # Only a reported point can disagree with the photo's own position.
            location_mismatch=location is not None
            and location_mismatch(exif_location=photo.exif_location, reported_at=location),
        )
        for index, photo in enumerate(processed, start=1)
    ]
    for photo_row in photos:
        photo_row.created_at = now  # a raw insert stores what is set: no auto_now_add
    # The side effects: the reporter's inbox message (an anonymous reporter has no inbox, so
    # no title is built) and the CCTV linking.
    notice = (
        None
        if anonymous
        else first_notice_message(
            report=report,
            title=status_title(report=report, status=Report.Status.MENUNGGU),
            at=now,
        )
    )
    messages = [*([notice] if notice else []), evidence.first_link_message(report=report, at=now)]
    # A new pseudonymous reporter, the report, its "created" event, its first custody
    # interval, its photos and its outbox rows: one statement, so atomic without a
    # transaction of its own (``report_create``). The values are stored exactly as built
    # here (a raw insert), so ``created_at`` is the very instant the SLA clock and a default
    # ``occurred_at`` were computed from.
    insert_linked(
        [
            *([(owner, {})] if anonymous else []),
            (report, {"reporter": owner} if anonymous else {}),
            (event, {"report": report}),
            (custody, {"report": report}),
            *((photo_row, {"report": report}) for photo_row in photos),
            *((message, {}) for message in messages),
        ]
    )
    # The caller answers from this object without reading it back: its relations are the
    # rows already loaded (category, routed kelurahan with its kecamatan and kota, unit,
    # owner) and its photos are the ones just stored.
    report._prefetched_objects_cache = {"photos": photos}  # type: ignore[attr-defined]
    return ReportCreateResult(report=report, created=True, tracking_code=tracking_code), messages


def report_create(
    *,
    reporter: Reporter | None,
    category: Category,
    location: Point | None,
    description: str,
    client_request_id: uuid.UUID,
    address: AddressMatch | None = None,
    occurred_at: datetime | None = None,
    accuracy_m: float | None = None,
    address_hint: str = "",
    is_public: bool = True,
    anonymous: bool = False,
    photos: Sequence[UploadedFile] = (),
    channel: str = Report.Channel.APP,
    device_id: str = "",
) -> ReportCreateResult:
    """File a report, or return the one already filed under ``client_request_id``.

    Validation and photo processing happen first (a refusal stores nothing); then routing,
    and one INSERT statement for the report, its "created" event, the first custody interval,
    the photos and the outbox rows (a statement is atomic: no transaction of its own, a
    savepoint inside a caller's). Without a ``reporter`` (or with ``anonymous``) a fresh
    pseudonymous reporter owns the report and a tracking code is returned, once.

    Idempotency: the same ``client_request_id`` with the same input returns the stored
    report (``created=False``, no tracking code); with different input it raises
    ``IdempotencyConflict``. An anonymous report is replayed only to the device that filed
    it (``device_id``, the app's ``X-Device-Id``); without one, a replay is a conflict.
    Concurrent duplicates meet the unique constraint: the losers roll back and return the
    winner's report.

    Without a ``location`` (Open311 lets a client send an address instead), ``address`` says
    which kelurahan the address named, if any (``apps.routing.selectors_address``): the report
    is placed at a point inside it and flagged approximate, or, naming none, goes to central
    triage with its location to be confirmed. Either way the SLA clock starts now.
    """
    anonymous = anonymous or reporter is None
    uploads = list(photos)
    if len(uploads) > settings.REPORT_PHOTO_MAX_COUNT:
        raise ApplicationError(
            fields={
                "photos": [
                    str(
                        _("At most %(n)s photos per report.")
                        % {"n": settings.REPORT_PHOTO_MAX_COUNT}
                    )
                ]
            }
        )
    if channel not in Report.Channel.values:
        raise ApplicationError(fields={"channel": [str(_("Unknown channel."))]})
    if location is not None:
        check_location(location)
    elif address is None:
        raise ApplicationError(
            fields={"location": [str(_("A location or an address is required."))]}
        )
    if not category.is_active:
        raise ApplicationError(fields={"category": [str(_("Unknown or inactive category."))]})
    digests = [upload_sha256(upload) for upload in uploads]
    fingerprint = request_fingerprint(
        anonymous=anonymous,
        reporter=reporter,
        category=category,
        location=location,
        kelurahan_code=(
            address.kelurahan.code
            if location is None and address is not None and address.kelurahan is not None
            else None
        ),
        description=description,
        occurred_at=occurred_at,
        accuracy_m=accuracy_m,
        address_hint=address_hint,
        is_public=is_public,
        channel=channel,
        photo_hashes=digests,
        device_id=device_id,
    )
    replayable = not anonymous or bool(device_id)

    def replay() -> ReportCreateResult | None:
        return replay_or_conflict(
            client_request_id=client_request_id, fingerprint=fingerprint, replayable=replayable
        )

    # A retry with photos is answered before they are decoded again. Without photos the
    # insert below is tried at once (one query less for every new report): the unique
    # client_request_id turns a retry into the same replay or conflict.
    if uploads and (stored := replay()) is not None:
        return stored

    open311 = channel == Report.Channel.OPEN311
    try:
        clean_description = text_clean(
            value=description,
            field="description",
            max_length=OPEN311_DESCRIPTION_MAX if open311 else DESCRIPTION_MAX,
            required=not open311,
        )
        clean_hint = text_clean(
            value=address_hint, field="address_hint", max_length=ADDRESS_HINT_MAX, required=False
        )
        if occurred_at is not None:
            check_occurred_at(occurred_at, timezone.now())
        check_accuracy(accuracy_m)
    except ApplicationError:
        # A retry of a stored report is answered as one even if its input no longer passes
        # (its occurred_at has since left the allowed window): the app must learn that it
        # was filed, or the reporter files it again.
        if (stored := replay()) is not None:
            return stored
        raise
    processed = [
        photo_process(upload=upload, index=index, digest=digest)
        for index, (upload, digest) in enumerate(zip(uploads, digests, strict=True), start=1)
    ]

    # A random public id may (rarely) be taken: the store is tried again with a new one. The
    # INSERT either stores everything or nothing; its photo files are removed when it fails.
    for _attempt in range(PUBLIC_ID_ATTEMPTS):
        saved_files: list[str] = []
        try:
            with single_statement_atomic():
                stored, messages = _store(
                    reporter=reporter,
                    anonymous=anonymous,
                    category=category,
                    location=location,
                    address=address,
                    description=clean_description,
                    client_request_id=client_request_id,
                    fingerprint=fingerprint,
                    occurred_at=occurred_at,
                    accuracy_m=accuracy_m,
                    address_hint=clean_hint,
                    is_public=is_public,
                    channel=channel,
                    processed=processed,
                    saved_files=saved_files,
                )
        except IntegrityError as exc:
            files_delete(saved_files)
            name = constraint_name(exc)
            if name in ("report_public_id_unique", PSEUDONYM_CONSTRAINT, OUTBOX_KEY_CONSTRAINT):
                # A random id collided (the outbox keys name the public id): try again.
                continue
            if name != "report_client_request_id_unique":
                raise
            # The key was used before (a retry), or a concurrent request with it committed
            # first: answer as its replay.
            if (stored := replay()) is None:
                raise
            return stored
        except BaseException:
            files_delete(saved_files)
            raise
        # Stored (committed, or released into the caller's transaction): the photo files are
        # the rows' now, whatever happens next. Publishing waits for the commit.
        outbox.publish_on_commit(messages)
        return stored
    raise RuntimeError("could not allocate a unique public id")
