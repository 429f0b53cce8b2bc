from django.contrib.auth.views import LogoutView
from django.urls import URLPattern, URLResolver, path, re_path

from apps.dashboard import views

app_name = "dashboard"

urlpatterns: list[URLPattern | URLResolver] = [
    path("", views.CityPageView.as_view(), name="city"),
    path("peta.json", views.CityMapDataView.as_view(), name="city-map"),
    path("klaster.json", views.ClusterDataView.as_view(), name="clusters"),
    re_path(
        r"^kelurahan/(?P<code>[0-9.]{1,20})/$",
        views.KelurahanPageView.as_view(),
        name="kelurahan",
    ),
    re_path(
        r"^kelurahan/(?P<code>[0-9.]{1,20})/peta\.json$",
        views.KelurahanMapDataView.as_view(),
        name="kelurahan-map",
    ),
    path("piket/", views.DutyView.as_view(), name="duty"),
    path("piket/antrean/", views.DutyView.as_view(fragment=True), name="duty-queue"),
    path("masuk/", views.DutyLoginView.as_view(), name="login"),
    path("keluar/", LogoutView.as_view(next_page="dashboard:city"), name="logout"),
]
