from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "tca.accounts"
    label = "accounts"
    verbose_name = "Users and roles"
