from django.apps import AppConfig


class OrdersConfig(AppConfig):
    name = "orders"
    verbose_name = "Orders"

    def ready(self):
        from clienteling import hooks
        from orders import checks  # noqa: F401 - registers the check
        from orders.panels import ORDERS_PANEL

        hooks.register_client_panel(ORDERS_PANEL)
