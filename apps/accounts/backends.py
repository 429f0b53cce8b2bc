"""Password sign-in for staff only (docs/security.md).

Citizens sign in by SMS code (docs/privacy.md, section 5); their accounts have no usable
password and the database refuses to give them one. This backend also refuses them
explicitly, so that neither the admin login nor the staff token endpoint can ever
authenticate a citizen account, whatever its stored password.
"""

from typing import Any

from django.contrib.auth.backends import ModelBackend
from rest_framework.throttling import BaseThrottle


class StaffPasswordBackend(ModelBackend):
    def user_can_authenticate(self, user: Any) -> bool:
        return super().user_can_authenticate(user) and not getattr(user, "is_citizen", False)


def client_ip(request: Any) -> str | None:
    """The client address for the password-guessing limits: DRF's ``get_ident``, which
    honours ``REST_FRAMEWORK["NUM_PROXIES"]`` like every other per-address limit (None for
    a request without one, e.g. a login made by code)."""
    if not getattr(request, "META", {}).get("REMOTE_ADDR"):
        return None
    ident = BaseThrottle().get_ident(request)
    return str(ident) if ident else None
