import pytest

from apps.accounts.models import Agency, User
from tests.factories import staff_in


@pytest.fixture
def sda(db: None) -> Agency:
    return Agency.objects.get(code="DINAS-SDA")


@pytest.fixture
def bina_marga(db: None) -> Agency:
    return Agency.objects.get(code="DINAS-BINAMARGA")


@pytest.fixture
def officer(sda: Agency) -> User:
    return staff_in("DINAS-SDA", "officer")


@pytest.fixture
def supervisor(sda: Agency) -> User:
    return staff_in("DINAS-SDA", "supervisor")
