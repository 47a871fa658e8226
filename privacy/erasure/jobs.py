"""Erasure jobs: request, approve, cancel, execute.

A job (privacy.models.ErasureJob) runs as ordered steps. Approval queues
its run as a core.Job of kind "privacy.erasure" (privacy/jobs.py): the
protocol claims it, keeps its lease and recovers it when a worker dies or
a message is lost (core.jobs.sweep). Each step commits with its counts
fenced by that lease (ctx.fenced()): a resumed run starts at the first
step not done, a worker that lost its lease commits nothing, and nothing
is counted twice. The approval page reads the job's preview (what it will
erase and keep, and why).
"""

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from clienteling.models import Client
from core import jobs as core_jobs
from core.display import day, moment
from core.writes import now_or as _now
from privacy import holds as holds_module
from privacy import notices, receipts
from privacy import requests as dsr
from privacy.approvals import four_eyes_check
from privacy.erasure.engine import steps_for
from privacy.erasure.plan import (
    TOMBSTONE_PREFIX,
    Context,
    erasure_plan,
    identifiers_of,
    with_merged,
)
from privacy.erasure.replay import replay_log_append
from privacy.models import DataSubjectRequest, ErasureJob, ErasureStep

# The core.jobs kind that carries out approved erasures (privacy/jobs.py).
KIND = "privacy.erasure"


def _move(job: ErasureJob, status: str) -> None:
    allowed = ErasureJob.TRANSITIONS[ErasureJob.Status(job.status)]
    if status not in allowed:
        raise ValidationError(
            _("Erasure #%(pk)s is %(status)s: it cannot become %(target)s.")
            % {
                "pk": job.pk,
                "status": job.get_status_display().lower(),
                "target": ErasureJob.Status(status).label.lower(),
            }
        )
    job.status = status


def is_tombstone(client: Client) -> bool:
    return client.client_number.startswith(TOMBSTONE_PREFIX)


def client_erasures(*, client: Client) -> list[ErasureJob]:
    """The erasures that cover this client, latest first: its own and those
    of the records it was merged into (an erasure takes merged records
    with it). One query, plus one per merge the record went through."""
    ids, survivor = [client.pk], client.merged_into_id
    while survivor is not None and survivor not in ids:
        ids.append(survivor)
        survivor = (
            Client.objects.filter(pk=survivor)
            .values_list("merged_into_id", flat=True)
            .first()
        )
    return list(
        ErasureJob.objects.filter(client_id__in=ids).order_by("-requested_at", "-id")
    )


def erasure_blocking_job(
    *, client: Client, jobs: list[ErasureJob] | None = None
) -> ErasureJob | None:
    """The erasure that stops a new one of this client, or None.

    Either the one open (awaiting approval, or approved and under way), or the
    complete erasure that made the client a tombstone (after a partial
    one, what the holds kept may be erased once they end). `jobs`, the
    client's erasures when already read (the client page), saves a query.
    """
    if jobs is None:
        jobs = client_erasures(client=client)
    open_job = next((j for j in jobs if j.status in ErasureJob.OPEN), None)
    if open_job is not None:
        return open_job
    if not is_tombstone(client):
        return None
    done = [j for j in jobs if j.status == ErasureJob.Status.DONE]
    last = max(done, key=lambda j: j.finished_at, default=None)
    return last if last is not None and not last.partial else None


def erased_without_a_job(
    *, client: Client, jobs: list[ErasureJob] | None = None
) -> bool:
    """A tombstone made by retention (or a replay of it): no erasure job
    did it, and no partial one left anything for a later request."""
    if not is_tombstone(client):
        return False
    if jobs is None:
        jobs = client_erasures(client=client)
    return not any(j.status == ErasureJob.Status.DONE for j in jobs)


def erasure_holds(*, client: Client) -> list[holds_module.Hold]:
    return holds_module.holds_for([client.pk]).get(client.pk, [])


