"""Every write of the SLA app (docs/sla.md). Import from here."""

from apps.sla.services.calendars import (
    HolidaySyncResult,
    holiday_delete,
    holiday_upsert,
    holidays_sync,
    sla_policy_save,
    work_calendar_default,
    work_calendar_update,
)
from apps.sla.services.clock import (
    sla_clock_recompute,
    sla_clocks_create_missing,
    sla_clocks_refresh,
)
from apps.sla.services.freeze import (
    AreaFreezeInvalid,
    area_freeze_allowed,
    area_freeze_create,
    area_freeze_geometry,
)
from apps.sla.services.sweep import SweepResult, sla_sweep

__all__ = [
    "AreaFreezeInvalid",
    "HolidaySyncResult",
    "SweepResult",
    "area_freeze_allowed",
    "area_freeze_create",
    "area_freeze_geometry",
    "holiday_delete",
    "holiday_upsert",
    "holidays_sync",
    "sla_clock_recompute",
    "sla_clocks_create_missing",
    "sla_clocks_refresh",
    "sla_policy_save",
    "sla_sweep",
    "work_calendar_default",
    "work_calendar_update",
]
