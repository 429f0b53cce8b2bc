"""The officer actions, each declared once (docs/triage.md, "Officer actions").

One ``OfficerAction`` per decision an officer takes on a ticket: its name, its button label,
its input serializer, the service it calls, who may run it, when the ticket page offers it
and the confirmation it shows. The admin ticket page (``apps.triage.admin.ticket_page``)
and the staff API (``apps.triage.api.views`` and ``urls``) are both built from ``ACTIONS``:
adding an action is its service, its entry here and its test.

Inputs arrive as the input serializer validated them (codes, usernames, public ids); the
``arguments`` of an entry turn them into what its service takes (a unit, an officer, a
ticket in the actor's scope, a point), refusing a value that names nothing with a 400 on
the field. Free text goes to the service as posted: the services clean it.
"""

import inspect
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from django.contrib.gis.geos import Point
from django.db.models import QuerySet
from django.utils.functional import Promise
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from apps.accounts.models import Agency, User
from apps.accounts.selectors import agency_get_by_code, user_get_by_username
from apps.core.errors import ApplicationError, NotFound
from apps.reports.models import Report
from apps.triage import services
from apps.triage.api import serializers as inputs
from apps.triage.selectors import scope as selectors_staff

S = Report.Status

# What the ticket page knows when it decides which actions to offer.
Page = Mapping[str, Any]
Arguments = Callable[[dict[str, Any], User], dict[str, Any]]

# The words shown for an input in the admin (a message never names a field by its key).
FIELD_LABELS: dict[str, Promise] = {
    "note": _("Note"),
    "reason": _("Reason"),
    "question": _("Question to the reporter"),
    "reason_code": _("Reason"),
    "assignee": _("Officer"),
    "to_agency": _("Receiving unit"),
    "parent": _("Parent ticket"),
    "parent_id": _("Parent ticket"),
    "photo": _("After-photo"),
    "lat": _("Location"),
    "lon": _("Location"),
}


@dataclass(frozen=True)
class OfficerAction:
    name: str  # the admin's /act/<name>/ and, with "-" for "_", the API's /<name>/
    label: Promise  # the button
    input: type[serializers.Serializer]
    service: Callable[..., object]
    done: Callable[[dict[str, Any]], str]  # the confirmation, from the service's arguments
    doc: str  # the API operation's description
    offered: Callable[[Report, Page], bool] = lambda report, page: True
    permission: Callable[[selectors_staff.StaffScope, Report], bool] = (
        selectors_staff.StaffScope.can_act
    )
    arguments: Arguments | None = None  # default: the validated fields the service takes
    targets: Callable[[Report], QuerySet[Agency]] | None = None  # units it may go to
    template_purpose: str = ""  # response templates offered for its text
    reason_purpose: str = ""  # canned reasons offered for its text
    multipart: bool = False

    @property
    def path(self) -> str:
        return self.name.replace("_", "-")

    def run(self, *, report: Report, actor: User, data: dict[str, Any]) -> str:
        """Call the service with the validated ``data``; the confirmation to show."""
        if self.arguments is not None:
            kwargs = self.arguments(data, actor)
        else:
            accepted = inspect.signature(self.service).parameters
            kwargs = {key: value for key, value in data.items() if key in accepted}
        self.service(report=report, actor=actor, **kwargs)
        return gettext("%(id)s: %(what)s") % {"id": report.public_id, "what": self.done(kwargs)}


# ---- look-ups of the inputs that name something --------------------------------------------


def _unit(data: dict[str, Any], _actor: User) -> dict[str, Any]:
    agency = agency_get_by_code(code=data["to_agency"])
    if agency is None:
        raise ApplicationError(fields={"to_agency": [str(_("Unknown unit code."))]})
    return {**data, "to_agency": agency}


def _assignee(data: dict[str, Any], _actor: User) -> dict[str, Any]:
    assignee = user_get_by_username(username=data["assignee"])
    if assignee is None:
        raise ApplicationError(fields={"assignee": [str(_("Unknown officer."))]})
    return {"assignee": assignee}


def _parent(data: dict[str, Any], actor: User) -> dict[str, Any]:
    try:
        parent = selectors_staff.report_get_for_user(user=actor, public_id=data["parent"])
    except NotFound:
        raise ApplicationError(
            fields={"parent": [str(_("No such ticket in your scope."))]}
        ) from None
    return {"parent": parent, "note": data["note"]}


def _evidence(data: dict[str, Any], _actor: User) -> dict[str, Any]:
    geotag = Point(data["lon"], data["lat"], srid=4326) if "lat" in data else None
    return {"note": data["note"], "photo": data.get("photo"), "geotag": geotag}


def _unit_name(kwargs: dict[str, Any]) -> str:
    agency: Agency = kwargs["to_agency"]
    return agency.short_name or agency.name


def _koordinasi_targets(report: Report) -> QuerySet[Agency]:
    return Agency.objects.filter(is_active=True).exclude(pk=report.agency_id).order_by("name")


def _disposisi_targets(report: Report) -> QuerySet[Agency]:
    return selectors_staff.disposisi_targets(agency=report.agency).filter(is_active=True)


def _open(report: Report) -> bool:
    return report.status not in (S.SELESAI, S.DIKONFIRMASI, S.DITOLAK) and report.parent_id is None


# ---- the table -----------------------------------------------------------------------------

