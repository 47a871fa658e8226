# ruff: noqa: S608 - SQL here is built from model metadata, never from input.
"""The client import engines: set-based (the one imports use) and row by row.

Dangerous module: on PostgreSQL the set-based engine writes
clienteling_client, clienteling_clientemail, clienteling_clientphone and
their historical* tables with SQL, not save(). Nothing in it goes through
Model.save() or post_save, so everything a save would do for a new client
is done here explicitly, and tests/clienteling/test_import_engine.py pins
it against the row-by-row engine:

- the client columns a save would write: the row's values, the model's
  defaults for the rest, `source = import`, created_at = updated_at = now;
- one '+' history row per created client, email and phone, as
  django-simple-history's post_save writes it (every tracked column,
  history_date = now, history_user = the importer, no change reason).
  django-simple-history's post_save is the only receiver the project has
  for these models; the project has no signals of its own (STYLE.md), and
  no hook of core.hooks runs on a client's creation.

Nothing is derived on save: the nearest boutique is set only by
client_locate, the lifetime value starts at the model's default (0), and
the trigram indexes are on the plain name columns.

Validation is the resource's (clienteling.resources.ClientResource), run
in Python in one pass: the whole-file checks (columns, client numbers in
the file and in the database by chunks, the importer's boutiques), then
each row through the resource's own widgets and the model's field
validation. The checks that would cost a query per row are done once per
file instead: boutique codes resolve in one query, the client-number
uniqueness is the whole-file check, and the model's check constraints
cannot fail on an import (status and lifetime value are not imported).
"""

import logging
import re
from datetime import datetime

import tablib
from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, connection, models, transaction
from django.db.models.base import ModelState
from django.utils.encoding import force_str
from import_export import widgets
from simple_history.utils import bulk_create_with_history

from clienteling.digests import email_digest, phone_digest
from clienteling.exceptions import ImportRefused
from clienteling.models import Boutique, Client, ClientEmail, ClientPhone
from core.free_text import free_text_fields, free_text_problems
from core.writes import now_or as _now

STAGING_TABLE = "client_import_staging"

logger = logging.getLogger(__name__)


class _RollBack(Exception):
    pass


# --- Reading --------------------------------------------------------------


# --- The set-based engine ---------------------------------------------------


def import_set_based(
    dataset: tablib.Dataset, *, acting_user, now: datetime | None = None
) -> list[Client]:
    """Validate the whole file, then write it in one transaction.

    Raises ImportRefused with every problem ("Row N, column C: reason")
    and writes nothing if any row is invalid.
    """
    clients = validate(dataset, acting_user=acting_user)
    write(clients, acting_user=acting_user, now=now)
    return clients


def write(clients: list[Client], *, acting_user, now: datetime | None = None) -> None:
    """Write validated clients, all or none (a transaction, or a savepoint
    of the caller's: the apply job's fenced one).

    ImportRefused if a client number was taken since the file was checked.
    """
    now = _now(now)
    try:
        with transaction.atomic():
            if connection.vendor == "postgresql":
                _write_postgresql(clients, acting_user=acting_user, now=now)
            else:
                _write_orm(clients, acting_user=acting_user, now=now)
    except IntegrityError:
        # A client number taken by someone else since the file was checked.
        problems = _resource(acting_user).existing_number_problems(
            {c.client_number: row for row, c in enumerate(clients, start=1)}
        )
        if problems:
            raise ImportRefused(problems) from None
        raise


# Rows checked between two progress reports of a job.
PROGRESS_EVERY_ROWS = 500


