"""The ticket page's action panel, drawn from the action table (docs/triage.md, "The admin").

For each ``OfficerAction`` the page offers on a ticket: its form (URL, button, inputs derived
from the action's input serializer) and the texts it can start from (response templates,
canned reasons). The same serializer checks the posted form (``TicketPage.act_view``).
"""

import inspect
from typing import Any

from django.urls import reverse
from rest_framework import serializers

from apps.reports.models import Report
from apps.triage.actions import ACTIONS, OfficerAction, field_label
from apps.triage.selectors import scope as selectors_staff
from apps.triage.services import koordinasi_pending


def _inputs(
    action: OfficerAction, report: Report, *, nearby: list[Report], officers: list[Any]
) -> list[dict[str, Any]]:
    inputs: list[dict[str, Any]] = []
    # without look-ups, the service takes the inputs by name: draw only those it takes
    taken = None if action.arguments is not None else inspect.signature(action.service).parameters
    for name, field in action.input().fields.items():
        if taken is not None and name not in taken:
            continue
        spec: dict[str, Any] = {
            "name": name,
            "required": field.required,
            "label": field_label(name),
            "options": [],
        }
        if name == "lon":
            continue  # drawn with "lat" as the officer's geotag
        if name == "lat":
            spec["kind"] = "geotag"
        elif isinstance(field, serializers.FileField):
            spec["kind"] = "file"
        elif name == "to_agency" and action.targets is not None:
            spec["kind"] = "unit"
            spec["options"] = [
                (unit.code, f"{unit.name} ({unit.code})") for unit in action.targets(report)
            ]
        elif name == "assignee":
            spec["kind"] = "select"
            spec["options"] = [(user.username, user.username) for user in officers]
        elif isinstance(field, serializers.ChoiceField):
            spec["kind"] = "select"
            spec["options"] = [(str(value), label) for value, label in field.choices.items()]
        elif name == "parent_id":
            spec["kind"] = "text"
            spec["options"] = [(other.public_id, other.public_id) for other in nearby]
        else:
            spec["kind"] = "textarea" if field.required else "text"
        inputs.append(spec)
    return inputs


def action_panel(
    *,
    report: Report,
    can_supervise: bool,
    nearby: list[Report],
    templates: list[Any],
    reasons: list[Any],
) -> list[dict[str, Any]]:
    """The forms the ticket page shows to someone who may act on ``report``."""
    page = {
        "allowed": set(Report.TRANSITIONS[report.status]),
        "koordinasi_pending": koordinasi_pending(report=report) is not None,
        "can_supervise": can_supervise,
    }
    officers = list(selectors_staff.agency_officers(agency=report.agency))
    panel = []
    for action in ACTIONS.values():
        if not action.offered(report, page):
            continue
        inputs = _inputs(action, report, nearby=nearby, officers=officers)
        if any(spec["kind"] == "unit" and not spec["options"] for spec in inputs):
            continue  # no unit it could go to
        panel.append(
            {
                "name": action.name,
                "label": action.label,
                "url": reverse("admin:reports_report_act", args=[report.pk, action.name]),
                "multipart": action.multipart,
                "inputs": inputs,
                "templates": [t for t in templates if t.purpose == action.template_purpose],
                "reasons": [r.text for r in reasons if r.purpose == action.reason_purpose],
            }
        )
    return panel


def error_lists(errors: Any) -> dict[str, list[str]]:
    """A serializer's errors in the shape of ``ApplicationError.fields``."""
    return {
        ("" if name == "non_field_errors" else name): [str(message) for message in messages]
        for name, messages in errors.items()
    }


def labelled(fields: dict[str, list[str]]) -> str:
    """``label: message`` per refused input; the field's key itself is never shown."""
    parts = []
    for name, messages in fields.items():
        label = field_label(name)
        text = " ".join(messages)
        parts.append(f"{label}: {text}" if label else text)
    return "; ".join(parts)
