"""Admin for identity: pseudonyms and the access log only, never personal data.

``ReporterIdentity``, ``ReporterKey``, ``BlindIndex``, ``OtpChallenge`` and the inbox are not
registered. The data protection officer (group ``dpo``) reads the access log and reveal
requests, and can erase a reporter or restrict reveals; nobody edits anything here directly.
"""

from typing import Any

from django.contrib import admin, messages
from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.template.response import TemplateResponse
from django.utils.html import format_html_join
from django.utils.safestring import mark_safe
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from apps.accounts.models import User
from apps.accounts.roles import OrgRole
from apps.accounts.selectors import user_has_org_role
from apps.core.admin_readonly import ReadOnlyModelAdmin
from apps.core.admin_search import IdentifierSearchMixin, pseudonym, upper
from apps.identity import services
from apps.identity.errors import DENIAL_MESSAGES
from apps.identity.models import (
    IdentityAccessEvent,
    Reporter,
    RevealRequest,
    identity_field_labels,
    reveal_reason_label,
)


def is_dpo(request: HttpRequest) -> bool:
    """The data protection officer role (group ``dpo``). Being a superuser does not count:
    the access log and the reveal requests are the DPO's alone (docs/privacy.md, section 10)."""
    user = request.user
    return isinstance(user, User) and user_has_org_role(user=user, role=OrgRole.DPO)


class _ReadOnlyAdmin(ReadOnlyModelAdmin):
    show_full_result_count = False


class ErasedFilter(admin.SimpleListFilter):
    title = _("erased")
    parameter_name = "erased"

    def lookups(self, request: HttpRequest, model_admin: Any) -> list[tuple[str, Any]]:
        return [("yes", _("Yes")), ("no", _("No"))]

    def queryset(self, request: HttpRequest, queryset: QuerySet[Any]) -> QuerySet[Any]:
        if self.value() == "yes":
            return queryset.filter(erased_at__isnull=False)
        if self.value() == "no":
            return queryset.filter(erased_at__isnull=True)
        return queryset


@admin.register(Reporter)
class ReporterAdmin(IdentifierSearchMixin, _ReadOnlyAdmin):
    list_display = ["pseudonym", "created_at", "erased_at", "reveal_restricted"]
    list_filter = [ErasedFilter, "reveal_restricted"]
    search_fields = ["=pseudonym"]
    identifier_search = {"pseudonym": pseudonym}
    fields = readonly_fields = ("pseudonym", "created_at", "erased_at", "reveal_restricted")
    actions = ["erase_reporters", "restrict_reveal", "lift_reveal_restriction"]

    def has_view_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return is_dpo(request) or super().has_view_permission(request, obj)

    def has_erase_permission(self, request: HttpRequest) -> bool:
        return is_dpo(request)

    @admin.action(
        description=_("Erase personal data of the selected reporters"), permissions=["erase"]
    )
    def erase_reporters(
        self, request: HttpRequest, queryset: QuerySet[Reporter]
    ) -> HttpResponse | None:
        targets = list(queryset.filter(erased_at__isnull=True).order_by("pk"))
        if request.POST.get("confirm") != "yes":
            context = {
                **self.admin_site.each_context(request),
                "title": _("Erase personal data?"),
                "reporters": targets,
                "opts": self.model._meta,
                "action": "erase_reporters",
                "action_checkbox_name": ACTION_CHECKBOX_NAME,
            }
            return TemplateResponse(request, "admin/identity/erase_confirm.html", context)
        user = request.user
        actor = user if isinstance(user, User) else None
        for reporter in targets:
            services.reporter_erase(reporter=reporter, actor=actor)
        self.message_user(
            request,
            ngettext("Erased %(n)d reporter.", "Erased %(n)d reporters.", len(targets))
            % {"n": len(targets)},
            messages.SUCCESS,
        )
        return None

    def _set_restricted(
        self, request: HttpRequest, queryset: QuerySet[Reporter], restricted: bool
    ) -> None:
        user = request.user
        if not isinstance(user, User):
            return
        for reporter in queryset.order_by("pk"):
            services.reporter_set_reveal_restricted(
                reporter=reporter, restricted=restricted, actor=user, reason="admin action"
            )
        self.message_user(request, _("Done."), messages.SUCCESS)

    @admin.action(
        description=_("Refuse every reveal of the selected reporters"), permissions=["erase"]
    )
    def restrict_reveal(self, request: HttpRequest, queryset: QuerySet[Reporter]) -> None:
        self._set_restricted(request, queryset, True)

    @admin.action(description=_("Lift the reveal restriction"), permissions=["erase"])
    def lift_reveal_restriction(self, request: HttpRequest, queryset: QuerySet[Reporter]) -> None:
        self._set_restricted(request, queryset, False)


