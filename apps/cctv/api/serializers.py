"""Shapes of the VMS API (docs/cctv.md). Input is validated by the ingest service itself
(per item, so one bad clip does not reject the others); these describe it for the schema."""

from typing import Any

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from apps.cctv.models import Camera, Clip, ClipRequest
from apps.core.api.schema import ErrorDetailOutputSerializer


class CctvCameraOutputSerializer(serializers.ModelSerializer):
    lat = serializers.SerializerMethodField()
    lon = serializers.SerializerMethodField()
    kelurahan = serializers.SerializerMethodField()

    class Meta:
        model = Camera
        fields = [
            "code",
            "name",
            "lat",
            "lon",
            "status",
            "last_seen",
            "heading",
            "fov",
            "range_m",
            "kelurahan",
        ]
        read_only_fields = fields

    def get_lat(self, obj: Camera) -> float:
        return round(obj.location.y, 7)

    def get_lon(self, obj: Camera) -> float:
        return round(obj.location.x, 7)

    @extend_schema_field(serializers.CharField(allow_null=True))
    def get_kelurahan(self, obj: Camera) -> str | None:
        return obj.kelurahan.code if obj.kelurahan else None


class CctvClipInputSerializer(serializers.Serializer):
    camera = serializers.CharField(max_length=60, help_text="The camera's code.")
    start = serializers.DateTimeField(help_text="ISO 8601 with a time zone.")
    end = serializers.DateTimeField(
        help_text="After the start, at most one hour later, not in the future."
    )
    storage_uri = serializers.CharField(max_length=500, help_text="Where the VMS holds the clip.")
    sha256 = serializers.RegexField(r"^[0-9a-f]{64}$")
    size = serializers.IntegerField(min_value=0, help_text="Bytes.")
    poster_uri = serializers.CharField(max_length=500, required=False, allow_blank=True)
    retain_until = serializers.DateTimeField(
        required=False, help_text="Until when the VMS keeps it (default: end + 14 days)."
    )


class CctvClipIngestInputSerializer(serializers.Serializer):
    clips = CctvClipInputSerializer(many=True, min_length=1, max_length=1000)  # type: ignore[call-arg]


class CctvClipOutputSerializer(serializers.ModelSerializer):
    camera = serializers.CharField(source="camera.code", read_only=True)
    start = serializers.DateTimeField(source="starts_at")
    end = serializers.DateTimeField(source="ends_at")
    size = serializers.IntegerField(source="size_bytes")

    class Meta:
        model = Clip
        fields = [
            "uid",
            "camera",
            "start",
            "end",
            "storage_uri",
            "sha256",
            "size",
            "poster_uri",
            "retain_until",
            "held_until",
        ]
        read_only_fields = fields


class CctvClipResultOutputSerializer(serializers.Serializer):
    index = serializers.IntegerField()
    status = serializers.IntegerField(
        help_text="201 created, 200 duplicate, 400 invalid, 404 unknown camera."
    )
    clip = CctvClipOutputSerializer(required=False)
    error = ErrorDetailOutputSerializer(required=False)


class CctvClipIngestOutputSerializer(serializers.Serializer):
    created = serializers.IntegerField()
    duplicates = serializers.IntegerField()
    rejected = serializers.IntegerField()
    results = CctvClipResultOutputSerializer(many=True)


class CctvHeartbeatInputSerializer(serializers.Serializer):
    status = serializers.ChoiceField(choices=Camera.Status.choices)


class CctvClipRequestOutputSerializer(serializers.ModelSerializer):
    camera = serializers.CharField(source="camera.code", read_only=True)
    start = serializers.DateTimeField(source="starts_at")
    end = serializers.DateTimeField(source="ends_at")

    class Meta:
        model = ClipRequest
        fields = ["uid", "camera", "start", "end", "created_at"]
        read_only_fields = fields


_MOMENT = serializers.DateTimeField()


def clip_payload(clip: Clip, camera_code: str) -> dict[str, Any]:
    """``CctvClipOutputSerializer``'s shape, built directly: a bulk answer holds 1,000 of
    them, and a serializer instance per clip would cost more than storing the clips."""
    moment = _MOMENT.to_representation
    return {
        "uid": str(clip.uid),
        "camera": camera_code,
        "start": moment(clip.starts_at),
        "end": moment(clip.ends_at),
        "storage_uri": clip.storage_uri,
        "sha256": clip.sha256,
        "size": clip.size_bytes,
        "poster_uri": clip.poster_uri,
        "retain_until": moment(clip.retain_until),
        "held_until": moment(clip.held_until) if clip.held_until else None,
    }


class CctvCameraPageOutputSerializer(serializers.Serializer):
    count = serializers.IntegerField()
    next = serializers.URLField(allow_null=True)
    previous = serializers.URLField(allow_null=True)
    results = CctvCameraOutputSerializer(many=True)


class CctvClipRequestPageOutputSerializer(serializers.Serializer):
    count = serializers.IntegerField()
    next = serializers.URLField(allow_null=True)
    previous = serializers.URLField(allow_null=True)
    results = CctvClipRequestOutputSerializer(many=True)
