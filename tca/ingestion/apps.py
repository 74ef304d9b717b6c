from django.apps import AppConfig


class IngestionConfig(AppConfig):
    name = "tca.ingestion"
    label = "ingestion"
