"""Language helpers every app uses: the catalogue names come in Indonesian and English."""

from django.conf import settings
from django.utils import translation


def english() -> bool:
    """Whether the active language (else the site's) is English: then ``*_en`` names are
    shown, otherwise the Indonesian ``*_id`` ones."""
    return (translation.get_language() or settings.LANGUAGE_CODE).lower().startswith("en")
