from django.apps import AppConfig


class InstrumentsConfig(AppConfig):
    name = "tca.instruments"
    label = "instruments"
