"""core models, one module per concern.

access_log: who looked at or took out what (never the values).
"""

from core.models.access_log import AccessLogEntry

__all__ = ["AccessLogEntry"]
