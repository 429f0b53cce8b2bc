from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from guardian.admin import GuardedModelAdmin

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


@admin.register(User)
class UserAdmin(DjangoUserAdmin):
    inlines = [MembershipInline]
    list_display = ["username", "is_staff", "is_active", "last_login"]
    show_full_result_count = False


@admin.register(Agency)
class AgencyAdmin(GuardedModelAdmin):
    list_display = ["code", "name", "kind", "sector", "level", "jurisdiction_code", "is_active"]
    list_filter = ["kind", "sector", "level", "is_active"]
    search_fields = ["code", "name", "short_name", "jurisdiction_code"]
    list_select_related = ["parent"]
    autocomplete_fields = ["parent"]
    show_full_result_count = False
