"""Erasure: removes a client's data everywhere it lives. Dangerous on purpose.

Everything here is set-based, by chunks of ids, and never goes through
Model.delete() or signals: a django-simple-history delete would first
write a fresh history row holding the very data being erased, and a
per-object delete of 10,000 clients takes minutes. The `historical*`
tables, django_admin_log, uploaded scans, Celery task results and import
temp files are handled explicitly, because Django's cascade knows none of
them.

What happens to each field is the data map's decision (core.data_map):
ERASE blanks it (or deletes the row), ANONYMISE replaces it with a value
that identifies no one, KEEP leaves it under its named obligation. A row is
kept when it holds a KEEP field about the client (the consent ledger's
proof of lawfulness); the client row itself always stays, as a tombstone
whose client number starts with TOMBSTONE_PREFIX, so ledger and order links
hold.

A job (privacy.models.ErasureJob) runs as ordered steps, each committed with
its counts under a lock on the job row: a killed worker resumes at the
first step not done, a duplicate delivery finds the lock taken or the step
done, and nothing is counted twice.
"""

import json
import logging
import os
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path

from django.conf import settings
from django.contrib.admin.models import LogEntry
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ImproperlyConfigured, ValidationError
from django.db import connection, models, transaction
from django.db.models import (
    Case,
    CharField,
    F,
    GenericIPAddressField,
    Lookup,
    Q,
    Value,
    When,
)
from django.db.models.fields import NOT_PROVIDED
from django.db.models.functions import Cast, Concat
from django.utils import timezone

from clienteling import querysets
from clienteling.models import Client, ClientEmail, ClientPhone
from consents import ledger, suppression
from consents.models import SuppressionEntry
from core import data_map
from core.classification import Category, Erasure
from core.writes import now_or as _now
from privacy import holds as holds_module
from privacy import receipts, stored_files
from privacy.models import ErasureJob, ErasureStep

logger = logging.getLogger(__name__)

# Defined by clienteling, whose lists leave tombstones out.
TOMBSTONE_PREFIX = querysets.TOMBSTONE_PREFIX
# Ids per statement (one array parameter on PostgreSQL, see InIds): 1,000
# keys plan as an index scan on every table and keep each statement well
# under a second at 1M clients, and a chunk's transaction short.
CHUNK = 1000
# A running job whose heartbeat is older than this is presumed dead (a
# step takes seconds; ten minutes leaves room for a slow disk).
STALE_AFTER = timedelta(minutes=10)

ERASED_TEXT = "[erased]"

# Values the type alone cannot give: a unique or constrained column.
SPECIAL_VALUES: dict[tuple[str, str], Callable[[], models.Expression]] = {
    ("clienteling.Client", "client_number"): lambda: Concat(
        Value(TOMBSTONE_PREFIX), Cast("pk", CharField())
    ),
    ("clienteling.Client", "first_name"): lambda: Value("Erased"),
    ("clienteling.Client", "last_name"): lambda: Value("client"),
    # consent_web_keeps_ip: a website decision keeps an address; the
    # unspecified address identifies no one.
    ("consents.ConsentDecision", "ip_address"): lambda: Case(
        When(
            channel="website",
            then=Value("0.0.0.0", output_field=GenericIPAddressField()),  # noqa: S104
        ),
        default=Value(None),
        output_field=GenericIPAddressField(),
    ),
    ("consents.PaperFormSubmission", "scan_name"): lambda: Concat(
        Value("erased-"), Cast("pk", CharField())
    ),
}

# Models whose evidence rows the consents trigger guards: changed only
# inside erasure_mode() for the chunk's clients (core.evidence).
GUARDED = {"consents.ConsentDecision", "consents.PaperFormSubmission"}

# Categories whose KEEP fields mean the row itself is evidence to keep.
_NOT_ABOUT_THE_CLIENT = {Category.NOT_PERSONAL, Category.STAFF_NOTES}


# --- The plan, computed from the data map ------------------------------------


