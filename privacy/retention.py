"""Retention: data past its period is erased, by rule, in bounded batches.

Rules (privacy.models.RetentionRule) hold the periods and their sources;
the behaviour of each rule is a Handler registered here under the rule's
code. Other apps declare theirs in RETENTION_HANDLERS of their
retention.py (orders: card references and invoices), found by name the
way the data map finds datamap.py, so they import nothing from privacy. A run
walks each rule's due rows by ascending id, BATCH at a time; each batch's
work commits with the run's cursor, fenced by the lease of the run's
core.Job (kind "privacy.retention", privacy/jobs.py), so a stopped run
resumes where it stopped, a worker that lost the job commits nothing, and
memory stays flat whatever the table size. Recovery (a killed worker, a
lost message) is core.jobs' sweeper's. A dry run walks the
same rows with the same checks and writes nothing but its counts.
"""

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from importlib import import_module
from importlib.util import find_spec

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured, ValidationError
from django.db import models, transaction
from django.db.models import Exists, OuterRef
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from clienteling.models import Client, IpAddressSeen, WebAccount, WebEvent
from consents import selectors as consent_selectors
from core import jobs as core_jobs
from core.evidence import evidence_gate
from core.models import AccessLogEntry
from core.writes import now_or as _now
from orders import selectors as order_selectors
from privacy import holds as holds_module
from privacy.erasure import engine, replay
from privacy.erasure.plan import TOMBSTONE_PREFIX, with_merged
from privacy.models import RetentionRule, RetentionRun

# Rows per batch: one batch of client erasures is a few hundred
# milliseconds of set-based statements, and ids of a batch fit in memory
# many times over.
BATCH = 10_000  # the erasure engine's CHUNK: one chunk per batch (decision 0089)
# The core.jobs kind that carries out runs (privacy/jobs.py).
KIND = "privacy.retention"


@dataclass(frozen=True)
class Handler:
    """How a rule finds its due rows and erases a batch of them.

    `due(rule, now)` is a queryset of the due rows (keyset-walked by pk);
    `apply(ids, rule, now, dry_run)` erases them (or only counts, on a dry
    run) and returns counts.
    """

    due: Callable[[RetentionRule, datetime], models.QuerySet]
    apply: Callable[[list[int], RetentionRule, datetime, bool], dict]


HANDLERS: dict[str, Handler] = {}
# Rules with no sweep of their own: what governs them instead.
FOLLOWS = {"contact_history": "inactive_clients"}


def register_handler(code: str, handler: Handler) -> None:
    HANDLERS[code] = handler


def cutoff(rule: RetentionRule, now: datetime) -> datetime:
    return now - timedelta(days=rule.effective_days())


# --- Built-in handlers --------------------------------------------------------


def _due_clients(rule, now):
    """Active clients whose commercial relationship ended before the period.

    The relationship ends at the latest of four dates (CNIL référentiel
    « gestion des activités commerciales », docs/retention-rules.md): the
    last purchase, the last contact the client initiated, the last web
    login and the last consent given; creation stands in for a client with
    none of them. "Latest before the cutoff" is written as "no source at or
    after it", each an EXISTS the database answers per client from an index
    on (client, date), so the run's memory stays flat.
    Merged records are erased with the record they were merged into.
    """
    since = cutoff(rule, now)
    client = OuterRef("pk")
    return (
        Client.objects.filter(status=Client.Status.ACTIVE)
        .exclude(client_number__startswith=TOMBSTONE_PREFIX)
        .annotate(_anchor=Coalesce("last_client_initiated_contact_at", "created_at"))
        .filter(_anchor__lt=since)
        .exclude(Exists(order_selectors.purchases_since(since).filter(client=client)))
        .exclude(Exists(consent_selectors.grants_since(since).filter(client=client)))
        .exclude(
            Exists(
                WebEvent.objects.filter(
                    client=client,
                    kind=WebEvent.Kind.LOGIN,
                    occurred_at__gte=since,
                )
            )
        )
        .exclude(
            Exists(WebAccount.objects.filter(client=client, last_login_at__gte=since))
        )
    )


def _apply_clients(ids, rule, now, dry_run, *, key="", retried=False) -> dict:
    held = holds_module.holds_for(ids)
    free = [i for i in ids if i not in held]
    if free and not dry_run:
        # The merged records once, for the erasure and its replay line.
        covered = with_merged(free)
        engine.erase_clients(client_ids=covered, merged_included=True)
        replay.replay_log_append(
            kind="retention",
            reference=f"retention:{rule.code}",
            client_ids=covered,
            held=[],
            at=now,
            key=key,
            retried=retried,
        )
    return {"clients_erased": len(free), "clients_held": len(held)}


