"""Non-API pages of the cctv app: the demo media backend's signed media URLs."""

from django.urls import path

from apps.cctv import views

urlpatterns = [
    path("media/<str:token>/", views.media_view, name="cctv-media"),
]