def erasure_request_check(*, client: Client, allow_partial: bool) -> list:
    """Raise ValidationError when an erasure of this client cannot open.

    Already erased (nothing to do), already open, or held by the law
    without leave for a partial erasure. Returns the holds that apply.
    Each refusal carries a code (already_erased, already_open,
    legal_hold) for the pages that say what to do next.
    """
    blocking = erasure_blocking_job(client=client)
    if blocking is not None and blocking.status == ErasureJob.Status.DONE:
        raise ValidationError(
            (
                _(
                    "Nothing to do: client %(pk)s was erased by erasure #%(pk2)s on "
                    "%(finished_at)s."
                )
                % {
                    "pk": client.pk,
                    "pk2": blocking.pk,
                    "finished_at": day(blocking.finished_at),
                }
            ),
            code="already_erased",
        )
    if blocking is None and erased_without_a_job(client=client):
        raise ValidationError(
            (
                _(
                    "Nothing to do: client %(pk)s was erased by the retention rules "
                    "(no personal data is left on the record)."
                )
                % {"pk": client.pk}
            ),
            code="already_erased",
        )
    if blocking is not None:
        raise ValidationError(
            (
                _("Erasure #%(pk)s of this client is already %(status)s.")
                % {"pk": blocking.pk, "status": blocking.get_status_display().lower()}
            ),
            code="already_open",
        )
    holds = erasure_holds(client=client)
    if holds and not allow_partial:
        raise ValidationError(
            [
                ValidationError(message, code="legal_hold")
                for message in [
                    _("Erasure refused: legal holds apply."),
                    *(str(h) for h in holds),
                ]
            ]
        )
    return holds


@transaction.atomic
def erasure_request(
    *,
    acting_user,
    client: Client,
    request: DataSubjectRequest | None = None,
    allow_partial: bool = False,
    now: datetime | None = None,
) -> ErasureJob:
    """Open an erasure of one client, awaiting compliance's approval.

    Refused, with nothing written, when the client is already erased or an
    erasure of theirs is already open, or when a legal hold applies and
    the request does not allow a partial erasure, or when `request` is not
    this client's erasure request in progress (dsr.erasure_link_check).
    """
    if request is not None:
        dsr.erasure_link_check(request=request, client=client)
    holds = erasure_request_check(client=client, allow_partial=allow_partial)
    job = ErasureJob(
        client=client,
        request=request,
        allow_partial=allow_partial,
        requested_by=acting_user,
        requested_at=_now(now),
        holds=[h.as_receipt() for h in holds],
    )
    job.full_clean()
    job.save()
    return job


@transaction.atomic
def erasure_approve(
    *, acting_user, job: ErasureJob, now: datetime | None = None
) -> ErasureJob:
    """A second compliance officer approves: holds re-checked, steps
    written, job queued.

    Refused, with nothing written, when the approver requested the
    erasure (four eyes, privacy.approvals) or when it was already decided.
    """
    job = (
        ErasureJob.objects.select_for_update(of=("self",))
        .select_related("requested_by", "approved_by")
        .get(pk=job.pk)
    )
    if job.status != ErasureJob.Status.REQUESTED:
        raise ValidationError(
            _(
                "Erasure #%(pk)s is already %(status)s (%(when)s): there is "
                "nothing left to approve. Nothing was changed."
            )
            % {
                "pk": job.pk,
                "status": job.get_status_display().lower(),
                "when": moment(job.finished_at or job.approved_at),
            }
        )
    four_eyes_check(
        requested_by=job.requested_by,
        acting_user=acting_user,
        what=_("erasure #%(pk)s") % {"pk": job.pk},
    )
    holds = erasure_holds(client=job.client)
    if holds and not job.allow_partial:
        raise ValidationError(
            [_("Erasure refused: legal holds apply.")] + [str(h) for h in holds]
        )
    _move(job, ErasureJob.Status.APPROVED)
    job.approved_by = acting_user
    job.approved_at = _now(now)
    job.holds = [h.as_receipt() for h in holds]
    job.partial = bool(holds)
    job.full_clean()
    job.save()
    ctx = Context(client_ids=[job.client_id])
    names = ["holds", *(name for name, _unused in steps_for(ctx)), "finish"]
    ErasureStep.objects.bulk_create(
        [ErasureStep(job=job, position=i, name=n) for i, n in enumerate(names)]
    )
    _enqueue(job)
    return job