def _delete_rows_with_history(model):
    def apply(ids, rule, now, dry_run) -> dict:
        history = model.history.model
        if dry_run:
            return {
                "rows_deleted": len(ids),
                "history_purged": history._base_manager.filter(id__in=ids).count(),
            }
        purged = history._base_manager.filter(id__in=ids)._raw_delete(
            history.objects.db
        )
        rows = model._base_manager.filter(pk__in=ids)
        return {"rows_deleted": rows._raw_delete(rows.db), "history_purged": purged}

    return apply


def _due_cookie_choices(rule, now):
    return Client.objects.filter(cookie_consent_at__lt=cutoff(rule, now))


def _apply_cookie_choices(ids, rule, now, dry_run) -> dict:
    if not dry_run:
        Client.objects.filter(pk__in=ids).update(
            cookie_consent="", cookie_consent_at=None
        )
        # Earlier versions of the row hold the same choice.
        Client.history.filter(id__in=ids).exclude(cookie_consent_at=None).update(
            cookie_consent="", cookie_consent_at=None
        )
    return {"clients_cleared": len(ids)}


def _apply_access_log(ids, rule, now, dry_run) -> dict:
    if dry_run:
        return {"rows_deleted": len(ids)}
    # The append-only trigger lets these rows go, and only these: the
    # evidence gate is opened for their ids (core.evidence).
    with transaction.atomic(), evidence_gate("access_log_retention", ids):
        rows = AccessLogEntry.objects.filter(pk__in=ids)
        return {"rows_deleted": rows._raw_delete(rows.db)}


register_handler("inactive_clients", Handler(_due_clients, _apply_clients))
register_handler(
    "web_activity",
    Handler(
        lambda rule, now: WebEvent.objects.filter(occurred_at__lt=cutoff(rule, now)),
        _delete_rows_with_history(WebEvent),
    ),
)
register_handler(
    "ip_addresses",
    Handler(
        lambda rule, now: IpAddressSeen.objects.filter(
            last_seen_at__lt=cutoff(rule, now)
        ),
        _delete_rows_with_history(IpAddressSeen),
    ),
)
register_handler("cookie_choices", Handler(_due_cookie_choices, _apply_cookie_choices))
register_handler(
    "access_log",
    Handler(
        lambda rule, now: AccessLogEntry.objects.filter(at__lt=cutoff(rule, now)),
        _apply_access_log,
    ),
)


# --- Handlers of other apps ----------------------------------------------------

BUILT_IN = frozenset(HANDLERS)


def app_handlers() -> dict[str, Handler]:
    """RETENTION_HANDLERS of every other project app's retention.py.

    Each maps a rule code to a (due, apply) pair with Handler's signatures.
    """
    found: dict[str, Handler] = {}
    for app in settings.PROJECT_APPS:
        if app == "privacy" or not find_spec(f"{app}.retention"):
            continue
        declared = getattr(import_module(f"{app}.retention"), "RETENTION_HANDLERS", {})
        for code, (due, apply) in declared.items():
            if code in BUILT_IN or code in found:
                raise ImproperlyConfigured(
                    f"{app}/retention.py declares a handler for {code!r}, "
                    "which already has one."
                )
            found[code] = Handler(due, apply)
    return found


for _code, _handler in app_handlers().items():
    register_handler(_code, _handler)


# --- Runs ----------------------------------------------------------------------


def _kind_label(run: RetentionRun) -> str:
    return f"Retention {'dry run' if run.dry_run else 'run'} #{run.pk}"


def _four_eyes_run_check(*, acting_user, approval) -> None:
    if (
        approval is None
        or approval.kind != "retention_run"
        or approval.decided_by_id != acting_user.pk
        or approval.requested_by_id == acting_user.pk
    ):
        raise ValidationError(
            _(
                "A real retention run needs a request by one compliance officer "
                "and the approval of another. Nothing was started."
            )
        )


@transaction.atomic
def retention_run_start(
    *, acting_user, dry_run: bool, now: datetime | None = None, approval=None
) -> RetentionRun:
    """Start a run over every active rule (its job is sent after commit).

    A real run started by a person needs `approval`, a retention-run
    approval another officer is giving (privacy.approvals.approval_approve,
    four eyes); the scheduled run (acting_user None) applies rules that
    were themselves approved.
    """
    if not dry_run and acting_user is not None:
        _four_eyes_run_check(acting_user=acting_user, approval=approval)
    at = _now(now)
    codes = list(
        RetentionRule.objects.filter(is_active=True).values_list("code", flat=True)
    )
    run = RetentionRun(
        dry_run=dry_run,
        now=at,
        started_at=timezone.now(),
        started_by=acting_user,
        cursor=dict.fromkeys(codes, 0),
        counts={code: {} for code in codes},
    )
    run.full_clean()
    run.save()
    run.job = core_jobs.enqueue(
        kind=KIND,
        label=_kind_label(run),
        acting_user=acting_user,
        params={"run": run.pk},
    )
    run.save(update_fields=["job"])
    return run


