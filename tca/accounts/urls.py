from django.urls import path

from . import views

app_name = "accounts"
urlpatterns = [path("token/", views.api_token, name="api_token")]
