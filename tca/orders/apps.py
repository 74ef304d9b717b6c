from django.apps import AppConfig


class OrdersConfig(AppConfig):
    name = "tca.orders"
    label = "orders"
