"""One clock per report, its breaches and warnings, and the sweep's watermark."""

from django.conf import settings
from django.contrib.postgres.fields import ArrayField
from django.db import models
from django.utils.translation import gettext_lazy as _

from apps.accounts.models import Agency
from apps.reports.models import Report
from apps.sla.models.policy import SlaPolicy


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
