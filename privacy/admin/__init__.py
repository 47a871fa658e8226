"""privacy admin, one module per concern (imported here to register)."""

from privacy.admin import (  # noqa: F401
    approvals,
    breaches,
    dpias,
    erasure,
    notices,
    organisers,
    processors,
    requests,
    sharing,
)
