"""Residue: a client's data outside the client models.

The suppression list (keyed hashes of the emails and phones, so no
re-import markets again), Celery task results and cached pages naming the
client, the files of every registered location (privacy.stored_files),
and the django_admin_log rows about the client's objects. Each is a step
of the engine (privacy.erasure.engine.steps_for).
"""

from django.conf import settings
from django.contrib.admin.models import LogEntry
from django.contrib.contenttypes.models import ContentType
from django.db import connection, models
from django.db.models import CharField, Q, Value
from django.db.models.functions import Cast
from django.utils import timezone

from clienteling.models import ClientEmail, ClientPhone
from consents import suppression
from consents.models import SuppressionEntry
from core.id_arrays import ids_literal, index_scans
from privacy import stored_files
from privacy.erasure.plan import (
    Context,
    _history_of,
    _in_ids,
    _rows_of,
    chunks,
    erasure_plan,
    identifiers_of,
)

ERASED_TEXT = "[erased]"


def step_suppression(ctx: Context) -> dict:
    """Keyed hashes of every email and phone, so no re-import markets again.

    Per chunk (skipped when presence() found neither email nor phone): on
    PostgreSQL the contact rows' stored digests (decision 0086) go to the
    list by one INSERT .. SELECT, and only rows without one are read and
    hashed in Python (decision 0107); elsewhere one query for the emails
    and phones together, the hashes in one loop, one INSERT.
    """
    added = listed = 0
    for ids in chunks(ctx.client_ids):
        if not (
            ctx.holds(ids, ClientEmail._meta.label)
            or ctx.holds(ids, ClientPhone._meta.label)
        ):
            continue
        if connection.vendor == "postgresql":
            new, total = _suppress_stored_digests(ids)
        else:
            entries = suppression.digests(_contact_values(ids))
            new, total = _add_suppressed(sorted(entries)), len(entries)
        added += new
        listed += total - new
    if not added and not listed:
        return {"added": 0}
    return {"added": added, "already_listed": listed}


def _contact_values(ids: list[int], *, unhashed_only: bool = False) -> list:
    """("email" | "phone", stored text) of the chunk's contact rows."""
    email, phone = SuppressionEntry.Kind.EMAIL.value, SuppressionEntry.Kind.PHONE.value
    emails = ClientEmail.objects.filter(_in_ids("client", ids))
    phones = ClientPhone.objects.filter(_in_ids("client", ids))
    if unhashed_only:
        emails, phones = emails.filter(digest=None), phones.filter(digest=None)
    emails = emails.values_list(
        Value(email, output_field=models.CharField()), "address"
    )
    # The stored text, not a PhoneNumber parsed back from it.
    phones = phones.values_list(
        Value(phone, output_field=models.CharField()),
        Cast("number", models.TextField()),
    )
    return list(emails.union(phones, all=True))


def _suppress_stored_digests(ids: list[int]) -> tuple[int, int]:
    """(new entries, distinct entries) for the chunk, on PostgreSQL.

    The contact rows keep the keyed digest of their normalised value
    (decision 0086), the same one consents would compute: the entries are
    selected, de-duplicated and inserted in one statement, with no value
    crossing to Python. Rows written around the ORM without a digest
    (raw SQL, COPY) are read and hashed here first, as the suppression
    join does (`_unhashed_suppressed`): never an address left off the list.
    """
    # Through the client_id indexes too: with stock costs the planner reads
    # both contact tables whole for 10,000 ids (0.5 s at 1M, decision 0116).
    with index_scans():
        unhashed = _contact_values(ids, unhashed_only=True)
    extra = sorted(suppression.digests(unhashed))
    table = connection.ops.quote_name(SuppressionEntry._meta.db_table)
    emails = connection.ops.quote_name(ClientEmail._meta.db_table)
    phones = connection.ops.quote_name(ClientPhone._meta.db_table)
    email, phone = SuppressionEntry.Kind.EMAIL.value, SuppressionEntry.Kind.PHONE.value
    array = ids_literal(ids)
    with index_scans(), connection.cursor() as cursor:
        cursor.execute(
            f"""
            WITH src AS (
                SELECT %s::varchar AS k, digest AS d FROM {emails}
                WHERE client_id = ANY(%s::bigint[]) AND digest IS NOT NULL
                UNION
                SELECT %s::varchar, digest FROM {phones}
                WHERE client_id = ANY(%s::bigint[]) AND digest IS NOT NULL
                UNION
                SELECT k, d FROM unnest(%s::varchar[], %s::varchar[]) AS t(k, d)
            ), ins AS (
                INSERT INTO {table} AS t_entry (kind, digest, added_at, reason)
                SELECT k, d, %s, 'erasure' FROM src ORDER BY k, d
                ON CONFLICT (kind, digest) DO UPDATE
                -- An entry a later consent lifted is suppressed again.
                SET lifted_at = NULL, added_at = EXCLUDED.added_at,
                    reason = 'erasure'
                WHERE t_entry.lifted_at IS NOT NULL
                RETURNING 1
            )
            SELECT (SELECT count(*) FROM ins), (SELECT count(*) FROM src)
            """,  # noqa: S608 - table names from model metadata
            [
                email,
                array,
                phone,
                array,
                "{" + ",".join(k for k, _ in extra) + "}",
                "{" + ",".join(d for _, d in extra) + "}",
                timezone.now(),
            ],
        )
        new, total = cursor.fetchone()
    return new, total


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
            # The arrays as their text literals: kinds are two words and
            # digests hex, nothing to quote, and psycopg's list adapter
            # costs more than the INSERT (decision 0089).
            kinds = "{" + ",".join(kind for kind, _ in entries) + "}"
            digests = "{" + ",".join(digest for _, digest in entries) + "}"
            cursor.execute(
                f"INSERT INTO {table} AS t_entry (kind, digest, added_at, reason) "  # noqa: S608
                "SELECT k, d, %s, 'erasure' FROM unnest(%s::varchar[], "
                "%s::varchar[]) AS t(k, d) ON CONFLICT (kind, digest) DO UPDATE "
                # An entry a later consent lifted is suppressed again.
                "SET lifted_at = NULL, added_at = EXCLUDED.added_at, "
                "reason = 'erasure' WHERE t_entry.lifted_at IS NOT NULL",
                [now, kinds, digests],
            )
        else:
            cursor.executemany(
                f"INSERT INTO {table} AS t_entry (kind, digest, added_at, reason) "  # noqa: S608
                "VALUES (%s, %s, %s, 'erasure') ON CONFLICT (kind, digest) DO UPDATE "
                "SET lifted_at = NULL, added_at = excluded.added_at, "
                "reason = 'erasure' WHERE t_entry.lifted_at IS NOT NULL",
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
    every = erasure_plan()
    # One query for every model's content type (the cache then has them).
    types = ContentType.objects.get_for_models(
        *(p.model for p in every), for_concrete_models=False
    )
    plans = {types[p.model]: p for p in every}
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