def erasure_cancel(*, acting_user, job: ErasureJob) -> ErasureJob:
    with transaction.atomic():
        job = ErasureJob.objects.select_for_update().get(pk=job.pk)
        _move(job, ErasureJob.Status.CANCELLED)
        job.outcome = "Cancelled before approval."
        job.save()
    return job


def _enqueue(job: ErasureJob):
    """Queue the approved erasure's run (sent once the approval commits)."""
    run = core_jobs.enqueue(
        kind=KIND,
        label=(_("Erasure #%(pk)s") % {"pk": job.pk}),
        acting_user=job.approved_by,
        params={"erasure": job.pk},
        dedupe_key=f"erasure:{job.pk}",
    )
    ErasureJob.objects.filter(pk=job.pk).update(job=run)
    job.job = run
    return run


# A hook for tests: called with the step name after each step commits.
after_step: Callable[[str], None] | None = None


def erasure_execute(
    *, job_id: int, ctx: core_jobs.JobContext, now: datetime | None = None
) -> dict:
    """Run the job's remaining steps, one transaction each. Idempotent.

    Only core.jobs calls this (the erasure kind's run, with `ctx`, the
    run's JobContext): each step reports progress (renewing the lease) and
    commits fenced by the lease, so a worker that lost the job commits
    nothing. The step is re-read under the lock, done, and committed with
    its counts. Returns what this call did.
    """
    did = []
    total = ErasureStep.objects.filter(job_id=job_id).count()
    while True:
        pending = (
            ErasureStep.objects.filter(job_id=job_id, done_at__isnull=True)
            .order_by("position")
            .values_list("name", flat=True)
            .first()
        )
        ctx.progress(
            total - _pending_count(job_id),
            total,
            (
                f"Erasing: {receipts.step_title(pending)}"
                if pending
                else "Erasure finished"
            ),
            force=True,
        )
        with ctx.fenced():
            job = ErasureJob.objects.select_for_update().get(pk=job_id)
            if job.is_finished or job.status == ErasureJob.Status.REQUESTED:
                return {"job": job_id, "status": job.status, "steps": did}
            step = job.steps.filter(done_at__isnull=True).order_by("position").first()
            if step is None:
                return {"job": job_id, "status": job.status, "steps": did}
            step.counts = _run_step(job, step.name, now=now)
            step.done_at = timezone.now()
            step.save()
            did.append(step.name)
        if after_step is not None:
            after_step(step.name)


def _pending_count(job_id: int) -> int:
    return ErasureStep.objects.filter(job_id=job_id, done_at__isnull=True).count()


def _context(job: ErasureJob) -> Context:
    held = (
        holds_module.held_categories(holds_module._coerce(h) for h in job.holds)
        if job.partial
        else set()
    )
    ids = with_merged([job.client_id])
    return Context(client_ids=ids, held=held, identifiers=identifiers_of(ids))


def _run_step(job: ErasureJob, name: str, *, now=None) -> dict:
    if name == "holds":
        holds = erasure_holds(client=job.client)
        if holds and not job.allow_partial:
            _move(job, ErasureJob.Status.REFUSED)
            job.outcome = (
                "Refused: legal holds apply (" + "; ".join(str(h) for h in holds) + ")."
            )
            job.holds = [h.as_receipt() for h in holds]
            job.finished_at = timezone.now()
            job.save()
            return {"refused": len(holds)}
        job.holds = [h.as_receipt() for h in holds]
        job.partial = bool(holds)
        job.save(update_fields=["holds", "partial"])
        return {"holds": len(holds)}
    if name == "finish":
        return _finish(job, now=now)
    ctx = _context(job)
    step = dict(steps_for(ctx))[name]
    return step(ctx)


