"""consents models, one module per concern.

purposes: the purpose registry and the form templates (reference data from
code). ledger: the append-only consent ledger and paper-form submissions
(evidence), soft opt-in, restrictions and the suppression list.
"""

from consents.models.ledger import (
    AppendOnly,
    Channel,
    ConsentDecision,
    LedgerIsAppendOnly,
    PaperFormSubmission,
    Restriction,
    SoftOptIn,
    SuppressionEntry,
)
from consents.models.purposes import (
    FormField,
    FormTemplate,
    FormTemplateVersion,
    Purpose,
    PurposeWording,
)

__all__ = [
    "AppendOnly",
    "Channel",
    "ConsentDecision",
    "FormField",
    "FormTemplate",
    "FormTemplateVersion",
    "LedgerIsAppendOnly",
    "PaperFormSubmission",
    "Purpose",
    "PurposeWording",
    "Restriction",
    "SoftOptIn",
    "SuppressionEntry",
]
