from django.urls import path

from . import views

app_name = "api"

urlpatterns = [
    path("orders/", views.OrderListApi.as_view(), name="order-list"),
    path("orders/<str:order_id>/", views.OrderDetailApi.as_view(), name="order-detail"),
    path("fills/", views.FillListApi.as_view(), name="fill-list"),
    path("jobs/<uuid:pk>/", views.JobDetailApi.as_view(), name="job-detail"),
]
