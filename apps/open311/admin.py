from django.contrib import admin
from django.http import HttpRequest

from apps.open311.models import ClientApp


@admin.register(ClientApp)
class ClientAppAdmin(admin.ModelAdmin):
    list_display = ["name", "key_prefix", "is_active", "created_at"]
    list_filter = ["is_active"]
    search_fields = ["name", "key_prefix"]
    readonly_fields = ["name", "key_prefix", "key_hash", "created_at", "updated_at"]
    fields = ["name", "key_prefix", "key_hash", "is_active", "created_at", "updated_at"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False  # keys are issued by `manage.py create_open311_client`, shown once
