"""The URL suffix alone picks the representation (docs/open311.md).

GeoReport v2 clients name the format in the path (``services.xml``), and many also send an
``Accept`` header that does not match it (``application/xml``, ``text/html``, ``*/*``). The
suffix wins and ``Accept`` is ignored, so no request is refused with 406. A path without a
suffix (only the catch-all 404 has one) is answered in JSON.
"""

from collections.abc import Iterable

from rest_framework.negotiation import DefaultContentNegotiation
from rest_framework.renderers import BaseRenderer
from rest_framework.request import Request


class SuffixContentNegotiation(DefaultContentNegotiation):
    """Renderer from the ``format`` URL argument; parsers as usual (by ``Content-Type``)."""

    def select_renderer(
        self,
        request: Request,
        renderers: Iterable[BaseRenderer],
        format_suffix: str | None = None,
    ) -> tuple[BaseRenderer, str]:
        candidates = list(renderers)
        for renderer in candidates:
            if renderer.format == format_suffix:
                return renderer, renderer.media_type
        return candidates[0], candidates[0].media_type
