"""privacy admin, one module per concern (imported here to register)."""

from privacy.admin import access_log, erasure, requests, sharing  # noqa: F401
