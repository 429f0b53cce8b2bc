from django.urls import URLPattern, URLResolver, path

from apps.identity.api import views

urlpatterns: list[URLPattern | URLResolver] = [
    path("auth/otp/request/", views.OtpRequestApi.as_view(), name="auth-otp-request"),
    path("auth/otp/verify/", views.OtpVerifyApi.as_view(), name="auth-otp-verify"),
    path("auth/logout/", views.LogoutApi.as_view(), name="auth-logout"),
    path("me/", views.MeApi.as_view(), name="me"),
    path("me/inbox/", views.InboxListApi.as_view(), name="me-inbox"),
    path(
        "me/inbox/<uuid:message_id>/read/",
        views.InboxMessageReadApi.as_view(),
        name="me-inbox-read",
    ),
    path(
        "identity/reveal-requests/",
        views.RevealRequestsApi.as_view(),
        name="identity-reveal-requests",
    ),
    path(
        "identity/reveal-requests/<uuid:request_id>/grant/",
        views.RevealRequestGrantApi.as_view(),
        name="identity-reveal-request-grant",
    ),
]
