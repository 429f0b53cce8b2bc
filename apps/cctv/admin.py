"""The camera registry in the admin: a map of every camera's view sector, officer edits
through ``camera_update``, and the managers' list of offline cameras per kota."""

from collections.abc import Mapping
from typing import Any

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.db import models
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.template.response import TemplateResponse
from django.urls import URLPattern, path
from django.utils.translation import gettext_lazy as _

from apps.accounts.selectors import user_is_manager
from apps.cctv import selectors, services
from apps.cctv.models import Camera, Clip, ClipRequest, Vms
from apps.cctv.svg import camera_map
from apps.core.admin_readonly import ReadOnlyModelAdmin
from apps.core.errors import ApplicationError

OVERVIEW_LIMIT = 2000


class CameraForm(forms.ModelForm):
    maintenance = forms.BooleanField(label=_("In maintenance"), required=False)

    class Meta:
        model = Camera
        fields = ["name", "heading", "fov", "range_m", "owner", "vms"]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            self.fields["maintenance"].initial = self.instance.status == Camera.Status.MAINTENANCE


class KotaFilter(admin.SimpleListFilter):
    title = _("kota")
    parameter_name = "kota"

    def lookups(self, request: HttpRequest, model_admin: Any) -> list[tuple[str, str]]:
        return [(area.code, area.name) for area in selectors.kota_list()]

    def queryset(self, request: HttpRequest, queryset: QuerySet[Camera]) -> QuerySet[Camera]:
        value = self.value()
        if value:
            return queryset.filter(kelurahan__code__startswith=f"{value}.")
        return queryset


# An address typed without a scheme is taken as https:// (Django 6's default, chosen now).
URLS_ASSUME_HTTPS: "Mapping[type[models.Field[Any, Any]], Mapping[str, Any]]" = {
    models.URLField: {"assume_scheme": "https"}
}


@admin.register(Camera)
class CameraAdmin(admin.ModelAdmin):
    form = CameraForm
    formfield_overrides = URLS_ASSUME_HTTPS
    list_display = [
        "code",
        "name",
        "kelurahan",
        "status",
        "last_seen",
        "heading",
        "fov",
        "range_m",
        "vms",
    ]
    list_filter = ["status", KotaFilter, "vms", "source"]
    search_fields = ["code", "name", "address"]
    list_select_related = ["kelurahan", "vms"]
    readonly_fields = [
        "code",
        "lat_lon",
        "kelurahan",
        "status",
        "last_seen",
        "address",
        "source",
        "source_url",
        "attribution",
        "qa_flags",
    ]
    fieldsets = [
        (None, {"fields": ["code", "name", "lat_lon", "kelurahan", "address"]}),
        (_("View sector"), {"fields": ["heading", "fov", "range_m"]}),
        (_("Operation"), {"fields": ["status", "maintenance", "last_seen", "vms", "owner"]}),
        (_("Source"), {"fields": ["source", "source_url", "attribution", "qa_flags"]}),
    ]
    change_list_template = "admin/cctv/camera/change_list.html"
    change_form_template = "admin/cctv/camera/change_form.html"
    show_full_result_count = False

    class Media:
        css = {"all": ["cctv/cctv.css"]}

    @admin.display(description=_("latitude, longitude"))
    def lat_lon(self, obj: Camera) -> str:
        return f"{obj.location.y:.6f}, {obj.location.x:.6f}"

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False  # cameras come from load_cameras (docs/cctv.md)

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def save_model(self, request: HttpRequest, obj: Camera, form: Any, change: bool) -> None:
        data = form.cleaned_data
        services.camera_update(
            camera=obj,
            name=data["name"],
            heading=data["heading"],
            fov=data["fov"],
            range_m=data["range_m"],
            owner=data["owner"],
            vms=data["vms"],
            maintenance=data["maintenance"],
        )

    def changeform_view(
        self,
        request: HttpRequest,
        object_id: str | None = None,
        form_url: str = "",
        extra_context: dict[str, Any] | None = None,
    ) -> HttpResponse:
        context = dict(extra_context or {})
        if object_id:
            camera = Camera.objects.filter(pk=object_id).first()
            if camera is not None:
                neighbours = selectors.cameras_near(point=camera.location, radius_m=300)
                context["camera_map"] = camera_map(
                    cameras=neighbours,
                    center=camera.location,
                    radius_m=300,
                    highlight=[camera.code],
                )
        try:
            return super().changeform_view(request, object_id, form_url, context)
        except ApplicationError as exc:
            messages.error(request, exc.message)
            return super().changeform_view(request, object_id, form_url, context)

    def changelist_view(
        self, request: HttpRequest, extra_context: dict[str, Any] | None = None
    ) -> HttpResponse:
        response = super().changelist_view(request, extra_context)
        if isinstance(response, TemplateResponse) and response.context_data is not None:
            changelist = response.context_data.get("cl")
            if changelist is not None:
                cameras = list(changelist.queryset.order_by("code")[:OVERVIEW_LIMIT])
                response.context_data["camera_map"] = camera_map(cameras=cameras, size=640)
        return response

    def get_urls(self) -> list[URLPattern]:
        extra = [
            path(
                "offline/",
                self.admin_site.admin_view(self.offline_view),
                name="cctv_camera_offline",
            )
        ]
        return extra + super().get_urls()

    def offline_view(self, request: HttpRequest) -> HttpResponse:
        """Managers: the cameras offline now, per kota."""
        user: Any = request.user
        if not user_is_manager(user=user):
            raise PermissionDenied
        context = {
            **self.admin_site.each_context(request),
            "title": _("Offline cameras per kota"),
            "opts": self.opts,
            "groups": selectors.offline_cameras_by_kota(),
        }
        return TemplateResponse(request, "admin/cctv/camera/offline.html", context)


@admin.register(Vms)
class VmsAdmin(admin.ModelAdmin):
    formfield_overrides = URLS_ASSUME_HTTPS
    list_display = ["code", "name", "backend", "is_active", "last_seen_at", "key_prefix"]
    fields = ["code", "name", "backend", "base_url", "is_active", "key_prefix", "last_seen_at"]
    readonly_fields = ["code", "key_prefix", "last_seen_at"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False  # keys are issued by manage.py register_vms (shown once)


@admin.register(Clip)
class ClipAdmin(ReadOnlyModelAdmin):
    list_display = ["uid", "camera", "starts_at", "ends_at", "retain_until", "held_until"]
    list_filter = ["camera__vms"]
    search_fields = ["=uid", "camera__code"]
    list_select_related = ["camera"]
    show_full_result_count = False
    exclude = ["storage_uri", "poster_uri"]  # plays go through the ticket page (logged)


@admin.register(ClipRequest)
class ClipRequestAdmin(ReadOnlyModelAdmin):
    list_display = ["uid", "camera", "ref", "starts_at", "ends_at", "fulfilled_at"]
    list_filter = ["fulfilled_at"]
    list_select_related = ["camera"]
    show_full_result_count = False
