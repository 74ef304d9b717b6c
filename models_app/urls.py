"""Included under ``/api/v1/models/`` by ``tca.api.urls``."""

from django.urls import path

from . import apis

app_name = "models"

urlpatterns = [
    path("", apis.ModelVersionListApi.as_view(), name="list"),
    path("<int:pk>/", apis.ModelVersionDetailApi.as_view(), name="detail"),
    path("<int:pk>/retrain/", apis.ModelRetrainApi.as_view(), name="retrain"),
    path("<int:pk>/promote/", apis.ModelPromoteApi.as_view(), name="promote"),
    path(
        "execution-policy/train/",
        apis.ExecutionPolicyTrainApi.as_view(),
        name="execution-policy-train",
    ),
]
