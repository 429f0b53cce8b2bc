"""The demo media backend's signed URLs: ``/cctv/media/<token>/`` streams a demo VMS file.

The token (``django.core.signing``, salted, time-limited by ``CCTV_SIGNED_URL_TTL``) is the
only credential: it is handed out after the access check and the play log
(``apps.reports.evidence``). A forged, altered or expired token is a 404.
"""

import mimetypes

from django.conf import settings
from django.core import signing
from django.http import FileResponse, Http404, HttpRequest
from django.views.decorators.http import require_GET

from apps.cctv import media
from apps.cctv.models import Clip


@require_GET
def media_view(request: HttpRequest, token: str) -> FileResponse:
    try:
        data = media.token_read(token=token, max_age=settings.CCTV_SIGNED_URL_TTL)
    except signing.BadSignature:
        raise Http404 from None
    clip = Clip.objects.filter(uid=data["uid"]).first()
    if clip is None:
        raise Http404
    uri = clip.poster_uri if data["kind"] == media.POSTER else clip.storage_uri
    path = media.demo_path(storage_uri=uri) if uri else None
    if path is None or not path.is_file():
        raise Http404
    content_type = mimetypes.guess_type(path.name)[0] or "application/octet-stream"
    response = FileResponse(path.open("rb"), content_type=content_type)
    response["Cache-Control"] = "private, no-store"
    response["Referrer-Policy"] = "no-referrer"
    return response
