from django.urls import include, path

from reports import apis as report_apis
from tca.pretrade.apis import PretradeEstimateApi
from tca.rfq.apis import DealerScorecardApi

from . import ingest_views, tca_views, views

app_name = "api"

urlpatterns = [
    path("orders/", views.OrderListApi.as_view(), name="order-list"),
    path("orders/<str:order_id>/", views.OrderDetailApi.as_view(), name="order-detail"),
    path("fills/", views.FillListApi.as_view(), name="fill-list"),
    path("ingest/<str:kind>/", ingest_views.IngestApi.as_view(), name="ingest"),
    path("tca/compute/", tca_views.TcaComputeApi.as_view(), name="tca-compute"),
    path("jobs/<uuid:pk>/", views.JobDetailApi.as_view(), name="job-detail"),
    path("models/", include("models_app.urls")),
    path("pretrade/estimate/", PretradeEstimateApi.as_view(), name="pretrade-estimate"),
    path("rfq/dealers/", DealerScorecardApi.as_view(), name="rfq-dealers"),
    path(
        "reports/best-execution/",
        report_apis.BestExecutionListApi.as_view(),
        name="best-execution-list",
    ),
    path(
        "reports/best-execution/<uuid:pk>/",
        report_apis.BestExecutionDetailApi.as_view(),
        name="best-execution-detail",
    ),
    path(
        "reports/best-execution/<uuid:pk>/download/",
        report_apis.BestExecutionDownloadApi.as_view(),
        name="best-execution-download",
    ),
]
