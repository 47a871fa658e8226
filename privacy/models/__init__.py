"""privacy models, one module per concern.

requests: data-subject requests, the edits made
under them and subject-access report jobs. sharing: group and partner
transfers and the insights received back. erasure and retention: erasure
jobs with their steps, retention rules and runs.
"""

from privacy.models.approvals import Approval
from privacy.models.breaches import (
    Breach,
    BreachAlert,
    BreachAssessment,
    BreachClient,
    BreachLetter,
    BreachNotification,
)
from privacy.models.dpias import Dpia
from privacy.models.erasure import ErasureJob, ErasureStep
from privacy.models.notices import RecipientNotice
from privacy.models.organisers import GuestListDisclosure, OrganiserDisclosure
from privacy.models.processors import Recipient, Transfer
from privacy.models.requests import (
    DataSubjectRequest,
    RequestEdit,
    RequestLetter,
    SubjectAccessReport,
)
from privacy.models.retention import RetentionRule, RetentionRun
from privacy.models.sharing import (
    Disclosure,
    GroupInsight,
    InsightImport,
    Partner,
    SharingBatch,
)

__all__ = [
    "Approval",
    "Breach",
    "BreachAlert",
    "BreachAssessment",
    "BreachClient",
    "BreachLetter",
    "BreachNotification",
    "DataSubjectRequest",
    "Dpia",
    "Disclosure",
    "ErasureJob",
    "ErasureStep",
    "GroupInsight",
    "GuestListDisclosure",
    "InsightImport",
    "OrganiserDisclosure",
    "Partner",
    "Recipient",
    "RecipientNotice",
    "RequestEdit",
    "RequestLetter",
    "RetentionRule",
    "RetentionRun",
    "SharingBatch",
    "SubjectAccessReport",
    "Transfer",
]
