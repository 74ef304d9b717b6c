from django.apps import AppConfig


class RfqConfig(AppConfig):
    name = "tca.rfq"
    label = "rfq"
    verbose_name = "RFQ quotes"
    default_auto_field = "django.db.models.BigAutoField"