@dataclass
class ModelPlan:
    model: type[models.Model]
    path: str
    keep_rows: bool
    touched: dict[str, Erasure]  # field -> ERASE / ANONYMISE
    kept: dict[str, str]  # field -> obligation (personal fields only)
    categories: dict[str, str] = field(default_factory=dict)

    @property
    def label(self) -> str:
        return self.model._meta.label

    @property
    def history_model(self) -> type[models.Model] | None:
        manager = getattr(self.model._meta, "simple_history_manager_attribute", None)
        return getattr(self.model, manager).model if manager else None

    def personal_categories(self) -> set[str]:
        return set(self.categories.values()) - {Category.NOT_PERSONAL.value}


def _plan_for(model, entry) -> ModelPlan:
    touched, kept, categories = {}, {}, {}
    keep_rows = entry.client_path == ""
    for name, f in entry.fields.items():
        categories[name] = f.category.value
        if f.erasure is Erasure.KEEP:
            if f.category not in _NOT_ABOUT_THE_CLIENT:
                kept[name] = f.obligation
                keep_rows = True
        else:
            touched[name] = f.erasure
    return ModelPlan(model, entry.client_path, keep_rows, touched, kept, categories)


def erasure_plan() -> list[ModelPlan]:
    """Every client model, children first and the client row last."""
    plans = [
        _plan_for(model, entry)
        for model, entry in data_map.client_models()
        if not model._meta.label.startswith("privacy.")
    ]
    return sorted(plans, key=lambda p: (p.model is Client, p.label))


def _erased_value(plan: ModelPlan, name: str) -> models.Expression:
    special = SPECIAL_VALUES.get((plan.label, name))
    if special:
        return special()
    f = plan.model._meta.get_field(name)
    if f.null:
        return Value(None)
    if f.default is not NOT_PROVIDED:
        default = f.default() if callable(f.default) else f.default
        return Value(default, output_field=f)
    if isinstance(f, CharField | models.TextField):
        return Value("")
    if isinstance(f, models.BooleanField):
        return Value(False)
    if isinstance(f, models.PositiveIntegerField | models.IntegerField):
        return Value(0)
    raise ImproperlyConfigured(
        f"No erased value for {plan.label}.{name}: add it to "
        "privacy.erasure.SPECIAL_VALUES."
    )


def chunks(ids: Iterable[int], size: int | None = None) -> Iterator[list[int]]:
    ids, size = list(ids), size or CHUNK
    for start in range(0, len(ids), size):
        yield ids[start : start + size]


class InIds(Lookup):
    """`column = ANY(array)` on PostgreSQL, an IN list elsewhere.

    An IN list of 1,000 literals costs more to build (Django, psycopg)
    and to parse and plan (PostgreSQL) than deleting the rows it names:
    one array parameter keeps a statement over an empty table under a
    millisecond, which is what makes erasing 70 models by chunks cheap.
    """

    lookup_name = "in_ids"
    prepare_rhs = False

    def get_prep_lookup(self):
        return [int(i) for i in self.rhs]

    def as_sql(self, compiler, connection):
        lhs, params = self.process_lhs(compiler, connection)
        if connection.vendor == "postgresql":
            # The array as its text literal: psycopg's list adapter costs
            # more in Python than the statement does in PostgreSQL.
            literal = "{" + ",".join(map(str, self.rhs)) + "}"
            return f"{lhs} = ANY(%s::bigint[])", (*params, literal)
        if not self.rhs:
            return "1 = 0", tuple(params)
        marks = ", ".join(["%s"] * len(self.rhs))
        return f"{lhs} IN ({marks})", (*params, *self.rhs)


def _in_ids(path: str, ids: list[int]) -> InIds:
    return InIds(F(path or "pk"), ids)


def _rows_of(plan: ModelPlan, ids: list[int]) -> models.QuerySet:
    """The model's rows about these clients, by every link to Client."""
    query = Q(_in_ids(plan.path, ids))
    if plan.model is not Client:
        for f in plan.model._meta.fields:
            if (
                isinstance(f, models.ForeignKey)
                and f.related_model is Client
                and f.name != plan.path
            ):
                query |= Q(_in_ids(f.attname, ids))
    return plan.model._base_manager.filter(query)


