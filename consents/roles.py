"""consents' share of the role matrix (see core.roles)."""

from core.roles import ADVISER, COMPLIANCE, CUSTOMER_SERVICE, MANAGER

_BOUTIQUE = frozenset(
    {
        "consents.view_purpose",
        "consents.view_formtemplate",
        "consents.view_formtemplateversion",
        "consents.view_consentdecision",
        "consents.add_consentdecision",
        "consents.build_outreach_list",
        "consents.view_paperformsubmission",
        "consents.add_paperformsubmission",
        # A parent's consent for a minor, with its evidence, is recorded
        # where the parent and the child are met (decision 0098).
        "consents.view_parentalconsent",
        "consents.add_parentalconsent",
        "consents.change_parentalconsent",
    }
)

ROLE_PERMISSIONS = {
    ADVISER: _BOUTIQUE,
    MANAGER: _BOUTIQUE,
    # Withdrawals and objections arrive by phone and email too; consent
    # given or withdrawn in a call or an email is keyed in with its call
    # id or a copy of the email (decision 0072). Advisers and managers
    # capture consent in person (tablet, paper form), not this way.
    CUSTOMER_SERVICE: frozenset(
        {
            "consents.view_purpose",
            "consents.view_formtemplate",
            "consents.view_formtemplateversion",
            "consents.view_consentdecision",
            "consents.add_consentdecision",
            "consents.view_consentconversation",
            "consents.add_consentconversation",
        }
    ),
    COMPLIANCE: frozenset(
        {
            "consents.view_purpose",
            "consents.view_formtemplate",
            "consents.view_formtemplateversion",
            "consents.view_consentdecision",
            "consents.view_paperformsubmission",
            "consents.view_parentalconsent",
            "consents.view_softoptin",
            "consents.view_restriction",
            "consents.view_suppressionentry",
            "consents.view_suppressionevent",
            "consents.view_consentconversation",
            # Bounces and complaints from the email provider (decision 0074).
            "consents.view_bounceimport",
            "consents.add_bounceimport",
            # Who took which list out, and what it held (audit).
            "consents.view_outreachlist",
            "consents.download_any_outreach_list",
            # The websites that call the intake API and their keys
            # (decision 0075): compliance answers for who may write.
            "consents.view_websiteclient",
            "consents.add_websiteclient",
            "consents.change_websiteclient",
            "consents.rotate_website_key",
        }
    ),
}
