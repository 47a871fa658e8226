"""Four-eyes approval: one compliance officer asks, another approves.

Dangerous module: approving here erases clients (a real retention run) or
changes how long data is kept (a retention rule). The rule that the
approver is not the requester is checked in these services, under a row
lock, so no admin path, command or script can approve its own request;
the database refuses it too (approval_decided_by_someone_else). An
approval already carried out, rejected or withdrawn is refused with what
happened to it. docs/decisions/0059.
"""

from datetime import datetime, timedelta
from urllib.parse import parse_qsl, urlencode

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext_lazy as _

from core.display import moment
from core.writes import now_or as _now
from privacy import retention, retention_preview
from privacy.models import Approval, RetentionRule

# The fields of a retention rule a change may touch (the others are the
# rule's identity and come with its code: privacy.retention).
RULE_FIELDS = ("name", "purpose", "period_days", "source", "is_active")


def _name(user) -> str:
    if user is None:
        return str(_("the system"))
    return user.get_full_name() or user.get_username()


def four_eyes_check(*, requested_by, acting_user, what: str) -> None:
    """Refuse the approval of `what` by the officer who requested it."""
    if acting_user is None:
        raise ValidationError(
            _("%(what)s needs a compliance officer's approval.") % {"what": what}
        )
    if requested_by is not None and requested_by.pk == acting_user.pk:
        raise ValidationError(
            _(
                "You requested %(what)s yourself: a second compliance officer "
                "must approve it. Nothing was changed."
            )
            % {"what": what}
        )


def _decided_error(approval: Approval) -> ValidationError:
    return ValidationError(
        _(
            "%(approval)s is already %(status)s (%(who)s, %(when)s): there is "
            "nothing left to approve. Nothing was changed."
        )
        % {
            "approval": approval,
            "status": approval.get_status_display().lower(),
            "who": _name(approval.decided_by),
            "when": moment(approval.decided_at),
        }
    )


def _pending(kind: str, **filters) -> Approval | None:
    return (
        Approval.objects.filter(kind=kind, status=Approval.Status.PENDING, **filters)
        .order_by("requested_at")
        .first()
    )


@transaction.atomic
def retention_run_request(*, acting_user, now: datetime | None = None) -> Approval:
    """Ask for a real retention run; it starts once another officer approves.

    One request waits at a time: a second is refused, naming the first.
    """
    waiting = _pending(Approval.Kind.RETENTION_RUN)
    if waiting is not None:
        raise ValidationError(
            _(
                "%(approval)s, requested by %(who)s, is already waiting for "
                "approval. Nothing was changed."
            )
            % {"approval": waiting, "who": _name(waiting.requested_by)}
        )
    at = _now(now)
    preview = retention_preview.retention_preview(now=at)
    approval = Approval(
        kind=Approval.Kind.RETENTION_RUN,
        requested_by=acting_user,
        requested_at=at,
        counts={"clients": preview.clients_to_erase},
    )
    approval.full_clean()
    approval.save()
    return approval


def _rule_changes(rule: RetentionRule, values: dict) -> dict:
    """The fields `values` changes on `rule`, checked as the rule would be."""
    unknown = sorted(set(values) - set(RULE_FIELDS))
    if unknown:
        raise ValidationError(
            _("These fields of a retention rule cannot be changed: %(fields)s.")
            % {"fields": ", ".join(unknown)}
        )
    changes = {k: v for k, v in values.items() if getattr(rule, k) != v}
    if not changes:
        raise ValidationError(
            _("The proposed rule is the same as the current one: nothing to approve.")
        )
    proposed = RetentionRule.objects.get(pk=rule.pk)
    for field, value in changes.items():
        setattr(proposed, field, value)
    proposed.full_clean()
    return changes


def rule_change_check(*, rule: RetentionRule, values: dict) -> dict:
    """The changes a request would record, or why it is refused."""
    waiting = _pending(Approval.Kind.RULE_CHANGE, rule=rule)
    if waiting is not None:
        raise ValidationError(
            _(
                "A change to this rule, requested by %(who)s, is already waiting "
                "for approval (#%(pk)s): approve or reject it first. Nothing "
                "was changed."
            )
            % {"who": _name(waiting.requested_by), "pk": waiting.pk}
        )
    return _rule_changes(rule, values)


@transaction.atomic
def rule_change_request(
    *, acting_user, rule: RetentionRule, values: dict, now: datetime | None = None
) -> Approval:
    """Propose new values for a retention rule; applied once approved.

    Refused when nothing changes, a value is invalid (the rule's own
    checks) or another change to the rule is already waiting.
    """
    changes = rule_change_check(rule=rule, values=values)
    approval = Approval(
        kind=Approval.Kind.RULE_CHANGE,
        requested_by=acting_user,
        requested_at=_now(now),
        rule=rule,
        changes=changes,
    )
    approval.full_clean()
    approval.save()
    return approval


def _locked_pending(approval: Approval) -> Approval:
    approval = (
        Approval.objects.select_for_update(of=("self",))
        .select_related("requested_by", "decided_by", "rule")
        .get(pk=approval.pk)
    )
    if approval.status != Approval.Status.PENDING:
        raise _decided_error(approval)
    return approval


