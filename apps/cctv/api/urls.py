from django.urls import URLPattern, URLResolver, path

from apps.cctv.api import views

urlpatterns: list[URLPattern | URLResolver] = [
    path("cctv/cameras/", views.CctvCameraListApi.as_view(), name="cctv-camera-list"),
    path(
        "cctv/cameras/<str:code>/heartbeat/",
        views.CctvCameraHeartbeatApi.as_view(),
        name="cctv-camera-heartbeat",
    ),
    path("cctv/clips/", views.CctvClipIngestApi.as_view(), name="cctv-clip-ingest"),
    path("cctv/clip-requests/", views.CctvClipRequestListApi.as_view(), name="cctv-clip-requests"),
]
