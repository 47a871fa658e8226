from django.apps import AppConfig


class PrivacyConfig(AppConfig):
    name = "privacy"
    verbose_name = "Privacy"

    def ready(self):
        from core import hooks
        from privacy import checks, panels, sharing  # noqa: F401 - registers the check
        from privacy import requests as dsr

        hooks.register_client_panel(sharing.GROUP_INSIGHT_PANEL)
        hooks.register_client_panel(panels.ERASURE_PANEL)
        hooks.register_edit_gate(dsr.restriction_gate)
        hooks.register_processing_filter(dsr.unrestricted)
