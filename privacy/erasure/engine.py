"""The engine: erasing the client models, as ordered steps.

Every step is set-based, by chunks of ids, and never goes through
Model.delete() or signals (see privacy.erasure). `erase_clients` runs
every step at once (retention, replay); a job runs them one by one
(privacy.erasure.jobs).
"""

import logging
from collections.abc import Callable, Iterable

from django.core.exceptions import ImproperlyConfigured
from django.db import models, transaction
from django.db.models import Case, CharField, GenericIPAddressField, Value, When
from django.db.models.fields import NOT_PROVIDED
from django.db.models.functions import Cast, Concat

from clienteling.models import Client
from consents import ledger
from core.classification import Erasure
from core.id_arrays import index_scans
from privacy.erasure.plan import (
    TOMBSTONE_PREFIX,
    Context,
    ModelPlan,
    _history_of,
    _rows_of,
    chunk_key,
    chunks,
    erasure_plan,
    presence,
    with_merged,
)
from privacy.erasure.residue import (
    step_admin_log,
    step_residue,
    step_storage,
    step_suppression,
)

logger = logging.getLogger(__name__)

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
GUARDED = {
    "consents.ConsentDecision",
    "consents.PaperFormSubmission",
    "consents.ConsentConversation",
}


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
        "privacy.erasure.engine.SPECIAL_VALUES."
    )


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
        has_rows = ctx.holds(ids, plan.label)
        has_history = ctx.holds(ids, f"{plan.label}#history")
        if not has_rows and not has_history:
            continue  # presence() found nothing: no statement at all
        guarded = plan.label in GUARDED
        with (
            ledger.erasure_mode(client_ids=ids) if guarded else _nothing(),
            index_scans(),
        ):
            history = _history_of(plan, ids) if has_history else None
            if history is not None:
                counts["history_purged"] += history._raw_delete(history.db)
            rows = _rows_of(plan, ids)
            if not has_rows:
                continue
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


def erase_clients(
    *,
    client_ids: Iterable[int],
    held: set[str] | None = None,
    merged_included: bool = False,
) -> dict:
    """Erase these clients now, all steps, in the caller's transaction.

    Used by retention batches and by replay_erasures; a job runs the same
    steps one by one (erasure_execute). No hold is checked here: callers
    do that first. `merged_included`: the caller has already added the
    records merged into them (`with_merged`, in the same transaction).
    """
    ids = list(client_ids) if merged_included else with_merged(client_ids)
    ctx = Context(client_ids=ids, held=set(held or ()))
    counts = {}
    with transaction.atomic():
        # Which models hold anything, one query per chunk, in the same
        # transaction as the steps that then skip the others.
        plans = erasure_plan()
        for ids in chunks(ctx.client_ids):
            ctx.present[chunk_key(ids)] = presence(plans, ids)
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
