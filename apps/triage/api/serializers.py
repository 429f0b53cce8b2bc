"""Input validation and output shapes of the staff (officer) API (docs/triage.md).

No reporter data at all: no pseudonym, no identity, no contact. Tickets are named by their
public id, photos by their number within the ticket, units by their code, officers by their
username: integer keys never appear.
"""

from datetime import timedelta
from typing import Any

from django.urls import reverse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from apps.core.api.text_input import FormTextInputSerializer
from apps.reports.api.serializers import PhotoLinksOutputSerializer
from apps.reports.models import Report, ReportEvent, ReportPhoto
from apps.triage.models import CannedReason, ResponseTemplate
from apps.triage.services import RejectReason, ReturnReason


def _seconds(value: timedelta | None) -> int | None:
    return None if value is None else int(value.total_seconds())


# ---- input ---------------------------------------------------------------------------------


class StaffTokenInputSerializer(FormTextInputSerializer):
    username = serializers.CharField(max_length=150)
    password = serializers.CharField(max_length=200, trim_whitespace=False)


class StaffTokenOutputSerializer(serializers.Serializer):
    token = serializers.CharField()
    expiry = serializers.DateTimeField(allow_null=True)


class StaffTicketListInputSerializer(FormTextInputSerializer):
    status = serializers.MultipleChoiceField(choices=Report.Status.choices, required=False)
    category = serializers.SlugField(max_length=40, required=False)
    area = serializers.RegexField(
        r"^31(\.\d{2}){0,2}(\.\d{4})?$",
        required=False,
        help_text="Kota, kecamatan or kelurahan code, e.g. 31.71 or 31.71.01.1001.",
    )
    agency = serializers.CharField(max_length=40, required=False, help_text="A unit code.")
    sla = serializers.ChoiceField(
        choices=[("overdue", "overdue"), ("due_soon", "due within 24 h"), ("ok", "ok")],
        required=False,
    )
    created_from = serializers.DateField(required=False)
    created_to = serializers.DateField(required=False)
    mine = serializers.BooleanField(required=False, default=False)


class StaffNoteInputSerializer(FormTextInputSerializer):
    note = serializers.CharField(max_length=2000, allow_blank=True, required=False, default="")


class StaffRequiredNoteInputSerializer(FormTextInputSerializer):
    note = serializers.CharField(max_length=2000)


class StaffAssignInputSerializer(FormTextInputSerializer):
    assignee = serializers.CharField(max_length=150, help_text="The officer's username.")


class StaffTransferInputSerializer(FormTextInputSerializer):
    to_agency = serializers.CharField(max_length=40, help_text="The receiving unit's code.")
    note = serializers.CharField(max_length=2000, allow_blank=True, required=False, default="")


class StaffKoordinasiInputSerializer(FormTextInputSerializer):
    to_agency = serializers.CharField(max_length=40, help_text="The receiving unit's code.")
    reason = serializers.CharField(max_length=2000)


class StaffReasonInputSerializer(FormTextInputSerializer):
    reason = serializers.CharField(max_length=2000)


class StaffReturnInputSerializer(FormTextInputSerializer):
    reason_code = serializers.ChoiceField(choices=ReturnReason.choices)
    note = serializers.CharField(max_length=2000, allow_blank=True, required=False, default="")


class StaffRejectInputSerializer(FormTextInputSerializer):
    reason_code = serializers.ChoiceField(choices=RejectReason.choices)
    note = serializers.CharField(max_length=2000, allow_blank=True, required=False, default="")


class StaffQuestionInputSerializer(FormTextInputSerializer):
    question = serializers.CharField(max_length=2000)


class StaffMergeInputSerializer(FormTextInputSerializer):
    parent_id = serializers.RegexField(
        r"^LW-[23456789A-HJ-NP-Z]{6}$", source="parent", help_text="The parent ticket."
    )
    note = serializers.CharField(max_length=2000, allow_blank=True, required=False, default="")


class StaffCompleteInputSerializer(FormTextInputSerializer):
    note = serializers.CharField(max_length=2000)
    photo = serializers.FileField(help_text="The after-photo (JPEG/PNG/WebP, 10 MB at most).")
    lat = serializers.FloatField(
        required=False, min_value=-90, max_value=90, help_text="Officer's geotag."
    )
    lon = serializers.FloatField(required=False, min_value=-180, max_value=180)

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        if ("lat" in attrs) != ("lon" in attrs):
            raise serializers.ValidationError({"lat": ["Give both lat and lon, or neither."]})
        return attrs


# ---- output --------------------------------------------------------------------------------


