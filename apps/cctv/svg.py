"""Server-rendered SVG maps of cameras and their view sectors (no tiles, no network).

A local equirectangular projection in metres around a centre is exact enough for the few
hundred metres a ticket's map shows, and for the city-wide overview of the camera admin.
Numbers are written with ``repr``-style dots, never localized.
"""

import math
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.contrib.gis.geos import Point

M_PER_DEG_LAT = 110_574.0
M_PER_DEG_LON_EQUATOR = 111_320.0


@dataclass(frozen=True)
class SectorShape:
    """A camera's position and view sector as SVG data (``path`` empty: no range drawn)."""

    code: str
    name: str
    x: float
    y: float
    r: float  # the range, in pixels
    path: str
    full_circle: bool
    status: str
    css: str


def _fmt(value: float) -> str:
    return f"{value:.1f}"


def _sector_points(
    *, x: float, y: float, heading: float, fov: float, radius: float
) -> list[tuple[float, float]]:
    """The sector's outline in screen units (y grows downwards): apex, then the arc."""
    start, end = heading - fov / 2, heading + fov / 2
    steps = max(2, math.ceil(fov / 5))
    arc = [
        (
            x + radius * math.sin(math.radians(start + (end - start) * i / steps)),
            y - radius * math.cos(math.radians(start + (end - start) * i / steps)),
        )
        for i in range(steps + 1)
    ]
    return [(x, y), *arc]


def camera_map(
    *,
    cameras: Iterable[Any],
    center: Point | None = None,
    radius_m: float | None = None,
    size: int = 360,
    highlight: Iterable[str] = (),
) -> dict[str, Any]:
    """SVG data for ``cameras`` (objects with code, name, location, heading, fov, range_m,
    status). With ``center`` and ``radius_m`` the map shows that disc (a ticket's search
    radius); otherwise it fits all cameras (the admin's overview)."""
    cameras = list(cameras)
    marked = set(highlight)
    points = [camera.location for camera in cameras]
    if center is None:
        if not points:
            return {"size": size, "cameras": [], "center": None, "radius": 0}
        lons, lats = [p.x for p in points], [p.y for p in points]
        center = Point((min(lons) + max(lons)) / 2, (min(lats) + max(lats)) / 2, srid=4326)
    m_per_deg_lon = M_PER_DEG_LON_EQUATOR * math.cos(math.radians(center.y))

    def metres(p: Point) -> tuple[float, float]:
        return (p.x - center.x) * m_per_deg_lon, (p.y - center.y) * M_PER_DEG_LAT

    if radius_m is None:
        extent = max(
            [
                max(abs(dx), abs(dy)) + camera.range_m
                for camera, (dx, dy) in zip(cameras, map(metres, points), strict=True)
            ]
            or [100.0]
        )
    else:
        extent = radius_m * 1.15
    pad = 8.0
    scale = (size / 2 - pad) / extent  # pixels per metre

    shapes: list[SectorShape] = []
    for camera in cameras:
        dx, dy = metres(camera.location)
        x, y = size / 2 + dx * scale, size / 2 - dy * scale
        radius = camera.range_m * scale
        full = camera.heading is None or camera.fov is None or camera.fov >= 360
        if full:
            path = ""
        else:
            outline = _sector_points(
                x=x, y=y, heading=camera.heading, fov=camera.fov, radius=radius
            )
            path = "M" + " L".join(f"{_fmt(px)},{_fmt(py)}" for px, py in outline) + " Z"
        css = "lw-cam lw-cam-" + camera.status + (" lw-cam-linked" if camera.code in marked else "")
        shapes.append(
            SectorShape(
                code=camera.code,
                name=camera.name,
                x=round(x, 1),
                y=round(y, 1),
                r=round(radius, 1),
                path=path,
                full_circle=full,
                status=camera.status,
                css=css,
            )
        )
    return {
        "size": size,
        "cameras": shapes,
        "scale": scale,
        "center": (size / 2, size / 2),
        "radius": round(radius_m * scale, 1) if radius_m else 0,
    }
