from django.apps import AppConfig


class ApiConfig(AppConfig):
    name = "tca.api"
    label = "api"
