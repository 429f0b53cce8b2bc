from django.db import models
from django.utils.translation import gettext_lazy as _

from apps.accounts.models import Membership


class OrgRole(models.TextChoices):
    """City-wide roles, held as Django groups (they carry model permissions for the admin)."""

    MANAGER = "manager", _("Manager (reads every unit's performance)")
    DPO = "dpo", _("Data protection officer")


# The kelurahan monitor (FKDM volunteer or petugas piket): a ``monitor`` membership of a
# kelurahan office binds a user to that kelurahan (one membership per kelurahan watched). It
# carries ``view_agency_reports`` only, which the staff scope reads as "the tickets located in
# the area, read-only, without personal data" (apps.reports.selectors_staff); the dashboard's
# duty view lists the open ones (docs/dashboard.md).
KELURAHAN_MONITOR = Membership.Role.MONITOR

# Object permissions on an Agency that each membership role carries.
ROLE_PERMISSIONS: dict[str, tuple[str, ...]] = {
    Membership.Role.OFFICER: ("view_agency_reports", "act_on_agency_reports"),
    Membership.Role.SUPERVISOR: (
        "view_agency_reports",
        "act_on_agency_reports",
        "supervise_agency",
    ),
    Membership.Role.HEAD: ("view_agency_reports", "act_on_agency_reports", "supervise_agency"),
    Membership.Role.MONITOR: ("view_agency_reports",),
}
ALL_AGENCY_PERMISSIONS = ("view_agency_reports", "act_on_agency_reports", "supervise_agency")
