"""What a deadline is computed with: working calendars, their holidays and the policies."""

from django.contrib.postgres.fields import ArrayField
from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _

from apps.reports.models import Report
from apps.routing.models import Category
from apps.sla import deadlines
from apps.sla.validation import calendar_problems, policy_problems


def default_working_weekdays() -> list[int]:
    return [0, 1, 2, 3, 4]  # Monday..Friday (date.weekday())


def default_pause_statuses() -> list[str]:
    return [Report.Status.MENUNGGU_INFO_PELAPOR]


def default_warning_points() -> list[int]:
    return [50, 80]


class WorkCalendar(models.Model):
    """Working weekdays and holidays of one place. ``version`` grows on every change."""

    code = models.SlugField(_("code"), max_length=40, unique=True)
    name = models.CharField(_("name"), max_length=120)
    timezone = models.CharField(_("time zone"), max_length=40, default="Asia/Jakarta")
    working_weekdays = ArrayField(
        models.PositiveSmallIntegerField(),
        verbose_name=_("working weekdays (0 = Monday)"),
        default=default_working_weekdays,
    )
    version = models.PositiveIntegerField(_("version"), default=1, editable=False)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("work calendar")
        verbose_name_plural = _("work calendars")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(working_weekdays__len__gte=1),
                name="work_calendar_has_a_working_day",
            ),
            models.CheckConstraint(
                condition=models.Q(working_weekdays__contained_by=[0, 1, 2, 3, 4, 5, 6]),
                name="work_calendar_weekdays_0_to_6",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name} (v{self.version})"

    def clean(self) -> None:
        problems = calendar_problems(
            working_weekdays=self.working_weekdays or [], timezone=self.timezone
        )
        if problems:
            raise ValidationError(problems)


class Holiday(models.Model):
    class Kind(models.TextChoices):
        PUBLIC_HOLIDAY = "public_holiday", _("Public holiday")
        CUTI_BERSAMA = "cuti_bersama", _("Collective leave (cuti bersama)")
        REGIONAL = "regional", _("Regional holiday")
        AD_HOC = "ad_hoc", _("Ad hoc day off")

    class Source(models.TextChoices):
        HOLIDAYS_PACKAGE = "holidays_package", _("holidays package (sync_holidays)")
        MANUAL = "manual", _("Entered by hand")

    calendar = models.ForeignKey(
        WorkCalendar, verbose_name=_("calendar"), on_delete=models.CASCADE, related_name="holidays"
    )
    date = models.DateField(_("date"))
    name = models.CharField(_("name"), max_length=200)
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    source = models.CharField(
        _("source"), max_length=20, choices=Source.choices, default=Source.MANUAL
    )
    decree_reference = models.CharField(_("decree reference"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("holiday")
        verbose_name_plural = _("holidays")
        ordering = ["calendar", "date"]
        constraints = [
            models.UniqueConstraint(fields=["calendar", "date"], name="holiday_once_per_date"),
        ]

    def __str__(self) -> str:
        return f"{self.date} {self.name}"


class SlaPolicy(models.Model):
    """The follow-up target for a category (or the default, ``category`` empty)."""

    class Unit(models.TextChoices):
        CALENDAR_DAYS = deadlines.CALENDAR_DAYS, _("Calendar days")
        WORKING_DAYS = deadlines.WORKING_DAYS, _("Working days")

    category = models.OneToOneField(
        Category,
        verbose_name=_("category"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="sla_policy",
        help_text=_("Empty: the default policy for categories without their own."),
    )
    calendar = models.ForeignKey(
        WorkCalendar, verbose_name=_("calendar"), on_delete=models.PROTECT, related_name="policies"
    )
    target = models.PositiveSmallIntegerField(_("target (days)"), default=6)
    unit = models.CharField(
        _("unit"), max_length=20, choices=Unit.choices, default=Unit.CALENDAR_DAYS
    )
    include_cuti_bersama = models.BooleanField(
        _("cuti bersama are days off"),
        default=True,
        help_text=_("Working days only: whether collective leave days stop the count."),
    )
    pause_statuses = ArrayField(
        models.CharField(max_length=30, choices=Report.Status.choices),
        verbose_name=_("statuses that pause the clock"),
        default=default_pause_statuses,
        blank=True,
    )
    warning_points = ArrayField(
        models.PositiveSmallIntegerField(),
        verbose_name=_("warning points (% of the target)"),
        default=default_warning_points,
        blank=True,
    )
    version = models.PositiveIntegerField(_("version"), default=1, editable=False)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("SLA policy")
        verbose_name_plural = _("SLA policies")
        constraints = [
            models.CheckConstraint(condition=models.Q(target__gte=1), name="sla_policy_target_1"),
            models.UniqueConstraint(
                fields=["calendar"],
                condition=models.Q(category__isnull=True),
                name="sla_policy_one_default_per_calendar",
            ),
        ]

    def __str__(self) -> str:
        scope = self.category.code if self.category is not None else "default"
        return f"{scope}: {self.target} {self.unit} (v{self.version})"

    def clean(self) -> None:
        problems = policy_problems(
            target=self.target,
            unit=self.unit,
            pause_statuses=self.pause_statuses or [],
            warning_points=self.warning_points or [],
        )
        if problems:
            raise ValidationError(problems)
