from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PrivacyConfig(AppConfig):
    name = "privacy"
    verbose_name = _("Privacy")

    def ready(self):
        from core import hooks
        from privacy import approvals, checks, notices, panels  # noqa: F401 - registers the check
        from privacy import requests as dsr
        from privacy.list_filters import RetentionDueFilter
        from privacy.sharing import files, insights  # noqa: F401 - files registers its downloads

        hooks.register_client_panel(insights.GROUP_INSIGHT_PANEL)
        hooks.register_client_panel(panels.ERASURE_PANEL)
        hooks.register_client_list_filter(RetentionDueFilter)
        hooks.register_edit_gate(dsr.restriction_gate)
        hooks.register_processing_filter(dsr.unrestricted)
        hooks.register_export_gate(approvals.export_gate)
        hooks.register_consent_ended_handler(notices.on_consent_ended)
        # Art. 19 for edits outside a rectification request (decision 0096).
        from simple_history.signals import post_create_historical_record

        post_create_historical_record.connect(
            notices.on_history_record, dispatch_uid="privacy.notices.edits"
        )
