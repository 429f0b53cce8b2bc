"""Input and output shapes of the performance API (uniquely named for the schema)."""

import re
from datetime import date, datetime, time
from typing import Any

from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from apps.performance.selectors import GROUPINGS, JAKARTA, METRICS
from apps.reports.models import PUBLIC_ID_REGEX

MAX_REPORT_DAYS = 366


class PeriodField(serializers.CharField):
    """A month as ``YYYY-MM``, returned as the first day of that month."""

    def to_internal_value(self, data: Any) -> date:  # type: ignore[override]  # a date, by design
        value = super().to_internal_value(data)
        match = re.fullmatch(r"(\d{4})-(\d{2})", value)
        if not match or not 1 <= int(match.group(2)) <= 12 or int(match.group(1)) < 2000:
            raise serializers.ValidationError(_("Give a month as YYYY-MM."))
        return date(int(match.group(1)), int(match.group(2)), 1)


class PerformanceScoreListInputSerializer(serializers.Serializer):
    period = PeriodField()
    subject = serializers.ChoiceField(choices=["unit", "officer"], default="officer")


class PerformanceMonthInputSerializer(serializers.Serializer):
    period = PeriodField()


class PerformanceCountsOutputSerializer(serializers.Serializer):
    tickets = serializers.IntegerField()
    on_time = serializers.IntegerField()
    breaches = serializers.IntegerField()
    reopens = serializers.IntegerField()
    ratings = serializers.IntegerField()
    rating_sum = serializers.IntegerField()
    adjustments = serializers.IntegerField()


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


class PerformanceReportRowOutputSerializer(serializers.Serializer):
    key = serializers.IntegerField(allow_null=True)
    code = serializers.CharField(allow_null=True)
    name = serializers.CharField(allow_null=True)
    tickets = serializers.IntegerField()
    completed = serializers.IntegerField()
    on_time = serializers.IntegerField()
    missed = serializers.IntegerField()
    breaches = serializers.IntegerField()
    open = serializers.IntegerField()
    reopened = serializers.IntegerField()
    backlog_0_2d = serializers.IntegerField()
    backlog_2_6d = serializers.IntegerField()
    backlog_6_14d = serializers.IntegerField()
    backlog_over_14d = serializers.IntegerField()
    compliance_pct = serializers.FloatField(allow_null=True)
    reopen_rate_pct = serializers.FloatField(allow_null=True)
    median_hours = serializers.FloatField(allow_null=True)
    p90_hours = serializers.FloatField(allow_null=True)
    average_rating = serializers.FloatField(allow_null=True)
    rated = serializers.IntegerField()


class PerformanceReportTicketsOutputSerializer(serializers.Serializer):
    metric = serializers.CharField()
    count = serializers.IntegerField()
    reports = serializers.ListField(child=serializers.CharField())
