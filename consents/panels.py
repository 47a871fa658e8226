"""The consents section of the client 360 page (core.hooks)."""

from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from consents.selectors import client_consent_states
from core.hooks import ClientPanel


def consent_panel_context(request, client) -> dict:
    """Current consent per purpose, with a one-click withdraw: 2 queries."""
    can_record = request.user.has_perm("consents.add_consentdecision")
    return {
        "client": client,
        "states": client_consent_states(client=client, user=request.user),
        "can_withdraw": can_record,
        "withdraw_url": reverse("admin:consents_withdraw", args=[client.pk]),
        "capture_url": reverse("admin:consents_capture_client", args=[client.pk]),
        "can_capture": request.user.has_perm("consents.add_paperformsubmission"),
    }


CONSENTS_PANEL = ClientPanel(
    key="consents",
    title=_("Consents"),
    template="consents/panel.html",
    get_context=consent_panel_context,
    permission="consents.view_consentdecision",
    order=50,
)
