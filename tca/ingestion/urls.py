from django.urls import path

from . import views

app_name = "ingestion"

urlpatterns = [
    path("upload/", views.upload, name="upload"),
    path("jobs/<uuid:job_id>/", views.job_detail, name="job"),
]