def _merge(total: dict, more: dict) -> dict:
    for key, value in more.items():
        total[key] = total.get(key, 0) + value
    return total


def retention_run_continue(*, run_id: int, ctx: core_jobs.JobContext) -> dict:
    """Do the run's remaining batches, each in its own transaction with the
    cursor. Only core.jobs calls this (the retention kind's run, with
    `ctx`): each batch reports progress first and commits fenced by the
    run's lease, so a worker that lost the job commits nothing."""
    done = 0
    rules = RetentionRule.objects.in_bulk(field_name="code")
    while True:
        _report(ctx, run_id, rules)
        with ctx.fenced():
            run = RetentionRun.objects.select_for_update().get(pk=run_id)
            if run.status == RetentionRun.Status.DONE:
                return {"run": run_id, "status": run.status, "batches": done}
            pending = [c for c, last in run.cursor.items() if last is not None]
            if not pending:
                run.status = RetentionRun.Status.DONE
                run.finished_at = timezone.now()
                run.save()
                return {"run": run_id, "status": run.status, "batches": done}
            code = pending[0]
            _batch(run, code, retried=ctx.job.attempts > 1)
            run.save()
        done += 1


def _report(ctx, run_id: int, rules: dict) -> None:
    """Progress in rules done (the job row: percent and what it is on)."""
    cursor = RetentionRun.objects.values_list("cursor", flat=True).get(pk=run_id)
    pending = [c for c, last in cursor.items() if last is not None]
    total = max(len(cursor), 1)
    rule = rules.get(pending[0]) if pending else None
    label = f"Applying: {rule.name}" if rule else "Finishing the run"
    ctx.progress(total - len(pending), total, label, force=True)


def _batch(run: RetentionRun, code: str, *, retried: bool = False) -> None:
    handler = HANDLERS.get(code)
    rule = RetentionRule.objects.filter(code=code).first()
    if handler is None or rule is None:
        run.counts[code] = {"no_handler": 1} if code not in FOLLOWS else {}
        run.cursor[code] = None
        return
    last = run.cursor[code]
    ids = list(
        handler.due(rule, run.now)
        .filter(pk__gt=last)
        .order_by("pk")
        .values_list("pk", flat=True)[:BATCH]
    )
    if not ids:
        run.cursor[code] = None
        return
    if handler.apply is _apply_clients:
        # Its replay-log line, written once even if the batch is retried.
        counts = _apply_clients(
            ids,
            rule,
            run.now,
            run.dry_run,
            key=f"retention#{run.pk}:{code}:{ids[-1]}",
            retried=retried,
        )
    else:
        counts = handler.apply(ids, rule, run.now, run.dry_run)
    run.counts[code] = _merge(run.counts.get(code) or {}, counts)
    run.cursor[code] = ids[-1]


def retention_run_now(
    *, acting_user, dry_run: bool, now: datetime | None = None
) -> RetentionRun:
    """Start a run and do it all in this process (tests, commands, bench)."""
    run = retention_run_start(acting_user=acting_user, dry_run=dry_run, now=now)
    outcome = core_jobs.run(run.job_id)["outcome"]
    run.refresh_from_db()
    if run.status != RetentionRun.Status.DONE and outcome != "skipped":
        raise RuntimeError(f"{_kind_label(run)} did not finish ({outcome}).")
    return run


@dataclass(frozen=True)
class RuleReport:
    rule: RetentionRule
    cutoff: datetime | None
    counts: dict
    note: str


def retention_report(*, run: RetentionRun) -> list[RuleReport]:
    """What the run erased (or, on a dry run, would erase), by rule."""
    rules = {r.code: r for r in RetentionRule.objects.filter(code__in=run.counts)}
    report = []
    for code, counts in run.counts.items():
        rule = rules.get(code)
        if rule is None:
            continue
        if code in FOLLOWS:
            note = _("No sweep of its own: erased with the client (%(follows)s).") % {
                "follows": FOLLOWS[code]
            }
        elif code not in HANDLERS:
            note = _(
                "No handler installed: no app declares one in the "
                "RETENTION_HANDLERS of its retention.py."
            )
        else:
            note = ""
        report.append(
            RuleReport(
                rule=rule,
                cutoff=cutoff(rule, run.now) if code in HANDLERS else None,
                counts={k: v for k, v in counts.items() if k != "no_handler"},
                note=note,
            )
        )
    return report