def validate(dataset: tablib.Dataset, *, acting_user, progress=None) -> list[Client]:
    """Unsaved clients, one per row in file order, or ImportRefused.

    Each client carries the contact details to create with it in
    `import_email`, `import_mobile` and `import_landline` when the file has
    those columns (see _contact_details). `progress(done, total)`, when
    given, is called every PROGRESS_EVERY_ROWS rows (a job's report).
    """
    resource = _resource(acting_user)
    problems = resource.check_dataset(dataset)
    if problems:
        raise ImportRefused(problems)
    codes = {(code or "").strip() for code in dataset["home_boutique"]}
    resource.fields["home_boutique"].widget.known = {
        b.code: b for b in Boutique.objects.filter(code__in=codes)
    }
    rows = _RowValidator(resource, dataset.headers)
    clients = []
    total = len(dataset)
    for number, values in enumerate(dataset, start=1):
        row = dict(zip(dataset.headers, values, strict=True))
        client, errors = rows.validate(row)
        if errors:
            problems += resource.row_problems(number, errors)
        else:
            resource.before_save_instance(client, row)
            clients.append(client)
        if progress is not None and (
            number % PROGRESS_EVERY_ROWS == 0 or number == total
        ):
            progress(number, total)
    if problems:
        raise ImportRefused(problems)
    return clients


_ROW_PROBLEM = re.compile(
    r"^Row (?P<row>\d+), (?:column (?P<column>[^:]+)|row): (?P<reason>.*)$",
    re.DOTALL,
)
_ROW_ONLY = re.compile(r"^Row (?P<row>\d+): (?P<reason>.*)$", re.DOTALL)


def split_problem(message: str) -> tuple[int | None, str, str]:
    """A problem as (row, column, reason): "Row 57, column email: ..." is
    (57, "email", "..."); a whole-file problem is (None, "", message)."""
    match = _ROW_PROBLEM.match(message)
    if match:
        return int(match["row"]), match["column"] or "", match["reason"]
    match = _ROW_ONLY.match(message)
    if match:
        return int(match["row"]), "", match["reason"]
    return None, "", message


class _RowValidator:
    """The row engine's validation of one row, less its per-row queries,
    each distinct value of a column checked once for the whole file.

    The same steps in the same order as django-import-export's import_row
    (the resource's widgets, then the model's full_clean), so the messages
    are the same. Every check of a single value depends on that value only
    (a widget's clean, a model field's clean, the free-text rule), so its
    outcome, the cleaned value or the error, is kept per column and value
    (decision 0044): a file repeats its titles, countries, languages,
    boutiques, birth dates and often its phones, and each is parsed once.
    What does not change from row to row is done once:

    - fields the file has no column for keep the model's default: they
      are cleaned once, on the template every row's client is copied from;
    - the home boutique was resolved from the database for the whole file
      (ForeignKey.validate would query it again), client numbers are
      unique by the whole-file check (validate_unique would query each),
      and the model's check constraints hold for any import (status and
      lifetime value are not imported; each would be a query per row).
    """

    CHECKED_PER_FILE = frozenset({"home_boutique"})

    def __init__(self, resource, headers):
        self.resource = resource
        self.memo: dict = {}
        self.import_fields = [
            f
            for f in resource.get_import_fields()
            if f.attribute
            and f.column_name in headers
            and not isinstance(f.widget, widgets.ManyToManyWidget)
        ]
        # Each column's outcomes by value: (cleaned, None) or (None, error).
        self.columns = [(f, {}) for f in self.import_fields]
        attributes = {f.attribute for f in self.import_fields}
        per_row = {
            f.name
            for f in Client._meta.fields
            if f.name in attributes or f.attname in attributes
        }
        self.template = resource.init_instance()
        errors = self._clean_fields(self.template, exclude=per_row)
        if errors:  # never with the model as it is; kept exact all the same
            per_row = set()
        self.fields = {f.name for f in Client._meta.fields}
        self.exclude = self.fields - per_row
        self.exclude |= self.CHECKED_PER_FILE
        self.model_fields = [
            f
            for f in Client._meta.fields
            if f.name not in self.exclude and not f.generated
        ]
        self.free_text = [
            f for f in free_text_fields(Client) if f.name not in self.exclude
        ]

    def validate(self, row: dict) -> tuple[Client, dict]:
        client = _new_client_like(self.template)
        errors: dict = {}
        import_errors = self._import(client, row)
        if import_errors:
            errors = ValidationError(import_errors).update_error_dict(errors)
        self.resource.check_contact_numbers(client, errors)
        skip = set(errors)
        field_errors = self._clean_fields(client, exclude=skip, only=self.model_fields)
        # The model's clean_fields() would apply the free-text rule
        # (FreeTextModel); this engine cleans field by field instead.
        for f in self.free_text:
            if f.name in skip:
                continue
            problems = self._free_text(f, getattr(client, f.attname))
            if problems:
                field_errors.setdefault(f.name, []).extend(problems)
        if field_errors:
            errors = ValidationError(field_errors).update_error_dict(errors)
        try:
            client.clean()
        except ValidationError as exc:
            errors = exc.update_error_dict(errors)
        return client, errors

    def _import(self, client: Client, row: dict) -> dict:
        """Resource.import_instance: each column through its widget, the
        widget's outcome kept per value."""
        errors = {}
        for field, outcomes in self.columns:
            value = row[field.column_name]
            try:
                outcome = outcomes.get(value)
                keep = True
            except TypeError:  # an unhashable value: clean it every time
                outcome, keep = None, False
            if outcome is None:
                try:
                    outcome = (field.clean(row), None)
                except ValueError as exc:
                    outcome = (None, force_str(exc))
                if keep:
                    outcomes[value] = outcome
            cleaned, error = outcome
            if error is not None:
                errors[field.attribute] = ValidationError(error, code="invalid")
            elif cleaned is not None or field.saves_null_values:
                setattr(client, field.attribute, cleaned)
        return errors

    def _free_text(self, f, value) -> list:
        key = ("free text", f.name, value)
        try:
            problems = self.memo.get(key)
        except TypeError:
            return free_text_problems(f, value)
        if problems is None:
            problems = self.memo[key] = free_text_problems(f, value)
        return problems

    def _clean_fields(self, client: Client, *, exclude: set, only=None) -> dict:
        """Model.clean_fields(exclude), each field's outcome kept per value."""
        errors = {}
        for f in client._meta.fields if only is None else only:
            if f.name in exclude or f.generated:
                continue
            # The value as stored on the instance: a descriptor (a
            # CountryField's) would build an object on every read, and the
            # outcome depends on the stored value alone (decision 0091).
            stored = client.__dict__[f.attname]
            if f.blank and stored in f.empty_values:
                continue
            try:
                cleaned = _clean_memoised(f, stored, client, self.memo)
                setattr(client, f.attname, cleaned)
            except ValidationError as exc:
                errors[f.name] = exc.error_list
        return errors


