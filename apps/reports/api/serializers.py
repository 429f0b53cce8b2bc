"""Input validation and output shapes of the citizen report API (docs/api.md).

Integer primary keys never appear: reports are named by ``id`` (the public id), photos by
their number ``n`` within the report.
"""

from datetime import datetime
from typing import Any

from django.conf import settings
from django.urls import reverse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from apps.core.api.cached_fields import CachedFieldsMixin, OutputModelSerializer
from apps.core.api.fields import ZonedDateTimeField
from apps.core.api.text_input import FormTextInputSerializer
from apps.core.api.validators import validate_finite
from apps.core.i18n import english
from apps.reports import events
from apps.reports.models import Report, ReportEvent, ReportMessage, ReportPhoto
from apps.routing.models import Area, Category

# ---- input ---------------------------------------------------------------------------------


class ReportCreateInputSerializer(CachedFieldsMixin, FormTextInputSerializer):
    """The JSON body of report creation (no photos: send those as multipart)."""

    client_request_id = serializers.UUIDField(
        help_text="A UUID the app generates once per report; retries reuse it."
    )
    category = serializers.SlugField(max_length=40, help_text="A category code.")
    description = serializers.CharField(min_length=1, max_length=2000)
    lat = serializers.FloatField(min_value=-90, max_value=90, validators=[validate_finite])
    lon = serializers.FloatField(min_value=-180, max_value=180, validators=[validate_finite])
    accuracy_m = serializers.FloatField(
        required=False, allow_null=True, min_value=0, max_value=10_000, validators=[validate_finite]
    )
    occurred_at = ZonedDateTimeField(
        required=False,
        allow_null=True,
        help_text="ISO 8601 with a zone (Z or +07:00). Default: now. At most 7 days ago.",
    )
    address_hint = serializers.CharField(
        required=False, allow_blank=True, max_length=300, default=""
    )
    is_public = serializers.BooleanField(required=False, default=True)
    anonymous = serializers.BooleanField(
        required=False,
        default=False,
        help_text="File without linking the report to the signed-in account.",
    )


class ReportCreateMultipartInputSerializer(ReportCreateInputSerializer):
    """The multipart body of report creation: the same fields, plus ``photos`` as files.

    A component of its own in the schema (photos as ``binary``), so that client generators
    see two distinct bodies rather than one shared by both media types.
    """

    photos = serializers.ListField(
        child=serializers.FileField(allow_empty_file=True),
        required=False,
        default=list,
        max_length=settings.REPORT_PHOTO_MAX_COUNT,
        help_text="0 to 5 JPEG/PNG/WebP files (multipart only), 10 MB each.",
    )


class MyReportListInputSerializer(FormTextInputSerializer):
    status = serializers.ChoiceField(choices=Report.Status.choices, required=False)

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        # DRF treats an empty optional query value (``?status=``) as absent; it is not a
        # status, so it is refused like any other non-status.
        if "status" in self.initial_data and "status" not in attrs:
            message = self.fields["status"].error_messages["invalid_choice"].format(input="")
            raise serializers.ValidationError({"status": [message]})
        return attrs


class ReportConfirmInputSerializer(FormTextInputSerializer):
    rating = serializers.IntegerField(min_value=1, max_value=5)
    comment = serializers.CharField(required=False, allow_blank=True, max_length=1000, default="")


class ReportReopenInputSerializer(FormTextInputSerializer):
    reason = serializers.CharField(min_length=1, max_length=1000)


class ReportMessageInputSerializer(FormTextInputSerializer):
    body = serializers.CharField(min_length=1, max_length=2000)


# ---- output --------------------------------------------------------------------------------


class CategoryOutputSerializer(OutputModelSerializer):
    name = serializers.SerializerMethodField()
    description = serializers.SerializerMethodField()

    class Meta:
        model = Category
        fields = ["code", "name", "description", "group", "sla_days"]

    def get_name(self, category: Category) -> str:
        return category.name_en if english() else category.name_id

    def get_description(self, category: Category) -> str:
        return category.description_en if english() else category.description_id


class ReportCategoryRefSerializer(CategoryOutputSerializer):
    class Meta:
        model = Category
        fields = ["code", "name"]


class ReportAreaRefSerializer(OutputModelSerializer):
    class Meta:
        model = Area
        fields = ["code", "name"]


class ReportAreaOutputSerializer(OutputModelSerializer):
    """The kelurahan, with its kecamatan and kota."""

    kecamatan = serializers.SerializerMethodField()
    kota = serializers.SerializerMethodField()

    class Meta:
        model = Area
        fields = ["code", "name", "kecamatan", "kota"]

    @extend_schema_field(ReportAreaRefSerializer(allow_null=True))
    def get_kecamatan(self, area: Area) -> dict[str, Any] | None:
        parent = area.parent
        return ReportAreaRefSerializer(parent).data if parent else None

    @extend_schema_field(ReportAreaRefSerializer(allow_null=True))
    def get_kota(self, area: Area) -> dict[str, Any] | None:
        kota = area.parent.parent if area.parent else None
        return ReportAreaRefSerializer(kota).data if kota else None