class _DpoOnlyAdmin(_ReadOnlyAdmin):
    def has_module_permission(self, request: HttpRequest) -> bool:
        return is_dpo(request)

    def has_view_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return is_dpo(request)


# The keys of an access event's ``detail`` as people read them.
DETAIL_LABELS: dict[str, Any] = {
    "request": _("Reveal request"),
    "granted_by": _("Granted by"),
    "expires_at": _("Expires"),
    "step": _("Step"),
    "denial": _("Why refused"),
    "restricted": _("Restricted"),
}
STEP_LABELS: dict[str, Any] = {
    "request": _("request"),
    "grant": _("grant"),
    "reject": _("reject"),
    "reveal": _("reveal"),
}


class _Readable:
    """Field names and the event detail as labelled text, never raw JSON."""

    @admin.display(description=_("fields"))
    def fields_display(self, obj: Any) -> str:
        return identity_field_labels(obj.fields) or "-"

    @admin.display(description=_("reason"))
    def reason_display(self, obj: Any) -> str:
        return reveal_reason_label(obj.reason) or "-"

    @admin.display(description=_("detail"))
    def detail_display(self, obj: IdentityAccessEvent) -> str:
        detail = dict(obj.detail or {})
        if "granted_by" in detail:
            grantor = User.objects.filter(pk=detail["granted_by"]).first()
            detail["granted_by"] = grantor.username if grantor else "-"
        if "denial" in detail:
            detail["denial"] = DENIAL_MESSAGES.get(detail["denial"], detail["denial"])
        if "step" in detail:
            detail["step"] = STEP_LABELS.get(detail["step"], detail["step"])
        lines = [(str(DETAIL_LABELS.get(key, key)), str(value)) for key, value in detail.items()]
        return format_html_join(mark_safe("<br>"), "{}: {}", lines) if lines else "-"


@admin.register(IdentityAccessEvent)
class IdentityAccessEventAdmin(IdentifierSearchMixin, _Readable, _DpoOnlyAdmin):
    list_display = [
        "created_at",
        "kind",
        "ticket_ref",
        "reporter",
        "agency",
        "actor",
        "fields_display",
    ]
    list_filter = ["kind"]
    search_fields = ["=ticket_ref", "=reporter__pseudonym"]
    identifier_search = {"ticket_ref": upper, "reporter__pseudonym": pseudonym}
    list_select_related = ["reporter", "agency", "actor"]
    date_hierarchy = "created_at"
    fields = readonly_fields = (
        "id",
        "created_at",
        "kind",
        "reporter",
        "actor",
        "agency",
        "ticket_ref",
        "fields_display",
        "reason_display",
        "detail_display",
        "prev_hash",
        "hash",
    )


@admin.register(RevealRequest)
class RevealRequestAdmin(IdentifierSearchMixin, _Readable, _DpoOnlyAdmin):
    list_display = [
        "ticket_ref",
        "created_at",
        "reporter",
        "agency",
        "requested_by",
        "fields_display",
        "granted_by",
        "rejected_by",
        "expires_at",
    ]
    search_fields = ["=ticket_ref", "=reporter__pseudonym"]
    identifier_search = {"ticket_ref": upper, "reporter__pseudonym": pseudonym}
    list_select_related = ["reporter", "agency", "requested_by", "granted_by", "rejected_by"]
    fields = readonly_fields = (
        "public_id",
        "created_at",
        "reporter",
        "ticket_ref",
        "agency",
        "fields_display",
        "reason_display",
        "requested_by",
        "granted_by",
        "granted_at",
        "expires_at",
        "revealed_at",
        "rejected_by",
        "rejected_at",
        "rejection_reason",
    )