def _new_client_like(template: Client) -> Client:
    """A copy of a fresh Client(): the model's defaults without __init__.

    Model.__init__ evaluates every default again (tens of microseconds a
    row); the import sets the client number of every row anyway (the
    resource fills in the blank ones), the only default that differs
    from one client to the next.
    """
    client = Client.__new__(Client)
    client.__dict__.update(template.__dict__)
    client._state = ModelState()
    return client


def _clean_memoised(f, stored, client: Client, memo: dict):
    """f.clean() of the field's value, once per field and stored value: a
    model field's clean (to_python, choices, validators) depends on the
    value alone. The value is read through the field's descriptor, as
    Model.clean_fields reads it, only when the outcome is not known yet."""
    key = ("field", f.name, stored)
    try:
        outcome = memo.get(key)
    except TypeError:  # an unhashable value: clean it every time
        return f.clean(getattr(client, f.attname), client)
    if outcome is None:
        try:
            outcome = (f.clean(getattr(client, f.attname), client), None)
        except ValidationError as exc:
            outcome = (None, exc)
        memo[key] = outcome
    cleaned, error = outcome
    if error is not None:
        raise ValidationError(error.error_list)
    return cleaned


def _contact_details(client: Client) -> tuple[str, str, str]:
    """Email, mobile and landline of a validated row ("" when absent)."""
    return (
        getattr(client, "import_email", ""),
        getattr(client, "import_mobile", ""),
        getattr(client, "import_landline", ""),
    )


def _resource(acting_user):
    from clienteling.resources import ClientResource

    return ClientResource(acting_user=acting_user)


# --- Writing on PostgreSQL: COPY, then INSERT ... SELECT ---------------------


