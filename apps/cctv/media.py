"""Media backends: how we reach a VMS's footage without storing it (docs/cctv.md).

A backend turns a clip reference into a short-lived playable URL and asks the VMS to keep or
release the media behind it. Each ``Vms`` names its backend:

* ``demo``: the project's own demo VMS (``manage.py run_demo_vms``) writes files under
  ``CCTV_DEMO_MEDIA_DIR/<vms code>/``; its storage URIs are ``demo://<vms code>/<path>``.
  Signed URLs point at ``/cctv/media/<token>/``, a Django view that checks the signature and
  its age and streams the file. Keeping a clip writes a ``.keep`` marker next to the file,
  which the demo VMS's own pruning respects; releasing removes it.
* ``http_export``: a generic VMS with an HTTP export API by time range (the shape most VMS
  products offer, and what an ONVIF Profile G recording search + replay gateway exposes):
  ``POST {base_url}/exports`` → ``{"url": ...}``, ``POST {base_url}/holds``,
  ``POST {base_url}/releases``. Replace or subclass it for a vendor's own API.
"""

import json
import urllib.error
import urllib.request
from collections.abc import Sequence
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any, Protocol
from urllib.parse import urlsplit

from django.conf import settings
from django.core import signing
from django.urls import reverse

from apps.cctv.errors import CctvUnavailable
from apps.cctv.models import Clip, Vms

SIGNING_SALT = "cctv.media"
VIDEO, POSTER = "video", "poster"


class MediaBackend(Protocol):
    def signed_url(self, *, clip: Clip, kind: str, ttl: timedelta) -> str:
        """A URL that plays ``clip`` (or shows its poster) for ``ttl``, then stops working."""
        ...

    def keep(self, *, clips: Sequence[Clip], until: datetime | None) -> None:
        """Ask the VMS not to overwrite these clips (``until`` None: until released)."""
        ...

    def release(self, *, items: Sequence[dict[str, str]]) -> None:
        """Tell the VMS we no longer need these clips (``uid``, ``storage_uri``, ``sha256``)."""
        ...


# ---- demo --------------------------------------------------------------------------------


def demo_path(*, storage_uri: str) -> Path | None:
    """The file behind a ``demo://<vms>/<path>`` URI, or None if it points outside the root."""
    parts = urlsplit(storage_uri)
    if parts.scheme != "demo" or not parts.netloc:
        return None
    root = Path(settings.CCTV_DEMO_MEDIA_DIR).resolve()
    candidate = (root / parts.netloc / parts.path.lstrip("/")).resolve()
    if root not in candidate.parents:
        return None
    return candidate


def token_read(*, token: str, max_age: timedelta) -> dict[str, str]:
    """The clip uid and kind a media token names; ``signing.BadSignature`` if forged or old."""
    data = signing.loads(token, salt=SIGNING_SALT, max_age=max_age)
    if not isinstance(data, dict) or not isinstance(data.get("c"), str):
        raise signing.BadSignature("malformed token")
    return {"uid": data["c"], "kind": str(data.get("k", VIDEO))}


class DemoMediaBackend:
    def __init__(self, vms: Vms) -> None:
        self.vms = vms

    def signed_url(self, *, clip: Clip, kind: str, ttl: timedelta) -> str:
        token = signing.dumps({"c": str(clip.uid), "k": kind}, salt=SIGNING_SALT)
        return reverse("cctv-media", kwargs={"token": token})

    def _marker(self, storage_uri: str) -> Path | None:
        path = demo_path(storage_uri=storage_uri)
        return None if path is None else path.with_name(path.name + ".keep")

    def keep(self, *, clips: Sequence[Clip], until: datetime | None) -> None:
        for clip in clips:
            marker = self._marker(clip.storage_uri)
            if marker is not None and marker.parent.is_dir():
                marker.write_text(until.isoformat() if until else "indefinite")

    def release(self, *, items: Sequence[dict[str, str]]) -> None:
        for item in items:
            marker = self._marker(item["storage_uri"])
            if marker is not None:
                marker.unlink(missing_ok=True)


# ---- a generic HTTP export API -------------------------------------------------------------


class HttpExportBackend:
    timeout_s = 10

    def __init__(self, vms: Vms) -> None:
        self.vms = vms

    def _post(self, path: str, body: dict[str, Any]) -> dict[str, Any]:
        if not self.vms.base_url.startswith(("https://", "http://")):
            raise CctvUnavailable()
        request = urllib.request.Request(  # noqa: S310 - the scheme is checked above
            self.vms.base_url.rstrip("/") + path,
            data=json.dumps(body).encode(),
            headers={"Content-Type": "application/json"},
            method="POST",
        )
        try:
            with urllib.request.urlopen(request, timeout=self.timeout_s) as response:  # noqa: S310
                payload = response.read()
        except (urllib.error.URLError, TimeoutError, OSError) as exc:
            raise CctvUnavailable() from exc
        try:
            answer = json.loads(payload or b"{}")
        except ValueError as exc:
            raise CctvUnavailable() from exc
        return answer if isinstance(answer, dict) else {}

    def signed_url(self, *, clip: Clip, kind: str, ttl: timedelta) -> str:
        answer = self._post(
            "/exports",
            {
                "camera": clip.camera.code,
                "start": clip.starts_at.isoformat(),
                "end": clip.ends_at.isoformat(),
                "storage_uri": clip.poster_uri if kind == POSTER else clip.storage_uri,
                "sha256": clip.sha256,
                "ttl_seconds": int(ttl.total_seconds()),
            },
        )
        url = answer.get("url")
        if not isinstance(url, str) or not url.startswith("https://"):
            raise CctvUnavailable()
        return url

    def keep(self, *, clips: Sequence[Clip], until: datetime | None) -> None:
        self._post(
            "/holds",
            {
                "clips": [{"storage_uri": c.storage_uri, "sha256": c.sha256} for c in clips],
                "until": until.isoformat() if until else None,
            },
        )

    def release(self, *, items: Sequence[dict[str, str]]) -> None:
        self._post("/releases", {"clips": list(items)})


BACKENDS: dict[str, type[DemoMediaBackend] | type[HttpExportBackend]] = {
    Vms.Backend.DEMO: DemoMediaBackend,
    Vms.Backend.HTTP_EXPORT: HttpExportBackend,
}


def backend_for(vms: Vms) -> MediaBackend:
    return BACKENDS[vms.backend](vms)
