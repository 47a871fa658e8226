from django.apps import AppConfig
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _


class OrdersConfig(AppConfig):
    name = "orders"
    verbose_name = _("Orders")

    def ready(self):
        from core import hooks
        from orders import checks, services
        from orders.panels import ORDERS_PANEL

        # Also a system check (manage.py check, migrate, CI); raised here so
        # a web or Celery process with a missing rate does not start either.
        missing = checks.every_currency_has_a_budget_rate()
        if missing:
            raise ImproperlyConfigured(f"{missing[0].msg} {missing[0].hint}")
        hooks.register_client_panel(ORDERS_PANEL)
        hooks.register_health_eraser(services.allergy_confirmations_erase)
