from django.apps import AppConfig


class CostsConfig(AppConfig):
    name = "tca.costs"
    label = "costs"