ACTIONS: dict[str, OfficerAction] = {
    action.name: action
    for action in [
        OfficerAction(
            name="take",
            label=_("Claim"),
            input=inputs.StaffNoteInputSerializer,
            service=services.report_take,
            done=lambda kw: gettext("claimed; the ticket is yours."),
            doc="Claim the ticket for yourself.",
        ),
        OfficerAction(
            name="assign",
            label=_("Assign"),
            input=inputs.StaffAssignInputSerializer,
            service=services.report_assign,
            arguments=_assignee,
            done=lambda kw: (
                gettext("assigned to %(officer)s.") % {"officer": kw["assignee"].username}
            ),
            doc="Assign to an officer of the unit.",
            offered=lambda report, page: bool(page["can_supervise"]),
        ),
        OfficerAction(
            name="start",
            label=_("Start work"),
            input=inputs.StaffRequiredNoteInputSerializer,
            service=services.report_start,
            done=lambda kw: gettext("in progress."),
            doc="Start work with a public note.",
            offered=lambda report, page: (
                S.PROSES in page["allowed"] and not page["koordinasi_pending"]
            ),
            template_purpose="start",
        ),
        OfficerAction(
            name="koordinasi_accept",
            label=_("Accept koordinasi"),
            input=inputs.StaffRequiredNoteInputSerializer,
            service=services.report_koordinasi_accept,
            done=lambda kw: gettext("koordinasi accepted; in progress."),
            doc="Take over a koordinasi request.",
            offered=lambda report, page: bool(page["koordinasi_pending"]),
        ),
        OfficerAction(
            name="koordinasi_decline",
            label=_("Decline koordinasi"),
            input=inputs.StaffReasonInputSerializer,
            service=services.report_koordinasi_decline,
            done=lambda kw: gettext("koordinasi declined; sent back to the requesting unit."),
            doc="Send a koordinasi request back.",
            offered=lambda report, page: bool(page["koordinasi_pending"]),
            reason_purpose="decline",
        ),
        OfficerAction(
            name="disposisi",
            label=_("Disposisi"),
            input=inputs.StaffTransferInputSerializer,
            service=services.report_disposisi,
            arguments=_unit,
            done=lambda kw: gettext("handed down to %(unit)s.") % {"unit": _unit_name(kw)},
            doc="Dinas → one of its Suku Dinas.",
            offered=lambda report, page: S.DISPOSISI in page["allowed"],
            targets=_disposisi_targets,
        ),
        OfficerAction(
            name="koordinasi",
            label=_("Koordinasi"),
            input=inputs.StaffKoordinasiInputSerializer,
            service=services.report_koordinasi,
            arguments=_unit,
            done=lambda kw: gettext("handed to %(unit)s.") % {"unit": _unit_name(kw)},
            doc="Ask another unit, with a reason.",
            offered=lambda report, page: (
                S.KOORDINASI in page["allowed"] or report.status == S.KOORDINASI
            ),
            targets=_koordinasi_targets,
            reason_purpose="koordinasi",
        ),
        OfficerAction(
            name="return",
            label=_("Not our authority (back to triage)"),
            input=inputs.StaffReturnInputSerializer,
            service=services.report_return_to_triage,
            done=lambda kw: gettext("returned to central triage."),
            doc="Bukan wewenang: back to triage.",
            offered=lambda report, page: (
                S.KOORDINASI in page["allowed"] or report.status == S.KOORDINASI
            ),
            reason_purpose="return",
        ),
        OfficerAction(
            name="request_info",
            label=_("Ask the reporter"),
            input=inputs.StaffQuestionInputSerializer,
            service=services.report_request_info,
            done=lambda kw: gettext("question sent; waiting for the reporter."),
            doc="Ask the reporter (relay).",
            offered=lambda report, page: S.MENUNGGU_INFO_PELAPOR in page["allowed"],
            template_purpose="ask",
        ),
        OfficerAction(
            name="resume",
            label=_("Resume"),
            input=inputs.StaffNoteInputSerializer,
            service=services.report_resume,
            done=lambda kw: gettext("resumed; in progress."),
            doc="Continue after the reporter's answer.",
            offered=lambda report, page: report.status == S.MENUNGGU_INFO_PELAPOR,
        ),
        OfficerAction(
            name="complete",
            label=_("Complete (selesai)"),
            input=inputs.StaffCompleteInputSerializer,
            service=services.report_complete,
            arguments=_evidence,
            done=lambda kw: gettext("completed; the reporter is asked to confirm."),
            doc="Post the follow-up with an after-photo taken within 200 m, after the report.",
            offered=lambda report, page: S.SELESAI in page["allowed"],
            template_purpose="complete",
            multipart=True,
        ),
        OfficerAction(
            name="reject",
            label=_("Reject"),
            input=inputs.StaffRejectInputSerializer,
            service=services.report_reject,
            done=lambda kw: gettext("rejected."),
            doc="Reject with a reason code.",
            offered=lambda report, page: S.DITOLAK in page["allowed"],
            template_purpose="reject",
            reason_purpose="reject",
        ),
        OfficerAction(
            name="merge",
            label=_("Merge into parent"),
            input=inputs.StaffMergeInputSerializer,
            service=services.report_merge,
            arguments=_parent,
            done=lambda kw: gettext("merged into %(parent)s.") % {"parent": kw["parent"].public_id},
            doc="Merge this duplicate into a parent.",
            offered=lambda report, page: _open(report),
        ),
    ]
}


def field_label(name: str) -> str:
    """The words for an input in a message; "" for a message about the whole form."""
    return str(FIELD_LABELS.get(name, "")) if name else ""
