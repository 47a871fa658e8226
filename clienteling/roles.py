"""clienteling's share of each staff role (the machinery is core.roles)."""

from core.roles import ADVISER, COMPLIANCE, CUSTOMER_SERVICE, MANAGER, perms

# Client contact details and ceremony data an adviser keeps up to date.
_CLIENT_DETAILS = (
    "clientemail",
    "clientphone",
    "clientaddress",
    "socialidentifier",
    "ringsize",
    "importantdate",
    "interest",
    "contactpreference",
)
_CLIENT_READ_ONLY = ("webaccount", "ipaddressseen", "webevent", "selectionitem")

_ADVISER = (
    perms("clienteling", "view", "boutique", "collection", "houseevent")
    | perms(
        "clienteling",
        "view add change",
        "client",
        "invitation",
        "followup",
        "appointment",
    )
    | perms("clienteling", "view add change delete", *_CLIENT_DETAILS)
    | perms("clienteling", "view add", "contactevent")
    | perms("clienteling", "view", *_CLIENT_READ_ONLY)
    # Health data: advisers serve the client with it; the consent gate
    # decides whether it may exist at all.
    | perms("clienteling", "view add change delete", "metalallergy")
)

# clienteling's share of each role; core.roles.role_permissions() adds the
# other apps'.
ROLE_PERMISSIONS: dict[str, frozenset[str]] = {
    ADVISER: _ADVISER,
    MANAGER: _ADVISER
    | perms("clienteling", "view", "user")
    | perms("clienteling", "add change", "houseevent")
    | perms("clienteling", "view change", "duplicateflag")
    | {"clienteling.import_client"},
    CUSTOMER_SERVICE: (
        perms("clienteling", "view", "boutique", "collection", "houseevent")
        | perms("clienteling", "view add change", "client")
        | {"clienteling.view_all_clients"}
        | perms("clienteling", "view add change", *_CLIENT_DETAILS)
        | perms("clienteling", "view add", "contactevent")
        # Agents book appointments for callers, in any boutique.
        | perms("clienteling", "view add change", "appointment")
        | perms("clienteling", "view", "followup", "invitation", *_CLIENT_READ_ONLY)
    ),
    COMPLIANCE: (
        perms(
            "clienteling",
            "view",
            "boutique",
            "user",
            "client",
            "collection",
            "houseevent",
            "invitation",
            "followup",
            "appointment",
            "contactevent",
            "metalallergy",
            "duplicateflag",
            *_CLIENT_DETAILS,
            *_CLIENT_READ_ONLY,
        )
        | {"clienteling.view_all_clients", "clienteling.export_client"}
    ),
}
