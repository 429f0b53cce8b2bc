"""URL converter for report public ids (``LW-7K3QX9``).

Registered once under the name ``public_id`` so that literal paths such as
``reports/public/`` and ``reports/nearby/`` can never be taken for an id.
"""

from django.urls import register_converter

from apps.reports.models import PUBLIC_ID_REGEX


class PublicIdConverter:
    regex = PUBLIC_ID_REGEX

    def to_python(self, value: str) -> str:
        return value

    def to_url(self, value: str) -> str:
        return value


register_converter(PublicIdConverter, "public_id")