def _history_of(plan: ModelPlan, ids: list[int]) -> models.QuerySet | None:
    history = plan.history_model
    if history is None:
        return None
    query = Q(_in_ids(plan.path or "id", ids))
    for f in history._meta.fields:
        if (
            isinstance(f, models.ForeignKey)
            and f.related_model is Client
            and f.name not in (plan.path, "history_user")
        ):
            query |= Q(_in_ids(f.attname, ids))
    return history._base_manager.filter(query)


# --- Steps ---------------------------------------------------------------------


@dataclass
class Context:
    """What every step knows. `held` is the categories a hold keeps."""

    client_ids: list[int]
    held: set[str] = field(default_factory=set)
    # Strings to look for in task results and temp files (single client
    # jobs only; never stored).
    identifiers: list[str] = field(default_factory=list)


def with_merged(ids: Iterable[int]) -> list[int]:
    """The clients and every record merged into them (the same person)."""
    found = set(ids)
    frontier = set(found)
    while frontier:
        frontier = (
            set(
                Client.objects.filter(
                    _in_ids("merged_into", list(frontier))
                ).values_list("pk", flat=True)
            )
            - found
        )
        found |= frontier
    return sorted(found)


def identifiers_of(client_ids: list[int]) -> list[str]:
    """Values that would betray the client in free text, 4 characters up."""
    found: set[str] = set()
    for row in Client.objects.filter(pk__in=client_ids).values(
        "client_number", "first_name", "last_name"
    ):
        found.add(row["client_number"])
        found.add(f"{row['first_name']} {row['last_name']}")
        found.add(row["last_name"])
    found.update(
        ClientEmail.objects.filter(client_id__in=client_ids).values_list(
            "address", flat=True
        )
    )
    found.update(
        str(n)
        for n in ClientPhone.objects.filter(client_id__in=client_ids).values_list(
            "number", flat=True
        )
    )
    for plan in erasure_plan():
        for name, f in data_map.datamap()[plan.model].fields.items():
            if f.identifies and name not in ("first_name", "last_name"):
                model_field = plan.model._meta.get_field(name)
                if isinstance(model_field, CharField | models.TextField):
                    found.update(
                        str(v)
                        for v in _rows_of(plan, client_ids).values_list(name, flat=True)
                    )
    return sorted(
        v
        for v in found
        if v and len(v.strip()) >= 4 and not v.startswith(TOMBSTONE_PREFIX)
    )


def step_suppression(ctx: Context) -> dict:
    """Keyed hashes of every email and phone, so no re-import markets again."""
    added = listed = 0
    for ids in chunks(ctx.client_ids):
        entries = set()
        for address in ClientEmail.objects.filter(_in_ids("client", ids)).values_list(
            "address", flat=True
        ):
            digest = suppression.email_digest(address)
            if digest:
                entries.add((SuppressionEntry.Kind.EMAIL.value, digest))
        # The stored text, not a PhoneNumber parsed back from it.
        numbers = (
            ClientPhone.objects.filter(_in_ids("client", ids))
            .annotate(_text=Cast("number", models.TextField()))
            .values_list("_text", flat=True)
        )
        for number in numbers:
            digest = suppression.phone_digest(str(number))
            if digest:
                entries.add((SuppressionEntry.Kind.PHONE.value, digest))
        new = _add_suppressed(sorted(entries))
        added += new
        listed += len(entries) - new
    if not added and not listed:
        return {"added": 0}
    return {"added": added, "already_listed": listed}


