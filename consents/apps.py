from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ConsentsConfig(AppConfig):
    name = "consents"
    verbose_name = _("Consents")

    def ready(self):
        from consents import list_filters, panels, selectors, services
        from consents.api import services as website_services
        from core import hooks

        hooks.register_allergy_gate(services.allergy_gate)
        hooks.register_merge_handler(services.ledger_merge)
        hooks.register_client_panel(panels.CONSENTS_PANEL)
        hooks.register_client_list_filter(list_filters.ConsentFilter)
        hooks.register_sale_handler(services.sale_recorded)
        hooks.register_contact_filter(selectors.without_objection_to_contact)
        hooks.register_web_event_filter(website_services.cookie_allowed_events)
