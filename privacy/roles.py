from clienteling import roles
from clienteling.roles import perms

ROLE_PERMISSIONS = {
    roles.COMPLIANCE: perms("privacy", "view", "accesslogentry")
    | {"privacy.view_access_log"}
    # Data-subject requests (issue 7).
    | perms("privacy", "view add change", "datasubjectrequest")
    | perms("privacy", "view", "requestedit", "subjectaccessreport")
    | {"privacy.build_subject_access_report", "privacy.view_register"},
}