def _add_suppressed(entries: list[tuple[str, str]]) -> int:
    """Insert the (kind, digest) pairs not yet listed; how many were new.

    One statement per chunk, the list's unique constraint deciding what is
    new: no read-then-write race, and no model instance per entry.
    """
    if not entries:
        return 0
    table = connection.ops.quote_name(SuppressionEntry._meta.db_table)
    now = timezone.now()
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            kinds, digests = zip(*entries, strict=True)
            cursor.execute(
                f"INSERT INTO {table} (kind, digest, added_at, reason) "  # noqa: S608
                "SELECT k, d, %s, 'erasure' FROM unnest(%s::varchar[], "
                "%s::varchar[]) AS t(k, d) ON CONFLICT (kind, digest) DO NOTHING",
                [now, list(kinds), list(digests)],
            )
        else:
            cursor.executemany(
                f"INSERT INTO {table} (kind, digest, added_at, reason) "  # noqa: S608
                "VALUES (%s, %s, %s, 'erasure') ON CONFLICT (kind, digest) DO NOTHING",
                [(k, d, now) for k, d in entries],
            )
        return cursor.rowcount


def _task_results_mentioning(identifiers: list[str]) -> int:
    from django_celery_results.models import TaskResult

    if not identifiers:
        return 0
    query = Q()
    for value in identifiers:
        for column in ("result", "task_args", "task_kwargs", "meta", "traceback"):
            query |= Q(**{f"{column}__icontains": value})
    count, _ = TaskResult.objects.filter(query).delete()
    return count


# Cache keys that hold a client's data, as templates of "{client_id}".
# Nothing caches client pages today; an app that starts to registers here.
CLIENT_CACHE_KEYS: list[str] = []


def _cache_keys(client_ids: list[int]) -> int:
    from django.core.cache import caches

    keys = [t.format(client_id=i) for t in CLIENT_CACHE_KEYS for i in client_ids]
    if keys:
        for alias in settings.CACHES:
            caches[alias].delete_many(keys)
    return len(keys)


def step_residue(ctx: Context) -> dict:
    """Task results and cached pages naming the client."""
    return {
        "task_results_deleted": _task_results_mentioning(ctx.identifiers),
        "cache_keys_cleared": _cache_keys(ctx.client_ids),
    }


def step_storage(ctx: Context) -> dict:
    """Every registered file location (privacy.stored_files): scans,
    reports, outreach lists, sharing batches, import files.

    Identifiers are computed for a chunk only when a location needs them
    (import files hold no client id); a job has them already.
    """
    counts: dict[str, int] = {}
    for ids in chunks(ctx.client_ids):

        def identifiers(ids=ids) -> list[str]:
            return ctx.identifiers or identifiers_of(ids)

        done = stored_files.files_erase(
            client_ids=ids, identifiers=identifiers, held=ctx.held
        )
        for code, count in done.items():
            counts[code] = counts.get(code, 0) + count
    return {f"{code}_files": count for code, count in sorted(counts.items()) if count}


def step_admin_log(ctx: Context) -> dict:
    """django_admin_log rows about the client's objects: repr and message.

    One UPDATE per chunk; the object ids (text in django_admin_log) come
    from subqueries over the base and history tables, never through Python.
    """
    scrubbed = 0
    plans = {
        ContentType.objects.get_for_model(p.model, for_concrete_model=False): p
        for p in erasure_plan()
    }
    # Only the models the admin log mentions at all (most never appear).
    logged = set(
        LogEntry.objects.filter(content_type__in=list(plans))
        .order_by()
        .values_list("content_type", flat=True)
        .distinct()
    )
    plans = {ct: p for ct, p in plans.items() if ct.pk in logged}
    for ids in chunks(ctx.client_ids) if plans else ():
        about = Q()
        for ct, plan in plans.items():
            keys = _rows_of(plan, ids).annotate(_key=Cast("pk", CharField()))
            about |= Q(content_type=ct, object_id__in=keys.values("_key"))
            history = _history_of(plan, ids)
            if history is not None:
                old = history.annotate(_key=Cast("id", CharField()))
                about |= Q(content_type=ct, object_id__in=old.values("_key"))
        scrubbed += (
            LogEntry.objects.filter(about)
            .exclude(object_repr=ERASED_TEXT, change_message="")
            .update(object_repr=ERASED_TEXT, change_message="")
        )
    return {"scrubbed": scrubbed}


