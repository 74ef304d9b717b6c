from django.apps import AppConfig


class PretradeConfig(AppConfig):
    name = "tca.pretrade"
    label = "pretrade"
    verbose_name = "Pre-trade estimates"
