from django.contrib import admin
from django.http import HttpRequest

from apps.routing.models import Area, Category, RoutingRule


@admin.register(Area)
class AreaAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "level", "parent", "postal_code"]
    list_filter = ["level"]
    search_fields = ["code", "name"]
    list_select_related = ["parent"]
    exclude = ["boundary"]
    readonly_fields = ["level", "code", "name", "parent", "postal_code"]
    show_full_result_count = False

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False  # areas come from the boundary import (manage.py load_areas)

    def has_delete_permission(self, request: HttpRequest, obj: Area | None = None) -> bool:
        return False


@admin.register(Category)
class CategoryAdmin(admin.ModelAdmin):
    list_display = [
        "code",
        "name_id",
        "name_en",
        "sector",
        "routing_level",
        "sla_days",
        "is_active",
    ]
    list_filter = ["sector", "is_active"]
    search_fields = ["code", "name_id", "name_en"]


@admin.register(RoutingRule)
class RoutingRuleAdmin(admin.ModelAdmin):
    list_display = ["category", "area", "agency", "is_active", "note"]
    list_filter = ["is_active", "category"]
    autocomplete_fields = ["area", "agency"]
    list_select_related = ["category", "area", "agency"]
