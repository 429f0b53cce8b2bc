from django.urls import URLPattern, URLResolver, path

from apps.sla.api import views

urlpatterns: list[URLPattern | URLResolver] = [
    path("sla/area-freezes/", views.AreaFreezeCreateApi.as_view(), name="sla-area-freezes"),
]