def _write_postgresql(clients: list[Client], *, acting_user, now: datetime) -> None:
    if not clients:
        return
    client_table = Client._meta.db_table
    varying = _varying_fields()
    constant = [
        f
        for f in Client._meta.concrete_fields
        if f not in varying and not f.primary_key
    ]
    staging = [
        ("id", "bigint"),
        *((f.column, f.cast_db_type(connection)) for f in varying),
        ("email", "varchar"),
        ("mobile", "varchar"),
        ("landline", "varchar"),
        # The contact rows' blind-index digests (decision 0086), computed
        # here as ClientEmail/ClientPhone.save() would.
        ("email_digest", "varchar"),
        ("mobile_digest", "varchar"),
        ("landline_digest", "varchar"),
    ]
    with connection.cursor() as cursor:
        # Ids drawn from the table's own sequence up front, in file order:
        # emails and phones then need no join back to find their client.
        cursor.execute(
            "SELECT nextval(pg_get_serial_sequence(%s, 'id')) "
            "FROM generate_series(1, %s) ORDER BY 1",
            [client_table, len(clients)],
        )
        for client, (pk,) in zip(clients, cursor.fetchall(), strict=True):
            client.pk = pk
        cursor.execute(
            f"CREATE TEMPORARY TABLE {STAGING_TABLE} "
            f"({', '.join(f'{name} {kind}' for name, kind in staging)}) "
            "ON COMMIT DROP"
        )
        columns = ", ".join(name for name, _ in staging)
        prepared = [(f.attname, _db_value(f)) for f in varying]
        with cursor.copy(f"COPY {STAGING_TABLE} ({columns}) FROM STDIN") as copy:
            for client in clients:
                values = client.__dict__
                email, mobile, landline = _contact_details(client)
                copy.write_row(
                    (
                        client.pk,
                        *(prepare(values[name]) for name, prepare in prepared),
                        email,
                        mobile,
                        landline,
                        email_digest(email) if email else None,
                        phone_digest(mobile) if mobile else None,
                        phone_digest(landline) if landline else None,
                    )
                )
        # The other columns hold the same value on every row: the model's
        # default, or what the resource's before_save_instance sets.
        template = clients[0]
        constant_values = [
            now
            if getattr(f, "auto_now", False) or getattr(f, "auto_now_add", False)
            else f.get_db_prep_save(getattr(template, f.attname), connection)
            for f in constant
        ]
        client_columns = ["id", *(f.column for f in varying)] + [
            f.column for f in constant
        ]
        values = ["s.id", *(f"s.{f.column}" for f in varying)] + [
            f"CAST(%s AS {f.cast_db_type(connection)})" for f in constant
        ]
        cursor.execute(
            f"""
            WITH new AS (
                INSERT INTO {client_table} ({", ".join(client_columns)})
                SELECT {", ".join(values)}
                FROM {STAGING_TABLE} s ORDER BY s.id
                RETURNING *
            )
            {_history_sql(Client)}
            """,
            [*constant_values, *_history_params(now, acting_user)],
        )
        cursor.execute(
            f"""
            WITH new AS (
                INSERT INTO {ClientEmail._meta.db_table}
                    (client_id, address, is_primary, digest)
                SELECT id, email, true, email_digest FROM {STAGING_TABLE}
                WHERE email <> '' ORDER BY id
                RETURNING *
            )
            {_history_sql(ClientEmail)}
            """,
            _history_params(now, acting_user),
        )
        # The mobile is the primary number; a landline only without one.
        cursor.execute(
            f"""
            WITH new AS (
                INSERT INTO {ClientPhone._meta.db_table}
                    (client_id, kind, number, is_primary, digest)
                SELECT client_id, kind, number, is_primary, digest FROM (
                    SELECT id AS client_id, %s AS kind, mobile AS number,
                        true AS is_primary, 1 AS position, mobile_digest AS digest
                    FROM {STAGING_TABLE} WHERE mobile <> ''
                    UNION ALL
                    SELECT id, %s, landline, mobile = '', 2, landline_digest
                    FROM {STAGING_TABLE} WHERE landline <> ''
                ) phones ORDER BY client_id, position
                RETURNING *
            )
            {_history_sql(ClientPhone)}
            """,
            [
                ClientPhone.Kind.MOBILE,
                ClientPhone.Kind.LANDLINE,
                *_history_params(now, acting_user),
            ],
        )
        # ON COMMIT DROP is not enough inside an outer transaction (the
        # admin's, a test's): a second import there would find the table.
        cursor.execute(f"DROP TABLE {STAGING_TABLE}")
    for client in clients:
        client.created_at = client.updated_at = now
        client._state.adding = False
        client._state.db = connection.alias