def erase_model(plan: ModelPlan, ctx: Context) -> dict:
    """History purged, then the rows deleted or their fields blanked."""
    if ctx.held & plan.personal_categories() and not plan.keep_rows:
        return {"skipped_held": True}
    counts = {"history_purged": 0, "deleted": 0, "updated": 0}
    touched = {
        name: how
        for name, how in plan.touched.items()
        if plan.categories[name] not in ctx.held
    }
    values = (
        {name: _erased_value(plan, name) for name in touched} if plan.keep_rows else {}
    )
    for ids in chunks(ctx.client_ids):
        guarded = plan.label in GUARDED
        with ledger.erasure_mode(client_ids=ids) if guarded else _nothing():
            history = _history_of(plan, ids)
            if history is not None:
                counts["history_purged"] += history._raw_delete(history.db)
            rows = _rows_of(plan, ids)
            if not plan.keep_rows:
                counts["deleted"] += rows._raw_delete(rows.db)
            elif values:
                counts["updated"] += _update_unless_done(plan, rows, values)
    if plan.keep_rows:
        counts["fields_erased"] = sorted(
            n for n, how in touched.items() if how is Erasure.ERASE
        )
        counts["fields_anonymised"] = sorted(
            n for n, how in touched.items() if how is Erasure.ANONYMISE
        )
        counts["fields_kept"] = {
            n: o for n, o in plan.kept.items() if plan.categories[n] not in ctx.held
        }
        held = sorted(n for n in plan.touched if n not in touched)
        if held:
            counts["fields_held"] = held
    return {k: v for k, v in counts.items() if v not in (0, [], {})} or {
        "nothing_to_do": True
    }


def _update_unless_done(plan, rows, values) -> int:
    """UPDATE the rows; the client row only while not yet a tombstone.

    A job never runs a step twice (the step row is committed with the
    work), so the counts of a job are exact; a replay over tombstones
    finds no client row to change.
    """
    if plan.model is Client and "client_number" in values:
        rows = rows.exclude(client_number__startswith=TOMBSTONE_PREFIX)
    return rows.update(**values)


class _nothing:
    def __enter__(self):
        return None

    def __exit__(self, *exc):
        return False


def erase_clients(*, client_ids: Iterable[int], held: set[str] | None = None) -> dict:
    """Erase these clients now, all steps, in the caller's transaction.

    Used by retention batches and by replay_erasures; a job runs the same
    steps one by one (erasure_execute). No hold is checked here: callers
    do that first.
    """
    ctx = Context(client_ids=with_merged(client_ids), held=set(held or ()))
    counts = {}
    with transaction.atomic():
        for name, step in steps_for(ctx):
            counts[name] = step(ctx)
    return counts


def steps_for(ctx: Context) -> list[tuple[str, Callable[[Context], dict]]]:
    steps = [
        ("suppression", step_suppression),
        ("residue", step_residue),
        ("storage", step_storage),
        ("django_admin_log", step_admin_log),
    ]
    for plan in erasure_plan():
        steps.append((plan.label, lambda c, plan=plan: erase_model(plan, c)))
    return steps


# --- Jobs --------------------------------------------------------------------------


