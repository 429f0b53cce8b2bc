"""Input and output shapes of the SLA API (uniquely named for the schema)."""

import json
from typing import Any

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from apps.core.api.fields import ZonedDateTimeField
from apps.sla.models import AreaFreeze


class AreaFreezeCreateInputSerializer(serializers.Serializer):
    area = serializers.JSONField(
        help_text=(
            "GeoJSON Polygon or MultiPolygon (SRID 4326), inside DKI Jakarta; every position "
            "is [lon, lat] (a third value, a height, is refused)."
        )
    )
    # A time without a zone is refused, as in the citizen API: the caller says which instant
    # it means (+07:00 for Jakarta) rather than the server guessing.
    starts_at = ZonedDateTimeField(help_text="ISO 8601 with a zone (Z or +07:00).")
    ends_at = ZonedDateTimeField(help_text="ISO 8601 with a zone (Z or +07:00).")
    reason = serializers.CharField(max_length=1000, trim_whitespace=False)


class AreaFreezeOutputSerializer(serializers.ModelSerializer):
    area = serializers.SerializerMethodField()
    created_by = serializers.CharField(source="created_by.username")

    class Meta:
        model = AreaFreeze
        fields = [
            "id",
            "area",
            "starts_at",
            "ends_at",
            "reason",
            "vertex_count",
            "clocks_affected",
            "created_by",
            "created_at",
        ]

    @extend_schema_field(OpenApiTypes.OBJECT)
    def get_area(self, obj: AreaFreeze) -> dict[str, Any]:
        return dict(json.loads(obj.area.geojson))