class StaffTicketOutputSerializer(serializers.ModelSerializer):
    id = serializers.CharField(source="public_id")
    category = serializers.CharField(source="category.code")
    kelurahan = serializers.CharField(source="area.name", default=None)  # null: to be confirmed
    kelurahan_code = serializers.CharField(source="area.code", default=None)
    kecamatan = serializers.CharField(source="area.parent.name", default=None)
    kota = serializers.CharField(source="area.parent.parent.name", default=None)
    agency = serializers.CharField(source="agency.code")
    agency_name = serializers.CharField(source="agency.name")
    assignee = serializers.CharField(source="assignee.username", default=None)
    sla_due_at = serializers.DateTimeField(source="deadline", read_only=True, allow_null=True)
    sla_left_seconds = serializers.SerializerMethodField()
    age_seconds = serializers.SerializerMethodField()
    merged_into = serializers.CharField(source="parent.public_id", default=None)

    class Meta:
        model = Report
        fields = [
            "id",
            "status",
            "category",
            "kelurahan",
            "kelurahan_code",
            "kecamatan",
            "kota",
            "agency",
            "agency_name",
            "assignee",
            "created_at",
            "sla_due_at",
            "sla_left_seconds",
            "age_seconds",
            "support_count",
            "merged_into",
        ]

    @extend_schema_field(OpenApiTypes.INT)
    def get_sla_left_seconds(self, obj: Report) -> int | None:
        return _seconds(getattr(obj, "sla_left", None))

    @extend_schema_field(OpenApiTypes.INT)
    def get_age_seconds(self, obj: Report) -> int | None:
        return _seconds(getattr(obj, "age", None))


class StaffEventOutputSerializer(serializers.ModelSerializer):
    """One timeline event. ``data`` comes from ``context["event_data"]``
    (``apps.triage.selectors.timeline.event_data_for_staff``): units by code, officers by
    username."""

    actor = serializers.CharField(source="staff_actor_label", default=None)
    agency = serializers.CharField(source="agency.code", default=None)

    class Meta:
        model = ReportEvent
        fields = [
            "kind",
            "from_status",
            "to_status",
            "actor",
            "agency",
            "visibility",
            "note",
            "data",
            "created_at",
        ]

    def to_representation(self, instance: ReportEvent) -> dict[str, Any]:
        shown: dict[str, Any] = super().to_representation(instance)
        shown["data"] = dict(self.context["event_data"][instance.pk])
        return shown


class StaffPhotoOutputSerializer(PhotoLinksOutputSerializer):
    """Links point to the photo endpoints of the report API (``/api/v1/reports/{id}/photos/
    {n}``), which serve the staff of the ticket's current unit with their token."""

    class Meta(PhotoLinksOutputSerializer.Meta):
        fields = ["n", "kind", "width", "height", "taken_at", "url", "thumbnail_url"]

    def photo_link(self, photo: ReportPhoto, *, thumbnail: bool) -> str:
        name = "report-photo-thumbnail" if thumbnail else "report-photo"
        public_id = self.context.get("public_id") or photo.report.public_id
        path = reverse(name, kwargs={"public_id": public_id, "n": photo.index})
        request = self.context.get("request")
        return request.build_absolute_uri(path) if request is not None else path


class StaffResponseTemplateOutputSerializer(serializers.ModelSerializer):
    class Meta:
        model = ResponseTemplate
        fields = ["purpose", "title", "body"]


class StaffCannedReasonOutputSerializer(serializers.ModelSerializer):
    class Meta:
        model = CannedReason
        fields = ["purpose", "text"]


class StaffTicketDetailOutputSerializer(StaffTicketOutputSerializer):
    description = serializers.CharField()
    lat = serializers.FloatField(source="location.y", allow_null=True)  # null: to be confirmed
    lon = serializers.FloatField(source="location.x", allow_null=True)
    photos = serializers.SerializerMethodField()
    timeline = serializers.SerializerMethodField()
    can_act = serializers.SerializerMethodField()
    response_templates = serializers.SerializerMethodField()
    canned_reasons = serializers.SerializerMethodField()

    class Meta(StaffTicketOutputSerializer.Meta):
        fields = [
            *StaffTicketOutputSerializer.Meta.fields,
            "description",
            "address_hint",
            "lat",
            "lon",
            "occurred_at",
            "photos",
            "timeline",
            "can_act",
            "response_templates",
            "canned_reasons",
        ]

    @extend_schema_field(StaffPhotoOutputSerializer(many=True))
    def get_photos(self, obj: Report) -> list[dict[str, Any]]:
        context = {"request": self.context.get("request"), "public_id": obj.public_id}
        return list(
            StaffPhotoOutputSerializer(self.context["photos"], many=True, context=context).data
        )

    @extend_schema_field(StaffEventOutputSerializer(many=True))
    def get_timeline(self, obj: Report) -> list[dict[str, Any]]:
        context = {"event_data": self.context["event_data"]}
        return list(
            StaffEventOutputSerializer(self.context["timeline"], many=True, context=context).data
        )

    @extend_schema_field(OpenApiTypes.BOOL)
    def get_can_act(self, obj: Report) -> bool:
        return bool(self.context["can_act"])

    @extend_schema_field(StaffResponseTemplateOutputSerializer(many=True))
    def get_response_templates(self, obj: Report) -> list[dict[str, Any]]:
        return list(
            StaffResponseTemplateOutputSerializer(self.context["templates"], many=True).data
        )

    @extend_schema_field(StaffCannedReasonOutputSerializer(many=True))
    def get_canned_reasons(self, obj: Report) -> list[dict[str, Any]]:
        return list(StaffCannedReasonOutputSerializer(self.context["reasons"], many=True).data)


class StaffTicketPageOutputSerializer(serializers.Serializer):
    count = serializers.IntegerField()
    next = serializers.URLField(allow_null=True)
    previous = serializers.URLField(allow_null=True)
    results = StaffTicketOutputSerializer(many=True)
