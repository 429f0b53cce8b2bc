"""Manager-only performance operations refuse inactive or non-staff users in the group."""

from datetime import date

import pytest
from django.contrib.auth.models import Group
from django.test import Client
from knox.models import AuthToken
from rest_framework.test import APIClient

from apps.accounts.models import User
from apps.accounts.roles import OrgRole
from apps.core.errors import Forbidden
from apps.performance import services
from apps.performance.models import ScoreEvent
from apps.sla.services import area_freeze_allowed
from tests.factories import StaffFactory, UserFactory
from tests.performance.factories import build_world, manager
from tests.performance.test_ledger import AUGUST_5

pytestmark = pytest.mark.django_db
JULY = date(2026, 7, 1)


def _group_member(user: User) -> User:
    group, _created = Group.objects.get_or_create(name=OrgRole.MANAGER.value)
    user.groups.add(group)
    return user


def _client(user: User) -> APIClient:
    client = APIClient()
    _token, key = AuthToken.objects.create(user=user)
    client.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    return client


@pytest.mark.parametrize(
    "fields", [{"is_active": False, "is_staff": True}, {"is_active": True, "is_staff": False}]
)
def test_month_close_and_appeal_decide_refuse_inactive_or_non_staff_managers(
    fields: dict[str, bool],
) -> None:
    world = build_world()
    not_manager = _group_member(UserFactory(**fields))
    assert not area_freeze_allowed(user=not_manager)
    with pytest.raises(Forbidden):
        services.performance_month_close(period=JULY, actor=not_manager, now=AUGUST_5)
    services.performance_month_close(period=JULY, actor=manager(), now=AUGUST_5)
    entry = ScoreEvent.objects.get(report=world.late, kind="breach")
    appeal = services.appeal_submit(score_event=entry, officer=world.officer, reason="Banjir")
    with pytest.raises(Forbidden):
        services.appeal_decide(appeal=appeal, manager=not_manager, upheld=True, note="")


def test_api_and_admin_refuse_a_non_staff_user_in_the_manager_group() -> None:
    not_manager = _group_member(UserFactory(is_staff=False))
    client = _client(not_manager)
    report = client.get("/api/v1/performance/report/", {"start": "2026-07-01", "end": "2026-07-31"})
    assert (report.status_code, report.json()["error"]["code"]) == (403, "permission_denied")
    units = client.get("/api/v1/performance/scores/", {"period": "2026-07", "subject": "unit"})
    assert units.status_code == 403
    browser = Client()
    browser.force_login(not_manager)
    page = browser.get("/admin/performance/managerreport/")
    assert page.status_code in {302, 403}


def test_appeal_decision_of_an_unknown_appeal_is_a_404() -> None:
    response = _client(manager()).post(
        "/api/v1/performance/appeals/00000000-0000-0000-0000-000000000000/decision/",
        {"upheld": False, "note": "Tidak"},
        format="json",
    )
    assert (response.status_code, response.json()["error"]["code"]) == (404, "not_found")


def test_an_officer_cannot_appeal_someone_elses_breach() -> None:
    world = build_world()
    services.performance_ledger_sync(now=AUGUST_5)
    services.performance_month_close(period=JULY, actor=manager(), now=AUGUST_5)
    other = StaffFactory()
    response = _client(other).post(
        "/api/v1/performance/appeals/",
        {"report": world.late.public_id, "cycle": 1, "reason": "Bukan saya"},
        format="json",
    )
    assert (response.status_code, response.json()["error"]["code"]) == (404, "not_found")
