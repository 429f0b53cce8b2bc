from django.urls import URLPattern, URLResolver, path

from apps.performance.api import views

urlpatterns: list[URLPattern | URLResolver] = [
    path("performance/scores/", views.PerformanceScoreListApi.as_view(), name="performance-scores"),
    path(
        "performance/my-breaches/",
        views.PerformanceBreachListApi.as_view(),
        name="performance-my-breaches",
    ),
    path(
        "performance/months/close/",
        views.PerformanceMonthCloseApi.as_view(),
        name="performance-month-close",
    ),
    path("performance/appeals/", views.AppealCreateApi.as_view(), name="performance-appeals"),
    path(
        "performance/appeals/<uuid:appeal_id>/decision/",
        views.AppealDecideApi.as_view(),
        name="performance-appeal-decide",
    ),
    path("performance/report/", views.PerformanceReportApi.as_view(), name="performance-report"),
    path(
        "performance/report/export/",
        views.PerformanceReportExportApi.as_view(),
        name="performance-report-export",
    ),
    path(
        "performance/report/tickets/",
        views.PerformanceReportTicketsApi.as_view(),
        name="performance-report-tickets",
    ),
    path("performance/charts/", views.PerformanceChartApi.as_view(), name="performance-chart"),
]
