"""consents models, one module per concern.

purposes: the purpose registry and the form templates (reference data from
code). ledger: the append-only consent ledger and paper-form submissions
(evidence), soft opt-in, restrictions and the suppression list. outreach:
the outreach-list jobs (who asked for which list, its progress and file).
"""

from consents.models.bounces import BounceImport
from consents.models.ledger import (
    AppendOnly,
    Channel,
    ConsentConversation,
    ConsentDecision,
    LedgerIsAppendOnly,
    PaperFormSubmission,
    Restriction,
    SoftOptIn,
    SuppressionEntry,
    SuppressionEvent,
)
from consents.models.outreach import EmailCampaign, OutreachList
from consents.models.parental import ParentalConsent
from consents.models.purposes import (
    FormField,
    FormTemplate,
    FormTemplateVersion,
    Purpose,
    PurposeWording,
)
from consents.models.website_api import (
    CookieChoice,
    WebsiteApiCall,
    WebsiteApiKey,
    WebsiteClient,
)

__all__ = [
    "AppendOnly",
    "BounceImport",
    "Channel",
    "ConsentConversation",
    "ConsentDecision",
    "CookieChoice",
    "EmailCampaign",
    "FormField",
    "FormTemplate",
    "FormTemplateVersion",
    "LedgerIsAppendOnly",
    "OutreachList",
    "PaperFormSubmission",
    "ParentalConsent",
    "Purpose",
    "PurposeWording",
    "Restriction",
    "SoftOptIn",
    "SuppressionEntry",
    "SuppressionEvent",
    "WebsiteApiCall",
    "WebsiteApiKey",
    "WebsiteClient",
]
