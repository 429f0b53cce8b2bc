"""The admins of response templates and canned reasons (docs/triage.md)."""

from django.contrib import admin

from apps.triage.models import CannedReason, ResponseTemplate


@admin.register(ResponseTemplate)
class ResponseTemplateAdmin(admin.ModelAdmin):
    list_display = ["title", "purpose", "category", "is_active", "sort_order"]
    list_filter = ["purpose", "is_active", "category"]
    search_fields = ["title", "body"]
    list_select_related = ["category"]
    show_full_result_count = False


@admin.register(CannedReason)
class CannedReasonAdmin(admin.ModelAdmin):
    list_display = ["text", "purpose", "agency", "is_active"]
    list_filter = ["purpose", "is_active"]
    search_fields = ["text", "agency__code", "agency__name"]
    list_select_related = ["agency"]
    autocomplete_fields = ["agency"]
    show_full_result_count = False
