from django.urls import path

from . import views

app_name = "pretrade"

urlpatterns = [
    path("", views.pretrade_page, name="page"),
    path("<uuid:pk>/schedule/", views.pretrade_schedule_view, name="schedule"),
    path("<uuid:pk>/slices.csv", views.pretrade_slices_csv, name="slices"),
]