@transaction.atomic
def approval_approve(
    *, acting_user, approval: Approval, now: datetime | None = None
) -> Approval:
    """A second officer approves: the run starts or the rule changes."""
    approval = _locked_pending(approval)
    four_eyes_check(
        requested_by=approval.requested_by,
        acting_user=acting_user,
        what=str(approval),
    )
    at = _now(now)
    approval.status = Approval.Status.EXECUTED
    approval.decided_by = acting_user
    approval.decided_at = at
    if approval.kind == Approval.Kind.CLIENT_EXPORT:
        # The requester's next export of this list, within the day, runs.
        approval.status = Approval.Status.APPROVED
    elif approval.kind == Approval.Kind.RETENTION_RUN:
        approval.retention_run = retention.retention_run_start(
            acting_user=acting_user, dry_run=False, now=at, approval=approval
        )
    else:
        rule = RetentionRule.objects.select_for_update().get(pk=approval.rule_id)
        # Values checked again: the rule may have changed since the request.
        for field, value in approval.changes.items():
            setattr(rule, field, value)
        rule.updated_by = acting_user
        rule.full_clean()
        rule.save()
    approval.full_clean()
    approval.save()
    return approval


@transaction.atomic
def approval_reject(
    *, acting_user, approval: Approval, now: datetime | None = None
) -> Approval:
    """Another officer rejects the request, or its requester withdraws it."""
    approval = _locked_pending(approval)
    own = approval.requested_by_id == acting_user.pk
    approval.status = Approval.Status.WITHDRAWN if own else Approval.Status.REJECTED
    # The requester withdrawing is recorded as nobody's decision: the
    # database keeps decided_by for a second officer only.
    approval.decided_by = None if own else acting_user
    approval.decided_at = _now(now)
    approval.full_clean()
    approval.save()
    return approval


def rule_change_lines(approval: Approval) -> list[str]:
    """'Period (days): 365 → 730' for each field the change touches."""
    rule = approval.rule
    lines = []
    for field, value in approval.changes.items():
        model_field = RetentionRule._meta.get_field(field)
        lines.append(
            _("%(field)s: %(old)s → %(new)s")
            % {
                "field": str(model_field.verbose_name).capitalize(),
                "old": _shown(getattr(rule, field)),
                "new": _shown(value),
            }
        )
    return lines


def _shown(value) -> str:
    if value is True:
        return str(_("yes"))
    if value is False:
        return str(_("no"))
    if value is None or value == "":
        return str(_("(empty)"))
    return str(value)


# --- Large client-list exports ---------------------------------------------------

# How long an approved export waits for its requester: the list it names
# is a snapshot of the day; tomorrow's needs its own approval.
EXPORT_APPROVAL_HOURS = 24
# Changelist parameters that are not filters (paging, ordering, the
# export form's own fields): the same list under another page is the same.
_NOT_FILTERS = {"p", "o", "_changelist_filters", "format", "resource"}


def export_query_key(query: str) -> str:
    """The list's filters, sorted: the same list whatever the order."""
    pairs = [(k, v) for k, v in parse_qsl(query) if k not in _NOT_FILTERS]
    return urlencode(sorted(pairs))[:500]


def export_gate(*, user, count: int, query: str, now=None) -> str | None:
    """Registered with core.hooks: an export of more clients than
    BULK_EXPORT_COMPLIANCE_THRESHOLD runs once a second compliance officer
    approved this user's request for this list. The first attempt files
    the request; the next one after approval uses it."""
    if count <= settings.BULK_EXPORT_COMPLIANCE_THRESHOLD:
        return None
    key = export_query_key(query)
    with transaction.atomic():
        mine = Approval.objects.select_for_update().filter(
            kind=Approval.Kind.CLIENT_EXPORT, requested_by=user, export_query=key
        )
        at = _now(now)
        since = at - timedelta(hours=EXPORT_APPROVAL_HOURS)
        approved = (
            mine.filter(
                status=Approval.Status.APPROVED,
                decided_at__gte=since,
                counts__clients__gte=count,
            )
            .order_by("decided_at")
            .first()
        )
        if approved is not None:
            approved.status = Approval.Status.EXECUTED
            approved.executed_at = at
            approved.save(update_fields=["status", "executed_at"])
            return None
        waiting = mine.filter(status=Approval.Status.PENDING).first()
        if waiting is None:
            waiting = Approval(
                kind=Approval.Kind.CLIENT_EXPORT,
                requested_by=user,
                requested_at=at,
                export_query=key,
                counts={"clients": count},
            )
            waiting.full_clean()
            waiting.save()
    return _(
        "An export of %(count)s clients needs a second compliance officer's "
        "approval: request #%(pk)s is waiting for it. Export the same list "
        "again once it is approved (within %(hours)s hours). Nothing was "
        "exported."
    ) % {"count": count, "pk": waiting.pk, "hours": EXPORT_APPROVAL_HOURS}


def export_query_lines(approval: Approval) -> list[str]:
    """The list's filters as 'name: value' lines, for the approver."""
    pairs = parse_qsl(approval.export_query)
    if not pairs:
        return [str(_("Every client (no filter)."))]
    return [f"{name}: {value}" for name, value in pairs]


def pending_approvals_count() -> int:
    return Approval.objects.filter(status=Approval.Status.PENDING).count()
