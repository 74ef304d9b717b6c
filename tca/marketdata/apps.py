from django.apps import AppConfig


class MarketdataConfig(AppConfig):
    name = "tca.marketdata"
    label = "marketdata"
