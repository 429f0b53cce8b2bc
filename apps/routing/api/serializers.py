from typing import Any

from rest_framework import serializers

from apps.accounts.models import Agency
from apps.core.api.validators import validate_finite
from apps.routing.models import Area


class RoutingLookupInputSerializer(serializers.Serializer):
    lat = serializers.FloatField(min_value=-90, max_value=90, validators=[validate_finite])
    lon = serializers.FloatField(min_value=-180, max_value=180, validators=[validate_finite])
    category = serializers.SlugField(max_length=40)


class AreaRefSerializer(serializers.ModelSerializer):
    class Meta:
        model = Area
        fields = ["code", "name", "level"]


class AreaWithParentsSerializer(serializers.ModelSerializer):
    kecamatan = serializers.SerializerMethodField()
    kota = serializers.SerializerMethodField()

    class Meta:
        model = Area
        fields = ["code", "name", "level", "postal_code", "kecamatan", "kota"]

    def _ancestor(self, area: Area, level: str) -> dict[str, Any] | None:
        for node in area.ancestors():
            if node.level == level:
                return AreaRefSerializer(node).data
        return None

    def get_kecamatan(self, area: Area) -> dict[str, Any] | None:
        return self._ancestor(area, Area.Level.KECAMATAN)

    def get_kota(self, area: Area) -> dict[str, Any] | None:
        return self._ancestor(area, Area.Level.KOTA)


class AgencyRefSerializer(serializers.ModelSerializer):
    class Meta:
        model = Agency
        fields = ["code", "name", "short_name", "kind"]


class RoutingLookupOutputSerializer(serializers.Serializer):
    area = AreaWithParentsSerializer()
    agency = AgencyRefSerializer()
    explanation = serializers.DictField()
