from django.urls import path

from . import report_views, views

app_name = "reports"

urlpatterns = [
    path("", views.overview, name="overview"),
    path("blotter/", views.blotter, name="blotter"),
    path("blotter/export.csv", views.blotter_export, name="blotter_export"),
    path("orders/<path:order_id>/", views.order_detail, name="order_detail"),
    path("compare/", views.compare, name="compare"),
    path("prepost/", views.prepost, name="prepost"),
    path("reports/", report_views.reports_page, name="best_execution_list"),
    path("reports/<uuid:pk>/", report_views.report_detail, name="best_execution"),
    path(
        "reports/<uuid:pk>/download/", report_views.report_download, name="best_execution_download"
    ),
]
