from typing import Any

from django import forms
from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.contrib.auth.forms import AdminPasswordChangeForm, UserChangeForm
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _
from guardian.admin import GuardedModelAdmin
from knox.admin import AuthTokenAdmin as KnoxAuthTokenAdmin
from knox.models import AuthToken

from apps.accounts.models import Agency, Membership, User


class MembershipInline(admin.TabularInline):
    model = Membership
    fk_name = "user"
    extra = 0
    autocomplete_fields = ["agency"]
    readonly_fields = ["agency", "role"]
    can_delete = False

    def has_add_permission(self, request, obj=None):  # type: ignore[no-untyped-def]
        return False  # memberships carry object permissions: set them with membership_set


CITIZEN_NEVER_STAFF = _(
    "A citizen account can never be staff or a superuser, nor have a password "
    "(it signs in with an SMS code)."
)


class StaffUserChangeForm(UserChangeForm):
    """Refuses to turn a citizen account into staff (the database refuses it too)."""

    def clean(self) -> dict[str, Any]:
        cleaned: dict[str, Any] = super().clean() or {}
        if self.instance.is_citizen and (cleaned.get("is_staff") or cleaned.get("is_superuser")):
            raise forms.ValidationError(CITIZEN_NEVER_STAFF, code="citizen_never_staff")
        return cleaned


class StaffPasswordChangeForm(AdminPasswordChangeForm):
    """Refuses to give a citizen account a password."""

    def clean(self) -> dict[str, Any]:
        if self.user.is_citizen:
            raise forms.ValidationError(CITIZEN_NEVER_STAFF, code="citizen_never_staff")
        cleaned: dict[str, Any] = super().clean() or {}
        return cleaned


@admin.register(User)
class UserAdmin(DjangoUserAdmin):
    """Staff accounts. Citizen accounts are not listed: nothing here may link them to
    anything, and nobody may make them staff (docs/security.md)."""

    form = StaffUserChangeForm
    change_password_form = StaffPasswordChangeForm
    inlines = [MembershipInline]
    list_display = ["username", "is_staff", "is_active", "last_login"]
    show_full_result_count = False

    def get_queryset(self, request: HttpRequest) -> QuerySet[User]:
        return super().get_queryset(request).filter(is_citizen=False)


@admin.register(Agency)
class AgencyAdmin(GuardedModelAdmin):
    list_display = ["code", "name", "kind", "sector", "level", "jurisdiction_code", "is_active"]
    list_filter = ["kind", "sector", "level", "is_active"]
    search_fields = ["code", "name", "short_name", "jurisdiction_code"]
    list_select_related = ["parent"]
    autocomplete_fields = ["parent"]
    show_full_result_count = False


# Knox lists tokens with their user: staff tokens only, like the user admin.
admin.site.unregister(AuthToken)


@admin.register(AuthToken)
class StaffAuthTokenAdmin(KnoxAuthTokenAdmin):
    def get_queryset(self, request: HttpRequest) -> QuerySet[AuthToken]:
        return super().get_queryset(request).filter(user__is_citizen=False)
