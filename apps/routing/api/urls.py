from django.urls import path

from apps.routing.api.views import RoutingLookupApi

urlpatterns = [
    path("routing/lookup/", RoutingLookupApi.as_view(), name="routing-lookup"),
]
