from clienteling import roles
from clienteling.roles import perms

ROLE_PERMISSIONS = {
    roles.COMPLIANCE: perms("privacy", "view", "accesslogentry")
    | {"privacy.view_access_log"},
}
