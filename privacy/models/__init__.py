"""privacy models, one module per concern.

requests: data-subject requests, the edits made
under them and subject-access report jobs. sharing: group and partner
transfers and the insights received back. erasure and retention: erasure
jobs with their steps, retention rules and runs.
"""

from privacy.models.erasure import ErasureJob, ErasureStep
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
    "DataSubjectRequest",
    "Disclosure",
    "ErasureJob",
    "ErasureStep",
    "GroupInsight",
    "InsightImport",
    "Partner",
    "RequestEdit",
    "RequestLetter",
    "RetentionRule",
    "RetentionRun",
    "SharingBatch",
    "SubjectAccessReport",
]