def _db_value(f):
    """How a field's value goes into COPY: as a save would prepare it.

    Plain text columns go as they are; anything else (dates, countries,
    foreign keys) through the field's own get_db_prep_save.
    """
    if type(f) in (models.CharField, models.TextField):
        return lambda value: value
    return lambda value: f.get_db_prep_save(value, connection)


def _varying_fields() -> list:
    """The client columns an import sets row by row (the resource's fields)."""
    from clienteling.resources import ClientResource

    attributes = {f.attribute for f in ClientResource().get_import_fields()}
    return [
        f
        for f in Client._meta.concrete_fields
        if f.name in attributes or f.attname in attributes
    ]


def _history_sql(model) -> str:
    """INSERT of one '+' history row per row of the CTE `new`.

    Every tracked column is copied from the inserted row, as
    django-simple-history's post_save copies it from the saved instance.
    """
    historical = model.history.model
    tracked = [f.column for f in historical.tracked_fields]
    return (
        f"INSERT INTO {historical._meta.db_table} ({', '.join(tracked)}, "
        "history_date, history_change_reason, history_type, history_user_id) "
        f"SELECT {', '.join(f'new.{c}' for c in tracked)}, %s, %s, '+', %s "
        "FROM new WHERE %s"
    )


def _history_params(now: datetime, acting_user) -> list:
    return [
        now,
        None,
        acting_user.pk if acting_user is not None else None,
        getattr(settings, "SIMPLE_HISTORY_ENABLED", True),
    ]


# --- Writing elsewhere (SQLite, the demo default): bulk_create --------------


def _write_orm(clients: list[Client], *, acting_user, now: datetime) -> None:
    """The same rows and history through the ORM, a few queries per batch."""
    history = {"default_user": acting_user, "default_date": now}
    bulk_create_with_history(clients, Client, **history)
    # auto_now_add stamps the wall clock; the import's time is `now`, as the
    # PostgreSQL path writes it (rows and their history alike).
    ids = [c.pk for c in clients]
    stamps = {"created_at": now, "updated_at": now}
    for start in range(0, len(ids), 5000):  # under SQLite's variable limit
        part = ids[start : start + 5000]
        Client.objects.filter(pk__in=part).update(**stamps)
        Client.history.filter(id__in=part).update(**stamps)
    for client in clients:
        client.created_at = client.updated_at = now
    emails, phones = [], []
    for client in clients:
        email, mobile, landline = _contact_details(client)
        if email:
            emails.append(ClientEmail(client=client, address=email, is_primary=True))
        if mobile:
            phones.append(
                ClientPhone(
                    client=client,
                    kind=ClientPhone.Kind.MOBILE,
                    number=mobile,
                    is_primary=True,
                )
            )
        if landline:
            phones.append(
                ClientPhone(
                    client=client,
                    kind=ClientPhone.Kind.LANDLINE,
                    number=landline,
                    is_primary=not mobile,
                )
            )
    bulk_create_with_history(emails, ClientEmail, **history)
    bulk_create_with_history(phones, ClientPhone, **history)


# --- The row-by-row engine ----------------------------------------------------


def import_row_by_row(dataset: tablib.Dataset, *, acting_user) -> list[Client]:
    """django-import-export's own engine: one save and one history row each.

    What imports ran on before the set-based engine, and still what the
    admin's preview runs (a dry run). Kept callable as the reference the
    set-based engine is tested and benchmarked against.
    """
    resource = _resource(acting_user)
    problems: list[str] = []
    try:
        with transaction.atomic():
            result = resource.import_data(
                dataset, dry_run=False, raise_errors=False, use_transactions=False
            )
            problems = resource.problems(result)
            if problems:
                raise _RollBack
    except _RollBack:
        raise ImportRefused(problems) from None
    return list(
        Client.objects.filter(client_number__in=dataset["client_number"]).order_by("id")
    )
