from django.urls import path

from . import views

app_name = "reports"

urlpatterns = [
    path("", views.overview, name="overview"),
    path("blotter/", views.blotter, name="blotter"),
    path("blotter/export.csv", views.blotter_export, name="blotter_export"),
    path("orders/<path:order_id>/", views.order_detail, name="order_detail"),
    path("compare/", views.compare, name="compare"),
    path("prepost/", views.prepost, name="prepost"),
]
