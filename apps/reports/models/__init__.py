"""Reports (tickets), their timeline, photos, supports, custody and messages.

Integer primary keys never leave the server: the API names a report by ``public_id``
(``LW-7K3QX9``) and a photo by its 1-based ``index`` within the report.

One module per concern (``report``, ``timeline``, ``photos``); this package re-exports them,
so ``apps.reports.models.Report`` and the app label stay as they were.
"""

from apps.reports.models.photos import ReportPhoto, ReportSupport
from apps.reports.models.report import (
    DEADLINE,
    PUBLIC_ID_ALPHABET,
    PUBLIC_ID_LENGTH,
    PUBLIC_ID_REGEX,
    Report,
)
from apps.reports.models.timeline import Custody, ReportEvent, ReportMessage

# At the end so that the models above exist first.
from apps.reports.models_evidence import ClipPlay, ReportClip

__all__ = [
    "DEADLINE",
    "PUBLIC_ID_ALPHABET",
    "PUBLIC_ID_LENGTH",
    "PUBLIC_ID_REGEX",
    "ClipPlay",
    "Custody",
    "Report",
    "ReportClip",
    "ReportEvent",
    "ReportMessage",
    "ReportPhoto",
    "ReportSupport",
]
