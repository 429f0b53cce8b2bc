"""SLA: working calendars, policies, one clock per report, breaches and warnings.

Rules and formulas: docs/sla.md. Every deadline records the policy version and the calendar
version that computed it, so any number can be explained and recomputed.
"""

from django.conf import settings
from django.contrib.gis.db.models import MultiPolygonField
from django.contrib.postgres.fields import ArrayField
from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _

from apps.accounts.models import Agency
from apps.reports.models import Report
from apps.routing.models import Category
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
        CALENDAR_DAYS = "calendar_days", _("Calendar days")
        WORKING_DAYS = "working_days", _("Working days")

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


class SlaClock(models.Model):
    """The follow-up clock of one report, derived from its event log (docs/sla.md)."""

    class State(models.TextChoices):
        RUNNING = "running", _("Running")
        PAUSED = "paused", _("Paused")
        STOPPED = "stopped", _("Stopped")
        MERGED = "merged", _("Merged into another report")

    report = models.OneToOneField(
        Report, verbose_name=_("report"), on_delete=models.CASCADE, related_name="sla_clock"
    )
    policy = models.ForeignKey(
        SlaPolicy,
        verbose_name=_("policy"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="clocks",
    )
    policy_version = models.PositiveIntegerField(_("policy version"), default=0)
    calendar_version = models.PositiveIntegerField(_("calendar version"), default=0)
    target = models.PositiveSmallIntegerField(_("target (days)"))
    unit = models.CharField(_("unit"), max_length=20, choices=SlaPolicy.Unit.choices)
    state = models.CharField(
        _("state"), max_length=10, choices=State.choices, default=State.RUNNING
    )
    cycle = models.PositiveSmallIntegerField(_("cycle"), default=1)
    started_at = models.DateTimeField(_("started at"))
    due_at = models.DateTimeField(_("due at"), null=True, blank=True)
    paused_intervals = models.JSONField(_("paused intervals"), default=list, blank=True)
    stopped_at = models.DateTimeField(_("stopped at"), null=True, blank=True)
    breached_at = models.DateTimeField(_("breached at"), null=True, blank=True)
    # The policy's rules as they were when the clock started (pause statuses, warning
    # points, cuti bersama): editing a policy applies to new reports only.
    rules = models.JSONField(_("rules"), default=dict, blank=True)
    warning_points = ArrayField(models.PositiveSmallIntegerField(), default=list, blank=True)
    warning_times = ArrayField(models.DateTimeField(), default=list, blank=True)
    next_warning_at = models.DateTimeField(_("next warning at"), null=True, blank=True)
    # Highest ReportEvent id this clock has been computed from; -1 = compute in Python.
    events_seen_id = models.BigIntegerField(_("events seen up to"), default=0)
    computed_at = models.DateTimeField(_("computed at"))

    class Meta:
        verbose_name = _("SLA clock")
        verbose_name_plural = _("SLA clocks")
        indexes = [
            # Clocks that can still breach: running or paused (a pause that began after the
            # deadline does not move it), and stopped ones that stopped after the deadline
            # before a sweep saw them (a late follow-up must not escape its breach).
            models.Index(
                fields=["due_at"],
                condition=~models.Q(state="stopped") & models.Q(breached_at__isnull=True),
                name="sla_clock_due_open_idx",
            ),
            models.Index(
                fields=["due_at"],
                condition=models.Q(
                    state="stopped", breached_at__isnull=True, stopped_at__gt=models.F("due_at")
                ),
                name="sla_clock_late_stop_idx",
            ),
            models.Index(
                fields=["next_warning_at"],
                condition=models.Q(state="running", next_warning_at__isnull=False),
                name="sla_clock_warning_idx",
            ),
            models.Index(
                fields=["events_seen_id"],
                condition=models.Q(events_seen_id__lt=0),
                name="sla_clock_needs_compute_idx",
            ),
            # Reopened reports (a reopen starts cycle 2): the manager report reads this set.
            models.Index(
                fields=["report"], condition=models.Q(cycle__gt=1), name="sla_clock_reopened_idx"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.report_id}: {self.state} due {self.due_at}"


class SlaBreach(models.Model):
    """A missed deadline, recorded once per clock cycle, with who it is charged to and why."""

    class Rule(models.TextChoices):
        HOLDER_AT_DEADLINE = "holder_at_deadline", _("Held the report at the deadline")
        GRACE_PASS_BACK = (
            "grace_pass_back",
            _(
                "The holder at the deadline received it with too little time left; charged to "
                "the previous holder"
            ),
        )
        TRIAGE_BEFORE_ROUTING = (
            "triage_before_routing",
            _("Not yet routed to a unit in time; charged to central triage"),
        )
        TRIAGE_NO_CUSTODY = (
            "triage_no_custody",
            _("No unit held the report at the deadline; charged to central triage"),
        )
        BUKAN_WEWENANG_OVERTURNED = (
            "bukan_wewenang_overturned",
            _(
                "Returned to central triage as not its authority, and triage sent it back: "
                "charged to the unit that returned it"
            ),
        )

    clock = models.ForeignKey(
        SlaClock, verbose_name=_("clock"), on_delete=models.CASCADE, related_name="breaches"
    )
    report = models.ForeignKey(
        Report, verbose_name=_("report"), on_delete=models.CASCADE, related_name="sla_breaches"
    )
    cycle = models.PositiveSmallIntegerField(_("cycle"))
    due_at = models.DateTimeField(_("deadline"))
    agency = models.ForeignKey(
        Agency,
        verbose_name=_("charged unit"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="sla_breaches",
    )
    officer = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("charged officer"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="sla_breaches",
    )
    rule = models.CharField(_("attribution rule"), max_length=30, choices=Rule.choices)
    custody_id = models.BigIntegerField(_("custody interval"), null=True, blank=True)
    holder_agency = models.ForeignKey(
        Agency,
        verbose_name=_("unit holding at the deadline"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    # Charged to central triage while triage still holds a "bukan wewenang" return: the
    # charge moves to the returning unit if triage sends the ticket back to it. The ledger
    # waits for the decision (docs/sla.md, "Attribution").
    provisional = models.BooleanField(
        _("awaiting triage's decision"), default=False, db_default=False
    )
    created_at = models.DateTimeField(_("recorded at"))

    class Meta:
        verbose_name = _("SLA breach")
        verbose_name_plural = _("SLA breaches")
        ordering = ["-due_at", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["clock", "cycle"], name="sla_breach_once_per_cycle"),
        ]
        indexes = [
            models.Index(fields=["agency", "due_at"], name="sla_breach_agency_idx"),
            models.Index(
                fields=["id"],
                condition=models.Q(provisional=True),
                name="sla_breach_provisional_idx",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.report_id} cycle {self.cycle}"


class SlaWarning(models.Model):
    """The clock passed a warning point (e.g. 50 % / 80 % of the target); once per cycle."""

    clock = models.ForeignKey(
        SlaClock, verbose_name=_("clock"), on_delete=models.CASCADE, related_name="warnings"
    )
    cycle = models.PositiveSmallIntegerField(_("cycle"))
    point = models.PositiveSmallIntegerField(_("point (%)"))
    at = models.DateTimeField(_("reached at"))
    created_at = models.DateTimeField(_("recorded at"))

    class Meta:
        verbose_name = _("SLA warning")
        verbose_name_plural = _("SLA warnings")
        constraints = [
            models.UniqueConstraint(
                fields=["clock", "cycle", "point"], name="sla_warning_once_per_point"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.clock_id} {self.point}%"


class SlaSweepState(models.Model):
    """Where the sweep got to in the event log (a single row, pk 1)."""

    event_watermark = models.BigIntegerField(_("events read up to"), default=0)
    last_run_at = models.DateTimeField(_("last run"), null=True, blank=True)

    class Meta:
        verbose_name = _("SLA sweep state")
        verbose_name_plural = _("SLA sweep state")

    def __str__(self) -> str:
        return f"sweep @ {self.event_watermark}"


class AreaFreeze(models.Model):
    """A manager pauses every clock inside ``area`` from ``starts_at`` to ``ends_at``.

    Rows are never edited (the admin and the API only add them): who, when and what stay
    on record. Clocks of reports located inside take the period as an extra pause.
    """

    area = MultiPolygonField(_("area"), srid=4326)
    starts_at = models.DateTimeField(_("from"))
    ends_at = models.DateTimeField(_("until"))
    reason = models.TextField(_("reason"))
    vertex_count = models.PositiveIntegerField(_("vertices"))
    clocks_affected = models.PositiveIntegerField(_("clocks marked for recomputation"), default=0)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("created by"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    created_at = models.DateTimeField(_("created at"))

    class Meta:
        verbose_name = _("area freeze")
        verbose_name_plural = _("area freezes")
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(ends_at__gt=models.F("starts_at")),
                name="area_freeze_ends_after_start",
            ),
        ]

    def __str__(self) -> str:
        return (
            f"{self.starts_at:%Y-%m-%d %H:%M} - {self.ends_at:%Y-%m-%d %H:%M}: {self.reason[:40]}"
        )
