from django.db.models import QuerySet
from guardian.shortcuts import get_objects_for_user

from apps.accounts.models import Agency, User
from apps.accounts.roles import OrgRole


def agencies_for_user(*, user: User, perm: str = "view_agency_reports") -> QuerySet[Agency]:
    """Agencies on which ``user`` holds ``perm`` as an object permission.

    Model-level permissions never count (``accept_global_perms=False``), and neither does
    being a superuser: scope comes from memberships only.
    """
    if not user.is_authenticated or not user.is_active:
        return Agency.objects.none()
    return get_objects_for_user(
        user,
        f"accounts.{perm}",
        klass=Agency,
        accept_global_perms=False,
        with_superuser=False,
    )


def user_has_org_role(*, user: User, role: OrgRole) -> bool:
    return bool(
        user.is_authenticated and user.is_active and user.groups.filter(name=role.value).exists()
    )


def user_is_manager(*, user: User) -> bool:
    """Active staff in the manager group: the one manager check (performance, SLA freezes).

    Being a superuser does not count: the role comes from the group alone.
    """
    return bool(
        user.is_authenticated
        and user.is_active
        and user.is_staff
        and user_has_org_role(user=user, role=OrgRole.MANAGER)
    )


def agency_get_by_code(*, code: str) -> Agency | None:
    """The unit with this code, or None (a code that names nothing is not an error here)."""
    return Agency.objects.filter(code=code).first() if code else None


def user_get_by_username(*, username: str) -> User | None:
    """The user with this username, or None."""
    return User.objects.filter(username=username).first() if username else None
