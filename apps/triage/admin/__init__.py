"""The officers' workspace in the Django admin (docs/triage.md)."""

from apps.triage.admin import queue, responses  # noqa: F401 - registers the ModelAdmins
