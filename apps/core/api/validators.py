"""Field validators shared by the API's input serializers."""

import math

from django.utils.translation import gettext_lazy as _
from rest_framework import serializers


def validate_finite(value: float) -> None:
    """Refuse NaN and ±Infinity (a JSON client can send them as strings)."""
    if not math.isfinite(value):
        raise serializers.ValidationError(_("Must be a finite number."))
