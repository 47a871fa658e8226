"""privacy models, one module per concern.

access_log: who saw what. requests: data-subject requests, the edits made
under them and subject-access report jobs. sharing: group and partner
transfers and the insights received back. Issue 8 adds erasure/retention;
import each module here.
"""

from privacy.models.access_log import AccessLogEntry
from privacy.models.requests import (
    DataSubjectRequest,
    RequestEdit,
    SubjectAccessReport,
)
from privacy.models.sharing import (
    Disclosure,
    GroupInsight,
    InsightImport,
    Partner,
    SharingBatch,
)

__all__ = [
    "AccessLogEntry",
    "DataSubjectRequest",
    "Disclosure",
    "GroupInsight",
    "InsightImport",
    "Partner",
    "RequestEdit",
    "SharingBatch",
    "SubjectAccessReport",
]
