"""Writes for the Open311 interface (docs/open311.md)."""

import hashlib
import secrets
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from django.contrib.gis.geos import Point
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction

from apps.core.errors import ApplicationError
from apps.identity.normalise import normalise_email
from apps.identity.services import reporter_create, reporter_identity_update
from apps.open311.models import ClientApp, ClientSubmission
from apps.reports.models import Report
from apps.reports.services import ReportCreateResult, report_create
from apps.routing.models import Category
from apps.routing.selectors_address import kelurahan_for_address

API_KEY_PREFIX = "lw311_"


@dataclass(frozen=True)
class ReporterContact:
    """The GeoReport v2 contact fields of a request. Never printed by any response."""

    email: str = ""
    phone: str = ""
    first_name: str = ""
    last_name: str = ""
    device_id: str = ""
    account_id: str = ""


def api_key_hash(*, api_key: str) -> str:
    return hashlib.sha256(api_key.encode("utf-8")).hexdigest()


@transaction.atomic
def client_app_create(*, name: str) -> tuple[ClientApp, str]:
    """Register a client app; returns it and its new api_key (the only time it is known)."""
    api_key = API_KEY_PREFIX + secrets.token_urlsafe(32)
    client = ClientApp.objects.create(
        name=name,
        key_prefix=api_key[: len(API_KEY_PREFIX) + 6],
        key_hash=api_key_hash(api_key=api_key),
    )
    return client, api_key


def _identity_changes(contact: ReporterContact) -> dict[str, str | None]:
    """What the identity vault will seal: the name and a valid e-mail address."""
    changes: dict[str, str | None] = {}
    name = " ".join(
        part.strip() for part in (contact.first_name, contact.last_name) if part.strip()
    )
    if name:
        changes["name"] = name
    if contact.email.strip():
        try:
            changes["email"] = normalise_email(contact.email)
        except ValidationError:
            raise ApplicationError(fields={"email": ["Enter a valid e-mail address."]}) from None
    return changes


@transaction.atomic
def open311_request_create(
    *,
    client: ClientApp,
    category: Category,
    location: Point | None,
    description: str,
    address: str = "",
    address_id: str = "",
    media_url: str = "",
    occurred_at: datetime | None = None,
    is_public: bool = True,
    photos: Sequence[UploadedFile] = (),
    contact: ReporterContact | None = None,
) -> ReportCreateResult:
    """File a report for ``client`` through ``apps.reports.services.report_create``.

    GeoReport v2 has no idempotency key, so each call gets a fresh server-side
    ``client_request_id`` (which doubles as the request's ``token``). The report belongs to a
    fresh pseudonymous reporter without an account. If the client sent a name or an e-mail
    address, they are sealed in the identity vault for that reporter
    (``apps.identity.services.reporter_identity_update``), so that officers can ask for an
    audited reveal; without them the report is anonymous. The phone number is *not* stored:
    in the vault it is the sign-in identifier of a citizen account, and a copy on an
    account-less reporter would block that citizen's OTP sign-in. ``device_id`` and
    ``account_id`` are identifiers of the client's own systems and are not stored either.

    Without a ``location``, ``address``/``address_id`` are matched against the loaded areas
    (``apps.routing.selectors_address``); ``media_url`` is kept on the submission.
    """
    changes = _identity_changes(contact or ReporterContact())
    reporter = None
    if changes:
        reporter = reporter_create(user=None)
        reporter_identity_update(reporter=reporter, changes=changes)
    match = (
        kelurahan_for_address(address=address, address_id=address_id) if location is None else None
    )
    result = report_create(
        reporter=reporter,
        anonymous=reporter is None,
        category=category,
        location=location,
        address=match,
        description=description,
        client_request_id=uuid.uuid4(),
        occurred_at=occurred_at,
        address_hint=address,
        is_public=is_public,
        photos=photos,
        channel=Report.Channel.OPEN311,
    )
    ClientSubmission.objects.create(report=result.report, client=client, media_url=media_url)
    return result
