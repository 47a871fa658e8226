from django.apps import AppConfig


class ClientelingConfig(AppConfig):
    name = "clienteling"
    verbose_name = "Clienteling"
