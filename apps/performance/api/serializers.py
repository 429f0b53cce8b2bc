"""Input and output shapes of the performance API (uniquely named for the schema)."""

import dataclasses
import re
from datetime import date, datetime, time
from typing import Any

from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from apps.performance.formula import Counts
from apps.performance.selectors import (
    GROUPINGS,
    JAKARTA,
    METRICS,
    PERIOD_FIRST,
    PERIOD_LAST,
    period_range_message,
)
from apps.reports.models import PUBLIC_ID_REGEX

MAX_REPORT_DAYS = 366


class PeriodField(serializers.CharField):
    """A month as ``YYYY-MM`` from 2000-01 to 9999-11, returned as its first day."""

    def to_internal_value(self, data: Any) -> date:  # type: ignore[override]  # a date, by design
        value = super().to_internal_value(data)
        match = re.fullmatch(r"(\d{4})-(\d{2})", value)
        if not match or not 1 <= int(match.group(2)) <= 12 or int(match.group(1)) < 1:
            raise serializers.ValidationError(_("Give a month as YYYY-MM."))
        period = date(int(match.group(1)), int(match.group(2)), 1)
        if not PERIOD_FIRST <= period <= PERIOD_LAST:
            raise serializers.ValidationError(period_range_message())
        return period


class PerformanceScoreListInputSerializer(serializers.Serializer):
    period = PeriodField()
    subject = serializers.ChoiceField(choices=["unit", "officer"], default="officer")


class PerformanceMonthInputSerializer(serializers.Serializer):
    period = PeriodField()


class _IntegerFieldsSerializer(serializers.Serializer):
    """Adds one IntegerField per name in ``integer_fields`` (the names come from the data)."""

    integer_fields: tuple[str, ...] = ()

    def get_fields(self) -> dict[str, serializers.Field]:
        fields = dict(super().get_fields())
        fields.update({name: serializers.IntegerField() for name in self.integer_fields})
        return fields


class PerformanceCountsOutputSerializer(_IntegerFieldsSerializer):
    """The raw counts of a score: every field of ``apps.performance.formula.Counts``."""

    integer_fields = tuple(f.name for f in dataclasses.fields(Counts))


class PerformanceSubjectOutputSerializer(serializers.Serializer):
    kind = serializers.CharField()
    code = serializers.CharField()
    name = serializers.CharField()


class PerformanceScoreOutputSerializer(serializers.Serializer):
    subject = PerformanceSubjectOutputSerializer()
    closed = serializers.BooleanField()
    score = serializers.CharField(allow_null=True)
    too_few_tickets = serializers.BooleanField()
    status = serializers.CharField()
    formula_version = serializers.IntegerField()
    formula = serializers.CharField()
    counts = PerformanceCountsOutputSerializer()


class PerformanceMonthOutputSerializer(serializers.Serializer):
    period = serializers.DateField()
    formula_version = serializers.IntegerField()
    closed_at = serializers.DateTimeField()


class PerformanceBreachOutputSerializer(serializers.Serializer):
    report = serializers.CharField(source="report.public_id")
    unit = serializers.CharField(source="agency.code")
    due_at = serializers.DateTimeField(source="occurred_at")
    rule = serializers.CharField(source="note")
    count = serializers.IntegerField()
    source = serializers.CharField()  # type: ignore[assignment]  # a field named "source"


class AppealCreateInputSerializer(serializers.Serializer):
    report = serializers.RegexField(PUBLIC_ID_REGEX, max_length=9)
    cycle = serializers.IntegerField(min_value=1, max_value=1000, default=1)
    reason = serializers.CharField(max_length=2000, trim_whitespace=False)


class AppealDecideInputSerializer(serializers.Serializer):
    upheld = serializers.BooleanField()
    note = serializers.CharField(max_length=2000, allow_blank=True, default="")


class AppealOutputSerializer(serializers.Serializer):
    id = serializers.UUIDField(source="public_id")
    report = serializers.CharField(source="score_event.report.public_id")
    status = serializers.CharField()
    reason = serializers.CharField()
    decision_note = serializers.CharField()
    decided_at = serializers.DateTimeField(allow_null=True)
    created_at = serializers.DateTimeField()


class PerformanceReportInputSerializer(serializers.Serializer):
    start = serializers.DateField()
    end = serializers.DateField(help_text="Inclusive last day.")
    group = serializers.ChoiceField(choices=sorted(GROUPINGS))

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        if attrs["end"] < attrs["start"]:
            raise serializers.ValidationError({"end": [_("The end is before the start.")]})
        if (attrs["end"] - attrs["start"]).days >= MAX_REPORT_DAYS:
            raise serializers.ValidationError({"end": [_("A report covers at most 366 days.")]})
        attrs["start_at"] = datetime.combine(attrs["start"], time.min, tzinfo=JAKARTA)
        attrs["end_at"] = datetime.combine(attrs["end"], time.max, tzinfo=JAKARTA)
        return attrs


class PerformanceReportExportInputSerializer(PerformanceReportInputSerializer):
    file_format = serializers.ChoiceField(choices=["csv", "xlsx"])


class PerformanceReportTicketsInputSerializer(PerformanceReportInputSerializer):
    key = serializers.IntegerField(min_value=1, required=False, allow_null=True, default=None)
    metric = serializers.ChoiceField(choices=list(METRICS))


class PerformanceChartInputSerializer(serializers.Serializer):
    start = serializers.DateField()
    end = serializers.DateField()
    chart = serializers.ChoiceField(choices=["compliance_by_week", "breaches_by_unit"])

    validate = PerformanceReportInputSerializer.validate


class PerformanceReportRowOutputSerializer(_IntegerFieldsSerializer):
    """One report row: a count per metric (``selectors.METRICS``) and the derived numbers."""

    integer_fields = (*METRICS, "rated")

    key = serializers.IntegerField(allow_null=True)
    code = serializers.CharField(allow_null=True)
    name = serializers.CharField(allow_null=True)
    compliance_pct = serializers.FloatField(allow_null=True)
    reopen_rate_pct = serializers.FloatField(allow_null=True)
    median_hours = serializers.FloatField(allow_null=True)
    p90_hours = serializers.FloatField(allow_null=True)
    average_rating = serializers.FloatField(allow_null=True)


class PerformanceReportTicketsOutputSerializer(serializers.Serializer):
    metric = serializers.CharField()
    count = serializers.IntegerField()
    reports = serializers.ListField(child=serializers.CharField())
