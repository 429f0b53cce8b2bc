"""Factories shared by every app's tests (Faker in Indonesian)."""

import factory
from django.contrib.auth.hashers import make_password
from faker import Faker

from apps.accounts.models import Agency, User
from apps.accounts.services import membership_set
from apps.identity.models import Reporter

faker = Faker("id_ID")


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        django_get_or_create = ("username",)

    username = factory.Sequence(lambda n: f"user{n}")
    password = factory.LazyFunction(lambda: make_password("pw-for-tests"))
    is_active = True


class StaffFactory(UserFactory):
    is_staff = True


class ReporterFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Reporter

    pseudonym = factory.Sequence(lambda n: f"Warga-T{n:05d}")
    user = factory.SubFactory(UserFactory)


def staff_in(agency_code: str, role: str = "officer", **kwargs: object) -> User:
    """A staff user holding ``role`` in the agency with ``agency_code``."""
    user = StaffFactory(**kwargs)
    membership_set(user=user, agency=Agency.objects.get(code=agency_code), role=role)
    return user
