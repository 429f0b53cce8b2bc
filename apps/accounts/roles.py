from django.db import models
from django.utils.translation import gettext_lazy as _

from apps.accounts.models import Membership


class OrgRole(models.TextChoices):
    """City-wide roles, held as Django groups (they carry model permissions for the admin)."""

    MANAGER = "manager", _("Manager (reads every unit's performance)")
    DPO = "dpo", _("Data protection officer")


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
