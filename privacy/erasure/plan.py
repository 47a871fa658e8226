"""The erasure plan: what erasure does to each client model.

Computed from the data map (core.data_map): which fields are blanked,
anonymised or kept, and whether the rows stay. Also which rows are the
client's, found set-based by chunks of ids (InIds), and whom a run
covers: the records merged into the client, and the identifiers residue
looks for.
"""

from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field

from django.db import connection, models
from django.db.models import CharField, Q

from clienteling import querysets
from clienteling.models import Client, ClientEmail, ClientPhone
from core import data_map
from core.classification import Category, Erasure
from core.id_arrays import SHARED_ARRAY, InIds, ids_literal, in_ids

# Defined by clienteling, whose lists leave tombstones out.
TOMBSTONE_PREFIX = querysets.TOMBSTONE_PREFIX
# Ids per statement (one array parameter on PostgreSQL, see InIds): 10,000
# keys still plan as an index scan on every table at 1M clients, and
# every chunk pays a fixed cost (presence(), the suppression query, the
# file locations, the admin log): fewer, larger statements (decisions
# 0043, 0089).
CHUNK = 10_000

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


# --- The client's rows, by chunks of ids -------------------------------------


def chunks(ids: Iterable[int], size: int | None = None) -> Iterator[list[int]]:
    ids, size = list(ids), size or CHUNK
    for start in range(0, len(ids), size):
        yield ids[start : start + size]


def _in_ids(path: str, ids: list[int]) -> InIds:
    return in_ids(path, ids)


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


def presence(plans: list[ModelPlan], ids: list[int]) -> set[str]:
    """Which of these plans hold anything about these clients: one query.

    The labels of the plans with rows (`label`) and with history rows
    (`label#history`), from one statement of EXISTS subqueries sharing one
    array of ids (PostgreSQL). A model with neither costs its erasure no
    statement at all: most client models hold nothing for most clients.
    Elsewhere (SQLite), every plan counts as present.
    """
    if not ids:
        return set()
    # The client row is always there (it stays, as a tombstone), and its
    # history almost always: not worth a look, and the OR over the history's
    # links to Client plans badly against a shared array.
    always = [p for p in plans if p.model is Client]
    plans = [p for p in plans if p.model is not Client]
    keys = keys_in_order(plans)
    if connection.vendor != "postgresql":
        return set(keys) | set(keys_in_order(always))
    sql, params = _presence_sql(plans)
    with connection.cursor() as cursor:
        cursor.execute(sql, [*params, ids_literal(ids)])
        found = cursor.fetchone()
    return {key for key, there in zip(keys, found, strict=True) if there} | set(
        keys_in_order(always)
    )


# presence()'s statement per set of plans: it names the ids only through
# the shared array, so it is the same for every chunk (building it is 30
# querysets compiled, more than the statement costs).
_PRESENCE_SQL: dict[tuple[str, ...], tuple[str, list]] = {}


def _presence_sql(plans: list[ModelPlan]) -> tuple[str, list]:
    key = tuple(p.label for p in plans)
    if key in _PRESENCE_SQL:
        return _PRESENCE_SQL[key]
    token = SHARED_ARRAY.set("_erasure_ids.a")
    try:
        parts, params = [], []
        for plan in plans:
            queries = [_rows_of(plan, [])]
            history = _history_of(plan, [])
            if history is not None:
                queries.append(history)
            for query in queries:
                sql, more = query.order_by().values("pk")[:1].query.sql_with_params()
                parts.append(f"EXISTS({sql})")
                params.extend(more)
    finally:
        SHARED_ARRAY.reset(token)
    statement = (
        f"SELECT {', '.join(parts)} "  # noqa: S608 - from model metadata
        "FROM (SELECT %s::bigint[] AS a) AS _erasure_ids"
    )
    _PRESENCE_SQL[key] = (statement, params)
    return statement, params


def keys_in_order(plans: list[ModelPlan]) -> list[str]:
    """presence()'s keys in the order of its subqueries."""
    keys = []
    for plan in plans:
        keys.append(plan.label)
        if plan.history_model is not None:
            keys.append(f"{plan.label}#history")
    return keys


# --- Whom a run covers --------------------------------------------------------


@dataclass
class Context:
    """What every step knows. `held` is the categories a hold keeps."""

    client_ids: list[int]
    held: set[str] = field(default_factory=set)
    # Strings to look for in task results and temp files (single client
    # jobs only; never stored).
    identifiers: list[str] = field(default_factory=list)
    # presence() of every plan, per chunk (first id, last id, size), when
    # the caller computed it for the whole run at once (erase_clients);
    # a chunk not in it is erased model by model without skipping.
    present: dict[tuple[int, int, int], set[str]] = field(default_factory=dict)

    def holds(self, ids: list[int], key: str) -> bool:
        """Whether the chunk may hold rows for this presence key."""
        found = self.present.get(chunk_key(ids))
        return found is None or key in found


def chunk_key(ids: list[int]) -> tuple[int, int, int]:
    return (ids[0], ids[-1], len(ids)) if ids else (0, 0, 0)


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
