"""The one manager check: active staff in the manager group, nobody else."""

import pytest
from django.contrib.auth.models import AnonymousUser, Group

from apps.accounts.models import User
from apps.accounts.roles import OrgRole
from apps.accounts.selectors import user_is_manager
from tests.factories import StaffFactory, UserFactory

pytestmark = pytest.mark.django_db


def _in_manager_group(user: User) -> User:
    group, _created = Group.objects.get_or_create(name=OrgRole.MANAGER.value)
    user.groups.add(group)
    return user


def test_active_staff_in_the_manager_group_is_a_manager() -> None:
    assert user_is_manager(user=_in_manager_group(StaffFactory())) is True


@pytest.mark.parametrize(
    "make",
    [
        pytest.param(lambda: _in_manager_group(StaffFactory(is_active=False)), id="inactive"),
        pytest.param(lambda: _in_manager_group(UserFactory(is_staff=False)), id="non-staff"),
        pytest.param(lambda: StaffFactory(), id="staff-without-group"),
        pytest.param(
            lambda: UserFactory(is_staff=True, is_superuser=True), id="superuser-without-group"
        ),
    ],
)
def test_anyone_else_is_not_a_manager(make: object) -> None:
    assert user_is_manager(user=make()) is False  # type: ignore[operator]


def test_anonymous_is_not_a_manager() -> None:
    assert user_is_manager(user=AnonymousUser()) is False  # type: ignore[arg-type]
