"""privacy models, one module per concern.

access_log: who saw what. sharing: group and partner transfers and the
insights received back. Issues 7 and 8 add requests and erasure/retention
modules; import each one here.
"""

from privacy.models.access_log import AccessLogEntry
from privacy.models.sharing import (
    Disclosure,
    GroupInsight,
    InsightImport,
    Partner,
    SharingBatch,
)

__all__ = [
    "AccessLogEntry",
    "Disclosure",
    "GroupInsight",
    "InsightImport",
    "Partner",
    "SharingBatch",
]
