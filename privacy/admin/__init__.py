"""privacy admin, one module per concern (imported here to register)."""

from privacy.admin import approvals, breaches, erasure, requests, sharing  # noqa: F401
