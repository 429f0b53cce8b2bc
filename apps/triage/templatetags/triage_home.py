"""The start page's "your work" box: pending reveal decisions, or the DPO's audit trail."""

from typing import Any

from django import template
from django.http import HttpRequest

from apps.accounts.models import User
from apps.identity.admin import is_dpo
from apps.triage.selectors import reveal as selectors_reveal
from apps.triage.selectors import scope as selectors_staff

register = template.Library()


@register.inclusion_tag("admin/triage_home.html", takes_context=True)
def triage_home(context: dict[str, Any]) -> dict[str, Any]:
    request: HttpRequest | None = context.get("request")
    user = getattr(request, "user", None)
    if request is None or not isinstance(user, User):
        return {"show": False}
    scope = selectors_staff.staff_scope_for_user(user=user)
    supervises = bool(scope.supervise_agency_ids)
    return {
        "show": True,
        "dpo": is_dpo(request),
        "supervises": supervises,
        "pending": selectors_reveal.reveal_requests_pending_count(scope=scope) if supervises else 0,
    }
