"""privacy models, one module per concern.

access_log: who saw what. requests: data-subject requests, the edits made
under them and subject-access report jobs. Issues 8 and 9 add erasure/
retention and sharing modules; import each one here.
"""

from privacy.models.access_log import AccessLogEntry
from privacy.models.requests import (
    DataSubjectRequest,
    RequestEdit,
    SubjectAccessReport,
)

__all__ = [
    "AccessLogEntry",
    "DataSubjectRequest",
    "RequestEdit",
    "SubjectAccessReport",
]
