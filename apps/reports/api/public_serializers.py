"""Serializers of the public (unauthenticated) report endpoints: map feed, nearby, thumbnail.

Public output carries report content only: never the reporter, a pseudonym, contact details,
photo EXIF/location, routing internals or staff names.
"""

from typing import Any

from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from apps.core.api.validators import validate_finite
from apps.reports.models import Report
from apps.reports.selectors_public import (
    PUBLIC_FEED_MAX_FEATURES,
    InvalidBBox,
    bbox_validate,
    report_is_open,
    report_public_address,
)


class PublicReportFeedInputSerializer(serializers.Serializer):
    bbox = serializers.CharField(
        max_length=200,
        help_text="min_lon,min_lat,max_lon,max_lat (WGS84), at most 1 square degree.",
    )
    category = serializers.SlugField(max_length=40, required=False)
    limit = serializers.IntegerField(
        min_value=1, max_value=PUBLIC_FEED_MAX_FEATURES, default=PUBLIC_FEED_MAX_FEATURES
    )

    def validate_bbox(self, value: str) -> tuple[float, float, float, float]:
        parts = value.split(",")
        if len(parts) != 4:
            raise serializers.ValidationError(
                _("Give four numbers: min_lon,min_lat,max_lon,max_lat.")
            )
        try:
            numbers = tuple(float(part) for part in parts)
        except ValueError:
            raise serializers.ValidationError(
                _("Give four numbers: min_lon,min_lat,max_lon,max_lat.")
            ) from None
        try:
            return bbox_validate(bbox=(numbers[0], numbers[1], numbers[2], numbers[3]))
        except InvalidBBox as exc:
            raise serializers.ValidationError(str(exc)) from None


class PointGeometryOutputSerializer(serializers.Serializer):
    type = serializers.ChoiceField(choices=["Point"])
    coordinates = serializers.ListField(
        child=serializers.FloatField(), min_length=2, max_length=2, help_text="[lon, lat]"
    )


def thumbnail_url(report: Report, request: Any) -> str | None:
    if not getattr(report, "has_photo", False):
        return None
    path = reverse("report-public-thumbnail", kwargs={"public_id": report.public_id})
    return request.build_absolute_uri(path) if request is not None else path


class PublicReportPropertiesOutputSerializer(serializers.ModelSerializer):
    category = serializers.CharField(source="category.code")
    category_name = serializers.CharField(source="category.name_id")
    state = serializers.SerializerMethodField(help_text="open or closed")
    address = serializers.SerializerMethodField()
    kelurahan = serializers.CharField(source="area.name")
    agency = serializers.CharField(source="agency.name")
    thumbnail_url = serializers.SerializerMethodField()

    class Meta:
        model = Report
        fields = [
            "public_id",
            "category",
            "category_name",
            "status",
            "state",
            "description",
            "address",
            "kelurahan",
            "agency",
            "support_count",
            "created_at",
            "updated_at",
            "thumbnail_url",
        ]

    @extend_schema_field(serializers.ChoiceField(choices=["open", "closed"]))
    def get_state(self, report: Report) -> str:
        return "open" if report_is_open(report=report) else "closed"

    def get_address(self, report: Report) -> str:
        return report_public_address(report=report)

    @extend_schema_field(OpenApiTypes.URI)
    def get_thumbnail_url(self, report: Report) -> str | None:
        return thumbnail_url(report, self.context.get("request"))


class PublicReportFeatureOutputSerializer(serializers.Serializer):
    type = serializers.ChoiceField(choices=["Feature"])
    id = serializers.CharField()
    geometry = PointGeometryOutputSerializer()
    properties = PublicReportPropertiesOutputSerializer()

    def to_representation(self, instance: Report) -> dict[str, Any]:
        assert instance.location is not None  # noqa: S101 - the feed has exact locations only
        return {
            "type": "Feature",
            "id": instance.public_id,
            "geometry": {
                "type": "Point",
                "coordinates": [instance.location.x, instance.location.y],
            },
            "properties": PublicReportPropertiesOutputSerializer(
                instance, context=self.context
            ).data,
        }


class PublicReportFeedOutputSerializer(serializers.Serializer):
    """A GeoJSON FeatureCollection; ``truncated`` says that more reports matched."""

    type = serializers.ChoiceField(choices=["FeatureCollection"])
    features = PublicReportFeatureOutputSerializer(many=True)
    truncated = serializers.BooleanField()


class NearbyReportInputSerializer(serializers.Serializer):
    lat = serializers.FloatField(min_value=-90, max_value=90, validators=[validate_finite])
    lon = serializers.FloatField(min_value=-180, max_value=180, validators=[validate_finite])
    category = serializers.SlugField(max_length=40)


class NearbyReportOutputSerializer(serializers.ModelSerializer):
    category = serializers.CharField(source="category.code")
    distance_m = serializers.SerializerMethodField()
    lat = serializers.SerializerMethodField()
    lon = serializers.SerializerMethodField()

    class Meta:
        model = Report
        fields = [
            "public_id",
            "category",
            "status",
            "description",
            "support_count",
            "created_at",
            "distance_m",
            "lat",
            "lon",
        ]

    def get_distance_m(self, report: Report) -> float:
        return round(report.distance.m, 1)  # type: ignore[attr-defined]  # annotated

    # Nearby matches have an exact location (report_list_nearby filters on it).
    def get_lat(self, report: Report) -> float:
        assert report.location is not None  # noqa: S101
        return report.location.y

    def get_lon(self, report: Report) -> float:
        assert report.location is not None  # noqa: S101
        return report.location.x
