"""Concurrent writers on separate connections keep one valid access-log chain.

This is the one ``transaction=True`` test of the app; the reference data emptied by the flush
that follows it is reloaded by ``tests/conftest.py`` (``_reference_data_after_flush``).
"""

import threading

import pytest
from django.db import connections

from apps.accounts.models import Agency
from apps.accounts.services import membership_set
from apps.identity import selectors, services
from apps.identity.errors import RevealAlreadyUsed, RevealDenied
from apps.identity.models import IdentityAccessEvent
from tests.factories import StaffFactory
from tests.identity.factories import TICKET, citizen, granted_request


@pytest.mark.django_db(transaction=True)
def test_concurrent_reveals_and_denials_keep_one_valid_chain():
    """Writers on separate connections: the advisory lock serialises them into one chain.

    Also shows a denial's event is committed although the caller got a refusal.
    """
    agency = Agency.objects.create(
        code="TEST-AUDIT-UNIT",
        name="Unit uji audit",
        kind=Agency.Kind.SUKU_DINAS,
        sector="sda",
        level=Agency.Level.KOTA,
        jurisdiction_code="99.99",
    )
    officers = [StaffFactory() for _ in range(4)]
    supervisor = StaffFactory()
    intruder = StaffFactory()
    for officer in officers:
        membership_set(user=officer, agency=agency, role="officer")
    membership_set(user=supervisor, agency=agency, role="supervisor")
    membership_set(user=intruder, agency=agency, role="officer")
    reporter = citizen()
    for officer in officers:
        granted_request(
            reporter=reporter,
            officer=officer,
            supervisor=supervisor,
            agency_code=agency.code,
        )
    start = threading.Barrier(len(officers) + 1)
    failures: list[BaseException] = []

    def reveal(actor) -> None:
        try:
            start.wait()
            for attempt in range(3):  # one reveal per grant: the later two are refused
                try:
                    services.identity_reveal(
                        reporter=reporter,
                        ticket_ref=TICKET,
                        agency=agency,
                        actor=actor,
                        fields=["phone"],
                    )
                except RevealAlreadyUsed:
                    assert attempt > 0
                else:
                    assert attempt == 0
        except BaseException as exc:  # noqa: BLE001 - reported by the main thread
            failures.append(exc)
        finally:
            connections.close_all()

    def deny() -> None:
        try:
            start.wait()
            for _ in range(3):
                with pytest.raises(RevealDenied):
                    services.identity_reveal(
                        reporter=reporter,
                        ticket_ref=TICKET,
                        agency=agency,
                        actor=intruder,
                        fields=["phone"],
                    )
        except BaseException as exc:  # noqa: BLE001
            failures.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=reveal, args=(o,)) for o in officers]
    threads.append(threading.Thread(target=deny))
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)

    assert failures == []
    kinds = list(IdentityAccessEvent.objects.values_list("kind", flat=True))
    assert kinds.count("revealed") == len(officers)
    assert kinds.count("denied") == 3
    checked, broken = selectors.access_event_chain_first_break()
    assert (checked, broken) == (len(kinds), None)
