"""core's share of the role matrix (see clienteling.roles)."""

from clienteling.roles import ADVISER, COMPLIANCE, CUSTOMER_SERVICE, MANAGER

# Everyone sees the jobs they started; compliance sees everyone's (they
# answer for reports, erasures, retention and exports).
ROLE_PERMISSIONS = {
    ADVISER: frozenset({"core.view_job"}),
    MANAGER: frozenset({"core.view_job"}),
    CUSTOMER_SERVICE: frozenset({"core.view_job"}),
    COMPLIANCE: frozenset({"core.view_job", "core.view_all_jobs"}),
}
