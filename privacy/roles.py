from core import roles
from core.roles import perms

# Advisers and managers see the group's insights on the client page.
_INSIGHTS = perms("privacy", "view", "groupinsight")

ROLE_PERMISSIONS = {
    roles.ADVISER: _INSIGHTS,
    roles.MANAGER: _INSIGHTS,
    # Data-subject requests (issue 7).
    roles.COMPLIANCE: perms("privacy", "view add change", "datasubjectrequest")
    | perms("privacy", "view", "requestedit", "subjectaccessreport")
    | {"privacy.build_subject_access_report", "privacy.view_register"}
    # Group and partner sharing: compliance runs every transfer.
    | perms("privacy", "view add change", "partner")
    | perms("privacy", "view", "sharingbatch", "groupinsight")
    | perms("privacy", "view add", "insightimport")
    | {"privacy.run_group_export", "privacy.run_partner_export"}
    # Erasure and retention (issue 8): compliance requests, approves and
    # follows erasures, edits retention rules, runs retention and dry runs.
    | perms("privacy", "view add", "erasurejob")
    | {"privacy.approve_erasurejob"}
    | perms("privacy", "view change", "retentionrule")
    | perms("privacy", "view add", "retentionrun")
    | {"privacy.run_retention"}
    # Four eyes (issue 17): a real run and a rule change wait for another
    # officer's approval (privacy.approvals).
    | perms("privacy", "view", "approval")
    | {"privacy.approve_approval"}
    # The breach register (issue 17): append-only, written by services.
    | perms("privacy", "view add", "breach")
    | perms("privacy", "view", "breachassessment", "breachnotification")
    # Recipients, processors and transfers for the register (issue 17).
    | perms("privacy", "view add change", "recipient", "transfer", "dpia")
    # Guest lists given to event organisers (decision 0106).
    | perms("privacy", "view add", "guestlistdisclosure")
    # Art. 19 notices (written by the services) and the accountability
    # file with its access-log export (docs/decisions/0079-0080).
    | perms("privacy", "view", "recipientnotice")
    | {"privacy.view_accountability"},
}
