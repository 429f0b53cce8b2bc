"""Shapes of the staff evidence API (docs/cctv.md)."""

from rest_framework import serializers

from apps.core.api.text_input import FormTextInputSerializer
from apps.core.api.validators import validate_finite
from apps.reports.models import ClipPlay


class StaffEvidenceCameraOutputSerializer(serializers.Serializer):
    code = serializers.CharField()
    name = serializers.CharField()
    lat = serializers.FloatField()
    lon = serializers.FloatField()
    heading = serializers.FloatField(allow_null=True)
    fov = serializers.FloatField(allow_null=True)
    range_m = serializers.IntegerField()
    status = serializers.CharField(help_text="Now: online, offline or maintenance.")
    distance_m = serializers.FloatField()
    bearing_deg = serializers.FloatField(allow_null=True, help_text="From the camera.")
    reason = serializers.CharField(help_text="`in_sector` or `in_range_heading_unknown`.")
    down_at_time = serializers.BooleanField()
    clip_count = serializers.IntegerField()


class StaffEvidenceClipOutputSerializer(serializers.Serializer):
    uid = serializers.UUIDField()
    camera = serializers.CharField()
    start = serializers.DateTimeField()
    end = serializers.DateTimeField()
    offset_s = serializers.FloatField(help_text="Clip start minus the report time, seconds.")
    origin = serializers.CharField(help_text="`auto` (place and time) or `manual`.")
    reason = serializers.CharField()
    distance_m = serializers.FloatField(allow_null=True)
    note = serializers.CharField(allow_blank=True)
    held_until = serializers.DateTimeField(allow_null=True)
    hold_indefinite = serializers.BooleanField(help_text="Held while the ticket is open.")
    playable = serializers.BooleanField()


class StaffEvidenceOutputSerializer(serializers.Serializer):
    may_manage = serializers.BooleanField()
    cameras_down = serializers.BooleanField(
        help_text="Every camera that sees the place was down at the time."
    )
    open_requests = serializers.IntegerField()
    cameras = StaffEvidenceCameraOutputSerializer(many=True)
    clips = StaffEvidenceClipOutputSerializer(many=True)


class StaffClipPlayInputSerializer(FormTextInputSerializer):
    purpose = serializers.ChoiceField(choices=ClipPlay.Purpose.choices)


class StaffClipPlayOutputSerializer(serializers.Serializer):
    url = serializers.CharField(help_text="Plays for a few minutes, then stops working.")
    expires_in = serializers.IntegerField(help_text="Seconds.")


class StaffClipLinkInputSerializer(FormTextInputSerializer):
    clip = serializers.UUIDField()
    note = serializers.CharField(max_length=2000)


class StaffClipUnlinkInputSerializer(FormTextInputSerializer):
    note = serializers.CharField(max_length=2000)


class StaffCorrectionInputSerializer(FormTextInputSerializer):
    lat = serializers.FloatField(
        required=False, min_value=-90, max_value=90, validators=[validate_finite]
    )
    lon = serializers.FloatField(
        required=False, min_value=-180, max_value=180, validators=[validate_finite]
    )
    occurred_at = serializers.DateTimeField(required=False)
    note = serializers.CharField(max_length=2000)

    def validate(self, attrs: dict[str, object]) -> dict[str, object]:
        if ("lat" in attrs) != ("lon" in attrs):
            raise serializers.ValidationError({"lat": ["Give both lat and lon."]})
        if "lat" not in attrs and "occurred_at" not in attrs:
            raise serializers.ValidationError({"lat": ["Give a new place or time."]})
        return attrs


class StaffCorrectionOutputSerializer(serializers.Serializer):
    public_id = serializers.CharField()
    lat = serializers.FloatField(allow_null=True)
    lon = serializers.FloatField(allow_null=True)
    occurred_at = serializers.DateTimeField()
    relinking = serializers.BooleanField(help_text="The evidence is recomputed in a moment.")
