"""segments' share of each staff role (the machinery is core.roles)."""

from core.roles import ADVISER, COMPLIANCE, MANAGER, perms

_WORKS_WITH_SEGMENTS = perms("segments", "view add change", "segment") | perms(
    "segments", "view", "campaign"
)

ROLE_PERMISSIONS: dict[str, frozenset[str]] = {
    ADVISER: _WORKS_WITH_SEGMENTS
    | {"segments.run_segment_campaign", "segments.view_adviser_dashboard"},
    MANAGER: _WORKS_WITH_SEGMENTS
    | perms("segments", "delete", "segment")
    | {
        "segments.run_segment_campaign",
        "segments.view_adviser_dashboard",
        "segments.view_boutique_dashboard",
    },
    # Compliance reads what was segmented and for whom (accountability).
    COMPLIANCE: perms("segments", "view", "segment", "campaign")
    | {"segments.view_compliance_dashboard"},
}
