from clienteling import roles
from clienteling.roles import perms

ROLE_PERMISSIONS = {
    roles.COMPLIANCE: perms("privacy", "view", "accesslogentry")
    | {"privacy.view_access_log"}
    # Erasure and retention (issue 8): compliance requests, approves and
    # follows erasures, edits retention rules, runs retention and dry runs.
    | perms("privacy", "view add", "erasurejob")
    | {"privacy.approve_erasurejob"}
    | perms("privacy", "view change", "retentionrule")
    | perms("privacy", "view add", "retentionrun")
    | {"privacy.run_retention"},
}