class ReportAgencyRefSerializer(serializers.Serializer):
    """A unit, by code and name (the report's unit, the acting unit of an event or message)."""

    code = serializers.CharField()
    name = serializers.CharField()


class ReportLocationSerializer(serializers.Serializer):
    lat = serializers.FloatField()
    lon = serializers.FloatField()


class PhotoLinksOutputSerializer(OutputModelSerializer):
    """A photo named by its number ``n``, with links to the file and its thumbnail.

    Subclasses say where the links point (``photo_link``): the citizen API or the admin.
    """

    n = serializers.IntegerField(source="index")
    url = serializers.SerializerMethodField()
    thumbnail_url = serializers.SerializerMethodField()

    class Meta:
        model = ReportPhoto
        fields = ["n", "kind", "width", "height", "url", "thumbnail_url"]

    def photo_link(self, photo: ReportPhoto, *, thumbnail: bool) -> str:
        raise NotImplementedError

    def get_url(self, photo: ReportPhoto) -> str:
        return self.photo_link(photo, thumbnail=False)

    def get_thumbnail_url(self, photo: ReportPhoto) -> str:
        return self.photo_link(photo, thumbnail=True)


class ReportPhotoOutputSerializer(PhotoLinksOutputSerializer):
    class Meta(PhotoLinksOutputSerializer.Meta):
        fields = ["n", "kind", "content_type", "width", "height", "url", "thumbnail_url"]

    def photo_link(self, photo: ReportPhoto, *, thumbnail: bool) -> str:
        name = "report-photo-thumbnail" if thumbnail else "report-photo"
        path = reverse(name, kwargs={"public_id": photo.report.public_id, "n": photo.index})
        request = self.context.get("request")
        return request.build_absolute_uri(path) if request is not None else path


# ---- explicit rendering of the report shapes -------------------------------------------------
# A report is answered on every creation and on the citizen's reads. DRF renders it field by
# field through eleven bound fields and three nested serializers (a fifth of a creation, see
# docs/benchmarks.md); the report serializers below build the same dict directly. The declared
# fields stay: they are the OpenAPI schema, and tests/reports/test_report_rendering.py checks
# that the explicit dict equals DRF's field-by-field rendering for every shape of report.

_TIME = serializers.DateTimeField()  # ISO 8601 in the current zone, as every time field


def _time(value: datetime | None) -> str | None:
    return None if value is None else _TIME.to_representation(value)


def _area_ref(area: Area | None) -> dict[str, Any] | None:
    return None if area is None else {"code": area.code, "name": area.name}


def _area(area: Area | None) -> dict[str, Any] | None:
    if area is None:
        return None
    kecamatan = area.parent
    return {
        "code": area.code,
        "name": area.name,
        "kecamatan": _area_ref(kecamatan),
        "kota": _area_ref(kecamatan.parent if kecamatan else None),
    }


def _report_common(report: Report) -> dict[str, Any]:
    """The fields every report shape has, in the order of the public shape."""
    category = report.category
    agency = report.agency
    location = report.location
    return {
        "id": report.public_id,
        "status": report.status,
        "status_label": str(report.get_status_display()),
        "category": {
            "code": category.code,
            "name": category.name_en if english() else category.name_id,
        },
        "description": report.description,
        "location": (
            {"lat": location.y, "lon": location.x}
            if location is not None and report.location_is_exact
            else None
        ),
        "area": _area(report.area),
        "agency": None if agency is None else {"code": agency.code, "name": agency.name},
        "sla_due_at": _time(report.deadline()),
        "completed_at": _time(report.completed_at),
        "support_count": report.support_count,
        "created_at": _time(report.created_at),
        "updated_at": _time(report.updated_at),
    }


class _ReportBaseSerializer(OutputModelSerializer):
    id = serializers.CharField(source="public_id")
    status_label = serializers.CharField(source="get_status_display")
    category = ReportCategoryRefSerializer()
    location = serializers.SerializerMethodField()
    area = ReportAreaOutputSerializer(allow_null=True)
    agency = ReportAgencyRefSerializer()
    sla_due_at = serializers.DateTimeField(
        source="deadline",
        read_only=True,
        allow_null=True,
        help_text="The SLA deadline (working days; empty while paused or after closing).",
    )

    @extend_schema_field(ReportLocationSerializer(allow_null=True))
    def get_location(self, report: Report) -> dict[str, float] | None:
        """Reported coordinates only (null for a report filed by address through Open311)."""
        if report.location is None or not report.location_is_exact:
            return None
        return {"lat": report.location.y, "lon": report.location.x}


class ReportPublicOutputSerializer(_ReportBaseSerializer):
    """A public report as anyone may see it: nothing about the reporter, no photos."""

    class Meta:
        model = Report
        fields = [
            "id",
            "status",
            "status_label",
            "category",
            "description",
            "location",
            "area",
            "agency",
            "sla_due_at",
            "completed_at",
            "support_count",
            "created_at",
            "updated_at",
        ]

    def to_representation(self, instance: Report) -> dict[str, Any]:
        common = _report_common(instance)
        return {name: common[name] for name in self.Meta.fields}


