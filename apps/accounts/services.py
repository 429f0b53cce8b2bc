from django.contrib.auth.models import Group
from django.db import transaction
from guardian.shortcuts import assign_perm, remove_perm

from apps.accounts.models import Agency, Membership, User
from apps.accounts.roles import ALL_AGENCY_PERMISSIONS, ROLE_PERMISSIONS, OrgRole


@transaction.atomic
def membership_set(*, user: User, agency: Agency, role: str) -> Membership:
    """Place ``user`` in ``agency`` with ``role`` and align the object permissions with it."""
    membership, _ = Membership.objects.update_or_create(
        user=user, agency=agency, defaults={"role": Membership.Role(role)}
    )
    wanted = set(ROLE_PERMISSIONS[membership.role])
    for perm in ALL_AGENCY_PERMISSIONS:
        if perm in wanted:
            assign_perm(f"accounts.{perm}", user, agency)
        else:
            remove_perm(f"accounts.{perm}", user, agency)
    return membership


@transaction.atomic
def membership_remove(*, user: User, agency: Agency) -> None:
    Membership.objects.filter(user=user, agency=agency).delete()
    for perm in ALL_AGENCY_PERMISSIONS:
        remove_perm(f"accounts.{perm}", user, agency)


def user_grant_org_role(*, user: User, role: OrgRole) -> None:
    group, _ = Group.objects.get_or_create(name=role.value)
    user.groups.add(group)


def staff_user_upsert(*, username: str, password: str, is_superuser: bool = False) -> User:
    """Create (or reset the password of) a staff account; used by the demo seed."""
    user, _ = User.objects.get_or_create(username=username)
    user.is_staff = True
    user.is_superuser = is_superuser
    user.is_active = True
    user.set_password(password)
    user.save()
    return user


@transaction.atomic
def demo_accounts_seed(*, users: list[dict[str, object]], password: str) -> list[User]:
    """Create the demo staff accounts with their memberships and city-wide roles."""
    created: list[User] = []
    for spec in users:
        user = staff_user_upsert(
            username=str(spec["username"]),
            password=password,
            is_superuser=bool(spec.get("superuser")),
        )
        for item in spec.get("memberships", []):  # type: ignore[attr-defined]
            membership_set(
                user=user, agency=Agency.objects.get(code=item["agency"]), role=item["role"]
            )
        for role in spec.get("org_roles", []):  # type: ignore[attr-defined]
            user_grant_org_role(user=user, role=OrgRole(role))
        created.append(user)
    return created
