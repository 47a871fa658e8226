"""Four-eyes approval: one compliance officer asks, another approves.

Dangerous module: approving here erases clients (a real retention run) or
changes how long data is kept (a retention rule). The rule that the
approver is not the requester is checked in these services, under a row
lock, so no admin path, command or script can approve its own request;
the database refuses it too (approval_decided_by_someone_else). An
approval already carried out, rejected or withdrawn is refused with what
happened to it. docs/decisions/0059.
"""

from datetime import datetime

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
    if approval.kind == Approval.Kind.RETENTION_RUN:
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


def pending_approvals_count() -> int:
    return Approval.objects.filter(status=Approval.Status.PENDING).count()