class ReportDetailOutputSerializer(_ReportBaseSerializer):
    """A report as its own reporter sees it."""

    photos = serializers.SerializerMethodField()

    class Meta:
        model = Report
        fields = [
            "id",
            "status",
            "status_label",
            "category",
            "description",
            "location",
            "accuracy_m",
            "address_hint",
            "occurred_at",
            "is_public",
            "is_anonymous",
            "area",
            "agency",
            "sla_due_at",
            "completed_at",
            "closed_at",
            "rating",
            "rating_comment",
            "support_count",
            "photos",
            "created_at",
            "updated_at",
        ]

    @extend_schema_field(ReportPhotoOutputSerializer(many=True))
    def get_photos(self, report: Report) -> list[dict[str, Any]]:
        photos = sorted(report.photos.all(), key=lambda photo: photo.index)
        if not photos:
            return []
        for photo in photos:
            photo.report = report  # the URLs need the public id; no query per photo
        return list(ReportPhotoOutputSerializer(photos, many=True, context=self.context).data)

    def to_representation(self, instance: Report) -> dict[str, Any]:
        data = _report_common(instance)
        data.update(
            accuracy_m=None if instance.accuracy_m is None else float(instance.accuracy_m),
            address_hint=instance.address_hint,
            occurred_at=_time(instance.occurred_at),
            is_public=instance.is_public,
            is_anonymous=instance.is_anonymous,
            closed_at=_time(instance.closed_at),
            rating=instance.rating,
            rating_comment=instance.rating_comment,
            photos=self.get_photos(instance),
        )
        return {name: data[name] for name in ReportDetailOutputSerializer.Meta.fields}


class ReportCreateOutputSerializer(ReportDetailOutputSerializer):
    tracking_code = serializers.CharField(
        required=False,
        help_text=(
            "Anonymous reports only, and only in the 201 response: keep it, it is not "
            "stored and a replay (200) does not repeat it."
        ),
    )

    class Meta(ReportDetailOutputSerializer.Meta):
        fields = [*ReportDetailOutputSerializer.Meta.fields, "tracking_code"]

    def to_representation(self, instance: Report) -> dict[str, Any]:
        data = super().to_representation(instance)
        code = self.context.get("tracking_code")
        if code:
            data["tracking_code"] = code
        else:
            data.pop("tracking_code", None)
        return data


class ReportTimelineEventOutputSerializer(OutputModelSerializer):
    at = serializers.DateTimeField(source="created_at")
    unit = ReportAgencyRefSerializer(source="agency", allow_null=True)
    by = serializers.SerializerMethodField()
    officer_name = serializers.SerializerMethodField()
    to_status_label = serializers.SerializerMethodField()

    class Meta:
        model = ReportEvent
        fields = [
            "kind",
            "from_status",
            "to_status",
            "to_status_label",
            "at",
            "by",
            "unit",
            "officer_name",
            "note",
        ]

    @extend_schema_field(serializers.ChoiceField(choices=["reporter", "unit"]))
    def get_by(self, event: ReportEvent) -> str:
        if event.kind == ReportEvent.Kind.CREATED or events.by_reporter(event):
            return "reporter"
        return "unit"

    @extend_schema_field(OpenApiTypes.STR)
    def get_officer_name(self, event: ReportEvent) -> str | None:
        """Only when the acting unit chose to show its staff's names."""
        if event.agency is None or not event.agency.shows_staff_names or event.actor is None:
            return None
        if self.get_by(event) == "reporter":
            return None
        return event.actor.get_full_name() or None

    @extend_schema_field(OpenApiTypes.STR)
    def get_to_status_label(self, event: ReportEvent) -> str | None:
        return str(Report.Status(event.to_status).label) if event.to_status else None


class ReportMessageOutputSerializer(OutputModelSerializer):
    unit = ReportAgencyRefSerializer(source="agency", allow_null=True)

    class Meta:
        model = ReportMessage
        fields = ["direction", "body", "unit", "created_at"]


class ReportSupportOutputSerializer(serializers.Serializer):
    id = serializers.CharField()
    support_count = serializers.IntegerField()
    supported = serializers.BooleanField()


class ReportTrackedOutputSerializer(_ReportBaseSerializer):
    """An anonymously filed report as its tracking-code holder sees it (photos stay private)."""

    class Meta:
        model = Report
        fields = [f for f in ReportDetailOutputSerializer.Meta.fields if f != "photos"]


class ReportTrackOutputSerializer(serializers.Serializer):
    report = ReportTrackedOutputSerializer()
    timeline = ReportTimelineEventOutputSerializer(many=True)


class _ReportPageSerializer(serializers.Serializer):
    """The envelope of a paginated list (apps.core.pagination.Pagination)."""

    count = serializers.IntegerField()
    next = serializers.URLField(allow_null=True)
    previous = serializers.URLField(allow_null=True)


class ReportPageOutputSerializer(_ReportPageSerializer):
    results = ReportDetailOutputSerializer(many=True)


class ReportMessagePageOutputSerializer(_ReportPageSerializer):
    results = ReportMessageOutputSerializer(many=True)
