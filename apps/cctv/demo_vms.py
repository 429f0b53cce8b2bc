"""The demo video management system (``manage.py run_demo_vms``, docs/cctv.md).

It plays a VMS's part against the real HTTP API, with its own API key, exactly as a vendor's
system would: it heartbeats its cameras, records short clips (an ffmpeg test pattern with the
camera code and a timestamp burnt in; no real footage), posts their references, answers the
clip requests, and prunes its own files after ``keep_hours`` unless we asked it to keep them
(a ``.keep`` marker written by ``apps.cctv.media.DemoMediaBackend``).
"""

import hashlib
import json
import logging
import shutil
import subprocess
import time
import urllib.error
import urllib.request
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from django.conf import settings

logger = logging.getLogger(__name__)

FONT = Path("/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf")


class DemoVmsError(Exception):
    pass


@dataclass
class DemoVms:
    base_url: str  # e.g. http://127.0.0.1:8000
    key: str
    code: str = "demo"
    clip_seconds: int = 20
    keep_hours: int = 24
    timeout_s: int = 20

    @property
    def root(self) -> Path:
        return Path(settings.CCTV_DEMO_MEDIA_DIR) / self.code

    # ---- the API, as any client would call it ----

    def _call(self, method: str, path: str, body: Any = None) -> Any:
        data = None if body is None else json.dumps(body).encode()
        request = urllib.request.Request(  # noqa: S310 - the operator's own base URL
            self.base_url.rstrip("/") + path,
            data=data,
            method=method,
            headers={
                "Authorization": f"Api-Key {self.key}",
                "Content-Type": "application/json",
                "Accept": "application/json",
            },
        )
        try:
            with urllib.request.urlopen(request, timeout=self.timeout_s) as response:  # noqa: S310
                return json.loads(response.read() or b"null")
        except urllib.error.HTTPError as exc:
            detail = exc.read()[:300].decode(errors="replace")
            raise DemoVmsError(f"{method} {path}: HTTP {exc.code} {detail}") from exc
        except (urllib.error.URLError, OSError) as exc:
            raise DemoVmsError(f"{method} {path}: {exc}") from exc

    def _all(self, path: str) -> list[dict[str, Any]]:
        rows: list[dict[str, Any]] = []
        page = 1
        while True:
            answer = self._call("GET", f"{path}?page={page}&page_size=100")
            rows += answer["results"]
            if not answer.get("next"):
                return rows
            page += 1

    def cameras(self) -> list[str]:
        return [row["code"] for row in self._all("/api/v1/cctv/cameras/")]

    def heartbeat(self, code: str) -> None:
        self._call("POST", f"/api/v1/cctv/cameras/{code}/heartbeat/", {"status": "online"})

    # ---- recording ----

    def record(self, *, camera: str, start: datetime, seconds: int) -> dict[str, Any]:
        """A test-pattern clip of ``seconds`` for ``camera`` labelled from ``start``; returns
        the clip reference to post."""
        folder = self.root / camera
        folder.mkdir(parents=True, exist_ok=True)
        stem = start.strftime("%Y%m%dT%H%M%SZ")
        video, poster = folder / f"{stem}.mp4", folder / f"{stem}.jpg"
        ffmpeg = shutil.which("ffmpeg")
        if ffmpeg is None:
            raise DemoVmsError("ffmpeg is not installed (scripts/dev.sh installs it)")
        label = f"{camera}  %{{pts\\:gmtime\\:{int(start.timestamp())}}} UTC"
        overlay = (
            f"drawtext=fontfile={FONT}:text='{label}':x=8:y=8:fontsize=16:"
            "fontcolor=white:box=1:boxcolor=black@0.6"
            if FONT.exists()
            else "null"
        )
        subprocess.run(  # noqa: S603 - fixed program, our own arguments
            [
                ffmpeg,
                "-loglevel",
                "error",
                "-y",
                "-f",
                "lavfi",
                "-i",
                f"testsrc2=size=320x180:rate=10:duration={seconds}",
                "-vf",
                overlay,
                "-c:v",
                "libx264",
                "-preset",
                "ultrafast",
                "-pix_fmt",
                "yuv420p",
                "-movflags",
                "+faststart",
                str(video),
            ],
            check=True,
            timeout=120,
        )
        subprocess.run(  # noqa: S603
            [ffmpeg, "-loglevel", "error", "-y", "-i", str(video), "-frames:v", "1", str(poster)],
            check=True,
            timeout=60,
        )
        digest = hashlib.sha256(video.read_bytes()).hexdigest()
        end = start + timedelta(seconds=seconds)
        relative = f"{camera}/{video.name}"
        return {
            "camera": camera,
            "start": start.isoformat(),
            "end": end.isoformat(),
            "storage_uri": f"demo://{self.code}/{relative}",
            "poster_uri": f"demo://{self.code}/{camera}/{poster.name}",
            "sha256": digest,
            "size": video.stat().st_size,
            "retain_until": (end + timedelta(hours=self.keep_hours)).isoformat(),
        }

    def post_clips(self, clips: list[dict[str, Any]]) -> dict[str, Any]:
        return self._call("POST", "/api/v1/cctv/clips/", {"clips": clips})

    # ---- one cycle ----

    def cycle(self, *, now: datetime | None = None) -> dict[str, int]:
        """Heartbeat, record one clip per camera, answer the clip requests, prune."""
        now = (now or datetime.now(tz=UTC)).replace(microsecond=0)
        cameras = self.cameras()
        for code in cameras:
            self.heartbeat(code)
        start = now - timedelta(seconds=self.clip_seconds)
        clips = [
            self.record(camera=code, start=start, seconds=self.clip_seconds) for code in cameras
        ]
        answered = 0
        for request in self._all("/api/v1/cctv/clip-requests/"):
            window_start = datetime.fromisoformat(request["start"])
            window_end = datetime.fromisoformat(request["end"])
            # The footage "found" for the window: its middle, or the latest moment if the
            # window reaches into the future.
            middle = window_start + (window_end - window_start) / 2
            at = min(middle, now - timedelta(seconds=self.clip_seconds))
            if at + timedelta(seconds=self.clip_seconds) < window_start:
                continue
            clips.append(
                self.record(
                    camera=request["camera"],
                    start=at.replace(microsecond=0),
                    seconds=self.clip_seconds,
                )
            )
            answered += 1
        posted = self.post_clips(clips) if clips else {"created": 0}
        pruned = self.prune(now=now)
        return {
            "cameras": len(cameras),
            "clips": int(posted["created"]),
            "requests": answered,
            "pruned": pruned,
        }

    def prune(self, *, now: datetime) -> int:
        """Delete our recordings older than ``keep_hours`` unless a ``.keep`` marker holds them."""
        if not self.root.is_dir():
            return 0
        cutoff = now - timedelta(hours=self.keep_hours)
        pruned = 0
        for video in self.root.glob("*/*.mp4"):
            if _recorded_at(video) < cutoff and not video.with_name(video.name + ".keep").exists():
                video.unlink(missing_ok=True)
                video.with_suffix(".jpg").unlink(missing_ok=True)
                pruned += 1
        return pruned

    def run(self, *, interval_s: int, once: bool = False) -> None:
        while True:
            try:
                logger.info("demo VMS cycle: %s", self.cycle())
            except DemoVmsError as exc:
                if once:
                    raise
                logger.warning("demo VMS: %s (retrying)", exc)
            if once:
                return
            time.sleep(interval_s)


def _recorded_at(video: Path) -> datetime:
    """When a recording started: its name (``record`` names it by its start, in UTC), which
    keeps pruning on the clock the clips were recorded by; the file's time otherwise."""
    try:
        return datetime.strptime(video.stem, "%Y%m%dT%H%M%SZ").replace(tzinfo=UTC)
    except ValueError:
        return datetime.fromtimestamp(video.stat().st_mtime, tz=UTC)
