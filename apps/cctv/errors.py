"""The cctv app's refusals (the one error shape, docs/conventions.md C12)."""

from django.utils.translation import gettext_lazy as _

from apps.core.errors import ApplicationError


class CctvUnavailable(ApplicationError):
    """The video system did not answer (a task retries; a request gets a 503)."""

    code = "cctv_unavailable"
    status = 503
    default_message = _("The video management system is not reachable; try again later.")


class TooManyClips(ApplicationError):
    code = "too_many_clips"
    status = 400
    default_message = _("Between 1 and 1000 clips per request.")
