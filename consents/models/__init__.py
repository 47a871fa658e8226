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
from consents.models.outreach import OutreachList
from consents.models.purposes import (
    FormField,
    FormTemplate,
    FormTemplateVersion,
    Purpose,
    PurposeWording,
)

__all__ = [
    "AppendOnly",
    "BounceImport",
    "Channel",
    "ConsentConversation",
    "ConsentDecision",
    "FormField",
    "FormTemplate",
    "FormTemplateVersion",
    "LedgerIsAppendOnly",
    "OutreachList",
    "PaperFormSubmission",
    "Purpose",
    "PurposeWording",
    "Restriction",
    "SoftOptIn",
    "SuppressionEntry",
    "SuppressionEvent",
]
