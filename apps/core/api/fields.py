"""Serializer fields every API shares."""

from datetime import datetime

from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from rest_framework import serializers


class ZonedDateTimeField(serializers.DateTimeField):
    """An ISO 8601 time that names its zone: a phone's local time without one is ambiguous
    (the device may be set to any zone), so it is refused rather than guessed."""

    default_error_messages = {"naive": _("Give a time zone, e.g. Z or +07:00.")}

    def enforce_timezone(self, value: datetime) -> datetime:
        if timezone.is_naive(value):
            self.fail("naive")
        return super().enforce_timezone(value)
