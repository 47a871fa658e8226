"""privacy models, one module per concern.

access_log: who saw what. Issues 7 to 9 add requests, erasure/retention
and sharing modules; import each one here.
"""

from privacy.models.access_log import AccessLogEntry

__all__ = ["AccessLogEntry"]
