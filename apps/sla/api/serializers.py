"""Input and output shapes of the SLA API (uniquely named for the schema)."""

import json
from typing import Any

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from apps.sla.models import AreaFreeze


class AreaFreezeCreateInputSerializer(serializers.Serializer):
    area = serializers.JSONField(
        help_text="GeoJSON Polygon or MultiPolygon (SRID 4326, lon/lat), inside DKI Jakarta."
    )
    starts_at = serializers.DateTimeField()
    ends_at = serializers.DateTimeField()
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
