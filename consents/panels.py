"""The consents section of the client 360 page (core.hooks)."""

from django.urls import reverse
from django.utils.formats import date_format
from django.utils.translation import gettext_lazy as _

from consents.models import ParentalConsent
from consents.parental import DIGITAL_CONSENT_AGE, age_on, today
from consents.selectors import client_consent_states
from core.hooks import CardSummary, ClientPanel


def consent_panel_context(request, client) -> dict:
    """Current consent per purpose, with a one-click withdraw: 2 queries."""
    can_record = request.user.has_perm("consents.add_consentdecision")
    age = age_on(client.birth_date, today())
    minor = age is not None and age < DIGITAL_CONSENT_AGE
    return {
        "age": age,
        "minor": minor,
        # one query, for a minor only
        "parental": (
            ParentalConsent.objects.filter(client=client).first() if minor else None
        ),
        "client": client,
        "states": client_consent_states(client=client, user=request.user),
        "can_withdraw": can_record,
        "withdraw_url": reverse("admin:consents_withdraw", args=[client.pk]),
        "capture_url": reverse("admin:consents_tablet_capture", args=[client.pk]),
        "paper_url": reverse("admin:consents_capture_client", args=[client.pk]),
        "can_capture": request.user.has_perm("consents.add_paperformsubmission"),
        "conversation_url": reverse("admin:consents_conversation", args=[client.pk]),
        "can_record_conversation": request.user.has_perm(
            "consents.add_consentconversation"
        ),
        "can_record_parental": minor
        and request.user.has_perm("consents.add_parentalconsent"),
        "can_change_parental": minor
        and request.user.has_perm("consents.change_parentalconsent"),
    }


def consent_card_summary(request, client, ctx) -> CardSummary:
    """A chip per purpose (granted, refused or withdrawn, no decision) and
    "Capture consent" (the tablet form) and "Key in a paper form" for
    staff who record forms."""
    chips = []
    for state in ctx["states"]:
        if state.granted:
            chips.append((state.purpose.display_name, "yes"))
        elif state.decision is not None:
            chips.append((state.purpose.display_name, "no"))
        else:
            chips.append((state.purpose.display_name, "none"))
    actions = []
    if ctx["can_capture"]:
        # The client signs on the tablet; a signed paper form is keyed in.
        actions.append((_("Capture consent"), ctx["capture_url"]))
        actions.append((_("Key in a paper form"), ctx["paper_url"]))
    facts, notices = [], []
    if ctx["age"] is not None:
        facts.append((_("Age"), str(ctx["age"])))
    if ctx["minor"]:
        parental = ctx["parental"]
        notices.append(
            _(
                "Minor (under %(age)s): consent given by %(parent)s (%(relation)s) "
                "on %(date)s."
            )
            % {
                "age": DIGITAL_CONSENT_AGE,
                "parent": parental.parent_name,
                "relation": parental.get_relation_display(),
                "date": date_format(parental.given_on, "DATE_FORMAT"),
            }
            if parental
            else _(
                "Minor (under %(age)s): no parent's consent recorded, so outreach "
                "leaves this client out."
            )
            % {"age": DIGITAL_CONSENT_AGE}
        )
    if ctx["minor"] and ctx["parental"] is None and ctx["can_record_parental"]:
        actions.append(
            (
                _("Record the parent's consent"),
                reverse("admin:consents_parentalconsent_add") + f"?client={client.pk}",
            )
        )
    elif ctx["minor"] and ctx["parental"] is not None and ctx["can_change_parental"]:
        actions.append(
            (
                _("Correct the parent's consent"),
                reverse(
                    "admin:consents_parentalconsent_change",
                    args=[ctx["parental"].pk],
                ),
            )
        )
    if ctx["can_record_conversation"]:
        # Customer service: consent given or withdrawn in a call or email.
        actions.append(
            (_("Record a consent given by phone or email"), ctx["conversation_url"])
        )
    return CardSummary(chips=chips, actions=actions, facts=facts, notices=notices)


CONSENTS_PANEL = ClientPanel(
    key="consents",
    title=_("Consents"),
    template="consents/panel.html",
    get_context=consent_panel_context,
    permission="consents.view_consentdecision",
    order=50,
    summarise=consent_card_summary,
)