def _move(job: ErasureJob, status: str) -> None:
    allowed = ErasureJob.TRANSITIONS[ErasureJob.Status(job.status)]
    if status not in allowed:
        raise ValidationError(
            f"Erasure #{job.pk} is {job.get_status_display().lower()}: it cannot "
            f"become {ErasureJob.Status(status).label.lower()}."
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

    Either the one open (awaiting approval, approved or running), or the
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
            f"Nothing to do: client {client.pk} was erased by erasure "
            f"#{blocking.pk} on {blocking.finished_at:%d/%m/%Y}.",
            code="already_erased",
        )
    if blocking is None and erased_without_a_job(client=client):
        raise ValidationError(
            f"Nothing to do: client {client.pk} was erased by the retention "
            "rules (no personal data is left on the record).",
            code="already_erased",
        )
    if blocking is not None:
        raise ValidationError(
            f"Erasure #{blocking.pk} of this client is already "
            f"{blocking.get_status_display().lower()}.",
            code="already_open",
        )
    holds = erasure_holds(client=client)
    if holds and not allow_partial:
        raise ValidationError(
            [
                ValidationError(message, code="legal_hold")
                for message in [
                    "Erasure refused: legal holds apply.",
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
    request_reference: str = "",
    allow_partial: bool = False,
    now: datetime | None = None,
) -> ErasureJob:
    """Open an erasure of one client, awaiting compliance's approval.

    Refused, with nothing written, when the client is already erased or an
    erasure of theirs is already open, or when a legal hold applies and
    the request does not allow a partial erasure.
    """
    holds = erasure_request_check(client=client, allow_partial=allow_partial)
    job = ErasureJob(
        client=client,
        request_reference=request_reference.strip(),
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
    """Compliance approves: holds re-checked, steps written, job queued."""
    job = ErasureJob.objects.select_for_update().get(pk=job.pk)
    holds = erasure_holds(client=job.client)
    if holds and not job.allow_partial:
        raise ValidationError(
            ["Erasure refused: legal holds apply."] + [str(h) for h in holds]
        )
    _move(job, ErasureJob.Status.APPROVED)
    job.approved_by = acting_user
    job.approved_at = _now(now)
    job.heartbeat_at = job.approved_at
    job.holds = [h.as_receipt() for h in holds]
    job.partial = bool(holds)
    job.full_clean()
    job.save()
    ctx = Context(client_ids=[job.client_id])
    names = ["holds", *(name for name, _ in steps_for(ctx)), "finish"]
    ErasureStep.objects.bulk_create(
        [ErasureStep(job=job, position=i, name=n) for i, n in enumerate(names)]
    )
    _enqueue(job.pk)
    return job


def erasure_cancel(*, acting_user, job: ErasureJob) -> ErasureJob:
    with transaction.atomic():
        job = ErasureJob.objects.select_for_update().get(pk=job.pk)
        _move(job, ErasureJob.Status.CANCELLED)
        job.outcome = "Cancelled before approval."
        job.save()
    return job


def _enqueue(job_id: int) -> None:
    from privacy.tasks_erasure import erasure_run

    transaction.on_commit(lambda: erasure_run.delay(job_id))


# A hook for tests: called with the step name after each step commits.
after_step: Callable[[str], None] | None = None


def erasure_execute(*, job_id: int, now: datetime | None = None) -> dict:
    """Run the job's remaining steps, one transaction each. Idempotent.

    Each step locks the job row (SKIP LOCKED: a concurrent delivery of the
    same job steps aside instead of waiting), re-reads the step, does it,
    and commits its counts with it. Returns what this call did.
    """
    did = []
    while True:
        with transaction.atomic():
            job = (
                ErasureJob.objects.select_for_update(skip_locked=True)
                .filter(pk=job_id)
                .first()
            )
            if job is None:
                return {"job": job_id, "busy": True, "steps": did}
            if job.is_finished or job.status == ErasureJob.Status.REQUESTED:
                return {"job": job_id, "status": job.status, "steps": did}
            step = job.steps.filter(done_at__isnull=True).order_by("position").first()
            at = timezone.now()
            if job.status == ErasureJob.Status.APPROVED:
                _move(job, ErasureJob.Status.RUNNING)
                job.started_at = at
                job.attempts += 1
            job.heartbeat_at = at
            job.save(update_fields=["status", "started_at", "attempts", "heartbeat_at"])
            if step is None:
                return {"job": job_id, "status": job.status, "steps": did}
            step.counts = _run_step(job, step.name, now=now)
            step.done_at = timezone.now()
            step.save()
            did.append(step.name)
        if after_step is not None:
            after_step(step.name)


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
        "request_reference": job.request_reference,
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
    )
    return {"rows_touched": touched}


def _context_held(job: ErasureJob) -> set[str]:
    if not job.partial:
        return set()
    return holds_module.held_categories(holds_module._coerce(h) for h in job.holds)


def erasure_sweep(*, now: datetime | None = None) -> list[int]:
    """Re-enqueue approved or running jobs whose heartbeat went quiet."""
    cutoff = _now(now) - STALE_AFTER
    ids = list(
        ErasureJob.objects.filter(status__in=ErasureJob.UNFINISHED)
        .filter(Q(heartbeat_at__lt=cutoff) | Q(heartbeat_at__isnull=True))
        .values_list("pk", flat=True)
    )
    for job_id in ids:
        _enqueue(job_id)
    return ids


# --- The replay log ------------------------------------------------------------


def replay_log_path() -> Path:
    return Path(settings.ERASURE_REPLAY_LOG)


def replay_log_folder() -> Path:
    return replay_log_path().parent


def replay_log_append(
    *, kind: str, reference: str, client_ids: list[int], held: list[str], at
) -> None:
    """One JSON line per erasure: ids and scope, never personal data.

    Kept outside the database on purpose: a restored backup predates the
    erasures made since, and this file is what re-applies them.
    """
    path = replay_log_path()
    path.parent.mkdir(parents=True, exist_ok=True)
    line = json.dumps(
        {
            "kind": kind,
            "reference": reference,
            "client_ids": client_ids,
            "held": held,
            "at": at.isoformat(),
        },
        sort_keys=True,
    )
    with path.open("a", encoding="utf-8") as handle:
        handle.write(line + "\n")
        handle.flush()
        os.fsync(handle.fileno())


def replay_erasures(*, dry_run: bool = False) -> dict:
    """Re-apply every logged erasure to clients not yet tombstoned."""
    path = replay_log_path()
    result = {"entries": 0, "clients_reerased": 0, "clients_already_erased": 0}
    if not path.exists():
        return result
    with path.open(encoding="utf-8") as handle:
        for line in handle:
            if not line.strip():
                continue
            entry = json.loads(line)
            result["entries"] += 1
            ids = entry["client_ids"]
            held = set(entry.get("held") or ())
            for part in chunks(ids):
                live = Client.objects.filter(pk__in=part)
                if not held:
                    live = live.exclude(client_number__startswith=TOMBSTONE_PREFIX)
                todo = list(live.values_list("pk", flat=True))
                result["clients_already_erased"] += len(part) - len(todo)
                result["clients_reerased"] += len(todo)
                if todo and not dry_run:
                    erase_clients(client_ids=todo, held=held)
    return result


# --- Reads for the confirmation page ----------------------------------------------


@dataclass(frozen=True)
class PreviewLine:
    model: str
    action: str  # "deleted", "blanked", "kept"
    fields: list[str]
    why: str = ""


def erasure_preview(*, job: ErasureJob) -> list[PreviewLine]:
    """What the job will erase and what it keeps, and why (no values)."""
    held = _context_held(job) if job.allow_partial else set()
    if job.allow_partial and not held:
        held = holds_module.held_categories(erasure_holds(client=job.client))
    lines = []
    for plan in erasure_plan():
        name = plan.model._meta.verbose_name
        if held & plan.personal_categories() and not plan.keep_rows:
            lines.append(PreviewLine(name, "kept", [], "under a legal hold"))
            continue
        if not plan.keep_rows:
            lines.append(PreviewLine(name, "deleted", [], "rows and their history"))
            continue
        touched = [n for n in plan.touched if plan.categories[n] not in held]
        if touched:
            labels = receipts.field_labels(plan.model, sorted(touched))
            lines.append(PreviewLine(name, "blanked", labels))
        by_reason: dict[str, list[str]] = {}
        for field_name, obligation in plan.kept.items():
            by_reason.setdefault(obligation, []).append(field_name)
        for field_name in plan.touched:
            if plan.categories[field_name] in held:
                by_reason.setdefault("under a legal hold", []).append(field_name)
        for why, names in by_reason.items():
            labels = receipts.field_labels(plan.model, sorted(names))
            lines.append(PreviewLine(name, "kept", labels, why))
    return lines
