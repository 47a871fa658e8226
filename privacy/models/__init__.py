"""privacy models, one module per concern.

access_log: who saw what. erasure/retention: erasure jobs and retention
rules and runs. Issues 7 and 9 add requests and sharing modules; import
each one here.
"""

from privacy.models.access_log import AccessLogEntry
from privacy.models.erasure import ErasureJob, ErasureStep
from privacy.models.retention import RetentionRule, RetentionRun

__all__ = [
    "AccessLogEntry",
    "ErasureJob",
    "ErasureStep",
    "RetentionRule",
    "RetentionRun",
]
