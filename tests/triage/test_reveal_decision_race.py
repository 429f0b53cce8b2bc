"""Two supervisors decide the same reveal request at the same moment: it is decided once."""

from collections.abc import Callable

import pytest

from apps.identity.errors import RevealRequestAlreadyDecided
from apps.identity.models import IdentityAccessEvent, RevealRequest
from apps.triage.services.reveal import (
    report_reveal_grant,
    report_reveal_reject,
    report_reveal_request_create,
)
from tests.triage.test_triage_concurrency import _race
from tests.triage.triage_helpers import officer, ticket

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.mark.parametrize("kinds", [("grant", "reject"), ("reject", "reject"), ("grant", "grant")])
def test_concurrent_decisions_decide_once(kinds: tuple[str, str]) -> None:
    request = report_reveal_request_create(
        report=ticket(),
        actor=officer(),
        reason_code="verify",
        justification="Cek lokasi",
        fields=["name"],
    )
    one, two = officer(role="supervisor"), officer(role="supervisor")

    def decide(kind: str, who) -> Callable[[], object]:
        fresh = RevealRequest.objects.select_related("reporter", "agency").get(pk=request.pk)
        if kind == "grant":
            return lambda: report_reveal_grant(reveal_request=fresh, actor=who, ttl_hours=2)
        return lambda: report_reveal_reject(reveal_request=fresh, actor=who, reason="Tidak perlu")

    results = _race([decide(kinds[0], one), decide(kinds[1], two)])
    request.refresh_from_db()

    assert sum(isinstance(r, RevealRequestAlreadyDecided) for r in results) == 1
    assert sum(isinstance(r, RevealRequest) for r in results) == 1
    assert (request.granted_at is None) != (request.rejected_at is None)
    decisions = IdentityAccessEvent.objects.filter(kind__in=["granted", "rejected"])
    assert decisions.count() == 1
