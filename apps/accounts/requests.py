"""The signed-in user of a request, typed as the project's ``User``.

For views whose permission already required a signed-in account (``admin_view``,
``IsAuthenticated``, ``IsAdminUser``). It lives here, beside ``User``, and not in ``core``,
which sits below ``accounts`` and may not name the model.
"""

from django.http import HttpRequest
from rest_framework.request import Request

from apps.accounts.models import User


def request_user(request: HttpRequest | Request) -> User:
    """``request.user`` as a ``User`` (the caller's permission made sure it is one)."""
    return request.user  # type: ignore[return-value]