def _finish(job: ErasureJob, *, now=None) -> dict:
    steps = {s.name: s.counts for s in job.steps.exclude(name="finish")}
    touched = sum(
        v
        for counts in steps.values()
        for k, v in counts.items()
        if isinstance(v, int)
        and not isinstance(v, bool)
        and k not in ("holds", "already_listed")
    )
    job.receipt = {
        "client": job.client_id,
        "request": job.request_id,
        "requested_by": job.requested_by_id,
        "approved_by": job.approved_by_id,
        "requested_at": job.requested_at.isoformat(),
        "approved_at": job.approved_at.isoformat() if job.approved_at else None,
        "partial": job.partial,
        "holds": job.holds,
        # Kept under their obligation, not holds: the erasure went ahead.
        "retained": [
            r.as_receipt()
            for r in holds_module.retained_for(
                with_merged([job.client_id]), today=_now(now).date()
            )
        ],
        "steps": steps,
    }
    _move(job, ErasureJob.Status.DONE)
    job.finished_at = _now(now)
    if touched == 0:
        job.outcome = "Nothing to do: the client's data was already erased."
    elif job.partial:
        job.outcome = "Partly erased: data under legal hold kept (see holds)."
    else:
        job.outcome = "Erased; the client row remains as an anonymised tombstone."
    job.save()
    replay_log_append(
        kind="request",
        reference=f"erasure#{job.pk}",
        client_ids=with_merged([job.client_id]),
        held=sorted(_context_held(job)),
        at=job.finished_at,
        key=f"erasure#{job.pk}",
        # One line per erasure even if an earlier attempt (or a run started
        # again from the Jobs page) wrote it and died before its commit.
        retried=True,
    )
    # Art. 19: every recipient of the erased records is told at once; the
    # cause (the erasure) keeps a retried finish from queuing twice.
    notices.notices_queue(
        acting_user=None,
        client_ids=with_merged([job.client_id]),
        kind=notices.Kind.ERASURE,
        reference=f"erasure#{job.pk}",
        now=now,
    )
    return {"rows_touched": touched}


def _context_held(job: ErasureJob) -> set[str]:
    if not job.partial:
        return set()
    return holds_module.held_categories(holds_module._coerce(h) for h in job.holds)


# --- Reads for the confirmation page ----------------------------------------------


@dataclass(frozen=True)
class PreviewLine:
    model: str
    action: str  # "deleted", "blanked", "kept"
    fields: list[str]
    why: str = ""
    # The client's rows of this model (merged records included): what the
    # step will touch for this client, shown to the approver.
    rows: int = 0


def _client_rows(plan, ids: list[int]) -> int:
    lookup = f"{plan.path}__in" if plan.path else "pk__in"
    return plan.model._default_manager.filter(**{lookup: ids}).count()


def erasure_preview(*, job: ErasureJob) -> list[PreviewLine]:
    """What the job will erase and what it keeps, and why (no values),
    with the number of the client's rows each line concerns."""
    held = _context_held(job) if job.allow_partial else set()
    if job.allow_partial and not held:
        held = holds_module.held_categories(erasure_holds(client=job.client))
    ids = with_merged([job.client_id])
    lines = []
    for plan in erasure_plan():
        lines.extend(_preview_lines(plan, held, _client_rows(plan, ids)))
    return lines


def _preview_lines(plan, held: set[str], rows: int) -> list[PreviewLine]:
    lines = []
    name = plan.model._meta.verbose_name
    if held & plan.personal_categories() and not plan.keep_rows:
        return [PreviewLine(name, "kept", [], _("under a legal hold"), rows)]
    if not plan.keep_rows:
        return [PreviewLine(name, "deleted", [], _("rows and their history"), rows)]
    touched = [n for n in plan.touched if plan.categories[n] not in held]
    if touched:
        labels = receipts.field_labels(plan.model, sorted(touched))
        lines.append(PreviewLine(name, "blanked", labels, "", rows))
    by_reason: dict[str, list[str]] = {}
    for field_name, obligation in plan.kept.items():
        by_reason.setdefault(obligation, []).append(field_name)
    for field_name in plan.touched:
        if plan.categories[field_name] in held:
            by_reason.setdefault("under a legal hold", []).append(field_name)
    for why, names in by_reason.items():
        labels = receipts.field_labels(plan.model, sorted(names))
        lines.append(PreviewLine(name, "kept", labels, why, rows))
    return lines
