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

import gc
import logging
import re
import unicodedata
from collections import defaultdict
from dataclasses import dataclass
from datetime import date, datetime

import tablib
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxLengthValidator, RegexValidator
from django.db import IntegrityError, connection, models, transaction
from django.db.models.base import ModelState
from django.utils.encoding import force_str
from django.utils.translation import gettext as _
from import_export import widgets
from simple_history.utils import bulk_create_with_history

from clienteling.digests import email_digest, phone_digest
from clienteling.exceptions import ImportRefused
from clienteling.models import Boutique, Client, ClientEmail, ClientPhone
from clienteling.models.clients import new_client_number
from clienteling.resources import existing_client_numbers
from core.free_text import free_text_fields, free_text_problems
from core.payment_numbers import PAN_MIN_DIGITS
from core.writes import now_or as _now

STAGING_TABLE = "client_import_staging"
# Rows of the file a check keeps for the preview page.
PREVIEW_ROWS = 10

logger = logging.getLogger(__name__)


class _RollBack(Exception):
    pass


# --- Reading --------------------------------------------------------------


# --- The set-based engine ---------------------------------------------------


def import_set_based(
    dataset: tablib.Dataset, *, acting_user, now: datetime | None = None
) -> list[Client]:
    """Validate the whole file and write it, in one transaction.

    Raises ImportRefused with every problem ("Row N, column C: reason")
    and writes nothing if any row is invalid. Batches are written as they
    are validated (see _Stream); a problem in a later batch rolls the
    earlier ones back with the transaction.
    """
    clients: list[Client] = []
    headers = list(dataset.headers or [])
    with transaction.atomic():
        _Stream(acting_user, now=now, write=True, keep=clients).run(
            headers, (list(row) for row in dataset), total=len(dataset)
        )
    return clients


def write(clients: list[Client], *, acting_user, now: datetime | None = None) -> None:
    """Write validated clients, all or none (a transaction, or a savepoint
    of the caller's: the apply job's fenced one).

    ImportRefused if a client number was taken since the file was checked.
    """
    now = _now(now)
    with transaction.atomic():
        _write_batch(clients, first_row=1, acting_user=acting_user, now=now)


def _write_batch(
    clients: list[Client], *, first_row: int, acting_user, now: datetime
) -> None:
    """One batch of validated clients; ImportRefused naming the rows
    (numbered from first_row) whose client number was taken since."""
    try:
        with transaction.atomic():
            if connection.vendor == "postgresql":
                _write_postgresql(clients, acting_user=acting_user, now=now)
            else:
                _write_orm(clients, acting_user=acting_user, now=now)
    except IntegrityError:
        # A client number taken by someone else since the file was checked.
        problems = _resource(acting_user).existing_number_problems(
            {c.client_number: row for row, c in enumerate(clients, start=first_row)}
        )
        if problems:
            raise ImportRefused(problems) from None
        raise


# Rows checked between two progress reports of a job.
PROGRESS_EVERY_ROWS = 500
# Rows read, checked and written at a time: memory holds one batch.
BATCH_ROWS = 5_000


def validate(dataset: tablib.Dataset, *, acting_user, progress=None) -> list[Client]:
    """Unsaved clients, one per row in file order, or ImportRefused.

    Each client carries the contact details to create with it in
    `import_email`, `import_mobile` and `import_landline` when the file has
    those columns (see _contact_details). `progress(done, total)`, when
    given, is called every PROGRESS_EVERY_ROWS rows (a job's report).
    Holds every client: for a stored upload, check_upload and
    import_upload read it by batches instead.
    """
    clients: list[Client] = []
    with transaction.atomic():
        _Stream(acting_user, keep=clients, progress=progress).run(
            list(dataset.headers or []),
            (list(row) for row in dataset),
            total=len(dataset),
        )
    return clients


@dataclass
class Checked:
    """A stored upload's check: its header, its rows counted, its problems
    (none: the file can be written)."""

    headers: list[str]
    rows: int
    problems: list[str]


def counted_rows(path) -> int:
    """A stored upload's text checked (csv_files.check_file: ImportRefused
    with read_text's message) and its rows counted, header left out."""
    from clienteling import csv_files

    return max(csv_files.check_file(path) - 1, 0)


def check_upload(
    path, *, acting_user, progress=None, preview=None, estimate: int | None = None
) -> Checked:
    """Check a stored upload as the write will (the preview's check job).
    Nothing is written; memory holds one batch of rows, whatever the
    file's size. `preview`, a list, receives the file's first rows.

    A file unreadable as a whole raises csv_files.UnreadableFile.
    `estimate`: the rows counted_rows() found, when the caller has already
    checked the file with it (the file is then not read a second time).
    """
    from clienteling import csv_files

    if estimate is None:
        estimate = counted_rows(path)
    with transaction.atomic(), csv_files.open_rows(path) as (headers, rows):
        stream = _Stream(acting_user, progress=progress, preview=preview)
        try:
            count = stream.run(headers, rows, total=estimate)
        except csv_files.UnreadableFile:
            raise
        except ImportRefused as refused:
            # Refused on its header: the rows are still counted, as the
            # preview counted them on the whole file.
            rows_read = stream.done or sum(1 for _row in rows)
            return Checked(list(headers), rows_read, refused.messages)
    return Checked(list(headers), count, [])


def import_upload(
    path,
    *,
    acting_user,
    progress=None,
    now: datetime | None = None,
    estimate: int | None = None,
) -> int:
    """Check a stored upload again and write it, batch by batch, in one
    transaction (or the caller's savepoint): the number of clients created,
    or ImportRefused and nothing written. `estimate`: as check_upload's."""
    from clienteling import csv_files

    if estimate is None:
        estimate = counted_rows(path)
    with transaction.atomic(), csv_files.open_rows(path) as (headers, rows):
        return _Stream(acting_user, now=now, write=True, progress=progress).run(
            headers, rows, total=estimate
        )


class _Stream:
    """The import of a file read row by row: the whole-file checks of
    ClientResource.check_dataset and every row's validation, done by
    batches of BATCH_ROWS, each batch written (when asked) as soon as it
    is valid and nothing before it was wrong.

    The problems are the ones check_dataset and validate gave on the whole
    file, in the same order: a NUL character anywhere refuses the file with
    those problems only; else the client numbers repeated in the file, then
    those already in the database, then the boutiques the importer does not
    work in; only when there are none of these, each row's own problems.
    The client numbers already read are kept in a temporary table on
    PostgreSQL (memory stays flat), in a dict elsewhere.
    """

    def __init__(
        self,
        acting_user,
        *,
        now=None,
        write=False,
        keep=None,
        progress=None,
        preview=None,
    ):
        self.acting_user = acting_user
        self.now = _now(now)
        self.write = write
        self.keep = keep
        self.progress = progress
        self.preview = preview
        self.resource = _resource(acting_user)
        self.nul: list[str] = []
        self.repeated: list[str] = []
        self.existing: list[str] = []
        self.not_allowed: list[str] = []
        self.row_problems: list[str] = []
        self.known_codes: set[str] = set()
        self.done = 0  # rows read so far
        self.allowed = self._allowed_boutiques()

    def _allowed_boutiques(self) -> set[str] | None:
        user = self.acting_user
        if (
            user is None
            or user.is_superuser
            or user.has_perm("clienteling.view_all_clients")
        ):
            return None
        return set(user.boutiques.values_list("code", flat=True))

    @property
    def file_problems(self) -> list[str]:
        return self.repeated + self.existing + self.not_allowed

    def run(self, headers: list, rows, *, total: int) -> int:
        """Read, check (and write) every row; the number of rows, or
        ImportRefused with every problem."""
        self._start(headers)
        done = self.done = 0
        try:
            batch: list[list] = []
            for values in rows:
                if self.preview is not None and done < PREVIEW_ROWS:
                    self.preview.append(list(values))
                batch.append(values if self.given_number else [*values, ""])
                done = self.done = done + 1
                if len(batch) == BATCH_ROWS:
                    self._batch(batch, done - len(batch) + 1, max(total, done))
                    batch = []
            if batch:
                self._batch(batch, done - len(batch) + 1, max(total, done))
        finally:
            self.seen.close()
        if not done:
            raise ImportRefused([_("The file has a header but no rows.")])
        if self.progress is not None:
            self.progress(done, done)
        for problems in (self.nul, self.file_problems, self.row_problems):
            if problems:
                raise ImportRefused(problems)
        return done

    def _start(self, headers: list) -> None:
        """The header's checks, as check_dataset's, before any row."""
        resource = self.resource
        headers = [(h or "").strip() for h in headers]
        problems = resource._check_headers(headers)
        if problems:
            raise ImportRefused(problems)
        missing = [c for c in resource.REQUIRED if c not in headers]
        if missing:
            raise ImportRefused(
                [
                    _("Missing required column(s): %(items)s.")
                    % {"items": ", ".join(missing)}
                ]
            )
        self.given_number = "client_number" in headers
        self.headers = headers if self.given_number else [*headers, "client_number"]
        self.number_at = self.headers.index("client_number")
        self.boutique_at = self.headers.index("home_boutique")
        self.rows = _RowValidator(resource, self.headers)
        self.seen = _SeenNumbers()

    def _batch(self, batch: list[list], first: int, total: int) -> None:
        self._check_nul(batch, first)
        if self.nul:
            return
        self._check_numbers(batch, first)
        self._check_boutiques(batch, first)
        if self.file_problems:
            # The rows' own problems are not reported with these (as
            # check_dataset refused the file before any row was read).
            self._report(first + len(batch) - 1, total)
            return
        self._resolve_boutiques(batch)
        valid = []
        checked = _without_cycle_collection(self.rows.validate_batch, batch)
        for number, (client, errors) in enumerate(checked, start=first):
            if errors:
                self.row_problems += self.resource.row_problems(number, errors)
            else:
                self.resource.before_save_instance(client, None)
                valid.append(client)
            if self.progress is not None and number % PROGRESS_EVERY_ROWS == 0:
                self.progress(number, total)
        self.rows.forget()
        if self.row_problems:
            return
        if self.write:
            _write_batch(
                valid, first_row=first, acting_user=self.acting_user, now=self.now
            )
        if self.keep is not None:
            self.keep.extend(valid)

    def _check_nul(self, batch: list[list], first: int) -> None:
        # PostgreSQL refuses a NUL in any text, the number lookup too: once
        # one is found, only NULs are looked for.
        for row, values in enumerate(batch, start=first):
            try:
                if "\x00" not in "".join(values):
                    continue  # the common row: one search, not one a cell
            except TypeError:  # a value that is not text: cell by cell
                pass
            for header, value in zip(self.headers, values, strict=True):
                if isinstance(value, str) and "\x00" in value:
                    self.nul.append(
                        _(
                            "Row %(row)s, column %(header)s: contains a NUL "
                            "character (an invisible control character); remove "
                            "it and import again."
                        )
                        % {"row": row, "header": header}
                    )

    def _report(self, done: int, total: int) -> None:
        if self.progress is not None:
            self.progress(done, total)

    def _check_numbers(self, batch: list[list], first: int) -> None:
        """ClientResource._check_numbers on one batch: repeats of a number
        read before (in this batch or an earlier one), numbers already in
        the database, and a number drawn for every blank one."""
        at = self.number_at
        firsts: dict[str, int] = {}
        blanks = []
        numbers = []
        for offset, values in enumerate(batch):
            value = (values[at] or "").strip().upper()
            values[at] = value
            numbers.append(value)
            if not value:
                blanks.append(offset)
            elif value not in firsts:
                firsts[value] = first + offset
        earlier = self.seen.rows_of(list(firsts))
        for offset, value in enumerate(numbers):
            if not value:
                continue
            row = first + offset
            first_row = earlier.get(value) or firsts[value]
            if first_row != row:
                self.repeated.append(
                    _(
                        "Row %(row)s, column client_number: "
                        "%(client_number)s repeats row %(first_row)s."
                    )
                    % {"row": row, "client_number": value, "first_row": first_row}
                )
        new = {v: r for v, r in firsts.items() if v not in earlier}
        self.existing += self.resource.existing_number_problems(new)
        # Generated numbers: drawn until none collides with the numbers
        # read so far or the database (a random space of 10^10 still
        # collides at scale).
        taken = set(firsts)
        drawn_rows = {}
        while blanks:
            drawn = {i: new_client_number() for i in blanks}
            clashes = existing_client_numbers(drawn.values())
            clashes |= set(self.seen.rows_of(list(drawn.values())))
            blanks = []
            for i, value in drawn.items():
                if value in clashes or value in taken:
                    blanks.append(i)
                else:
                    batch[i][at] = value
                    taken.add(value)
                    drawn_rows[value] = first + i
        self.seen.add({**new, **drawn_rows})

    def _check_boutiques(self, batch: list[list], first: int) -> None:
        if self.allowed is None:
            return
        at = self.boutique_at
        for row, values in enumerate(batch, start=first):
            code = (values[at] or "").strip()
            if code and code not in self.allowed:
                self.not_allowed.append(
                    _(
                        "Row %(row)s, column home_boutique: you do not work in "
                        "%(boutique_code)s."
                    )
                    % {"row": row, "boutique_code": code}
                )

    def _resolve_boutiques(self, batch: list[list]) -> None:
        """The boutiques of the batch's codes not looked up yet, one query."""
        at = self.boutique_at
        codes = {(values[at] or "").strip() for values in batch} - self.known_codes
        if not codes:
            return
        widget = self.resource.fields["home_boutique"].widget
        if widget.known is None:
            widget.known = {}
        widget.known.update(
            {b.code: b for b in Boutique.objects.filter(code__in=codes)}
        )
        self.known_codes |= codes


class _SeenNumbers:
    """The client numbers read so far and their rows: a temporary table on
    PostgreSQL (memory stays flat whatever the file's size), a dict
    elsewhere."""

    TABLE = "client_import_seen"

    def __init__(self):
        self.in_db = connection.vendor == "postgresql"
        self.rows: dict[str, int] = {}
        if self.in_db:
            with connection.cursor() as cursor:
                cursor.execute(
                    f"CREATE TEMPORARY TABLE {self.TABLE} "
                    "(number varchar PRIMARY KEY, row integer) ON COMMIT DROP"
                )

    def rows_of(self, numbers: list[str]) -> dict[str, int]:
        if not numbers:
            return {}
        if not self.in_db:
            return {n: self.rows[n] for n in numbers if n in self.rows}
        with connection.cursor() as cursor:
            cursor.execute(
                f"SELECT number, row FROM {self.TABLE} WHERE number = ANY(%s)",
                [numbers],
            )
            return dict(cursor.fetchall())

    def add(self, rows: dict[str, int]) -> None:
        if not self.in_db:
            self.rows.update(rows)
            return
        with (
            connection.cursor() as cursor,
            cursor.copy(f"COPY {self.TABLE} (number, row) FROM STDIN") as copy,
        ):
            for item in rows.items():
                copy.write_row(item)

    def close(self) -> None:
        # ON COMMIT DROP is not enough inside an outer transaction. A
        # transaction already broken is rolled back by its caller, the
        # table with it.
        if self.in_db and not connection.needs_rollback:
            with connection.cursor() as cursor:
                cursor.execute(f"DROP TABLE IF EXISTS {self.TABLE}")


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
        # Outcomes per check ("field" or "free text") and field name, by value.
        self.memo: dict = defaultdict(dict)
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
        self.plain_text = {
            f
            for f in Client._meta.fields
            if type(f) is models.CharField
            and f.editable
            and not f.choices
            and all(type(v) is MaxLengthValidator for v in f.validators)
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
        self.headers = list(headers)
        self.columns_checked = [
            _Column(self, field, self.headers.index(field.column_name))
            for field in self.import_fields
        ]
        # Model.clean() does nothing unless the model says otherwise.
        self.model_clean = type(self.template).clean is not models.Model.clean

    def validate_batch(self, batch: list[list]) -> list[tuple[Client, dict]]:
        """validate() of each row of a batch, column by column (decision
        0093): each column's values are checked through the same steps as
        validate()'s (the widget, the model field, the free-text rule),
        each distinct value once, into what the row's client holds for it.
        A row with any value found wrong, or any check that spans columns
        failing, goes through validate() itself: its errors are that
        engine's, in its order."""
        columns = self.columns_checked
        wrong: set[int] = set()
        finals = [column.finals(batch, wrong) for column in columns]
        plain = [c.setter for c in columns if c.setter is not None]
        plain_rows = _rows_of(
            [f for c, f in zip(columns, finals, strict=True) if c.setter is not None],
            len(batch),
        )
        other_rows = _rows_of(
            [f for c, f in zip(columns, finals, strict=True) if c.setter is None],
            len(batch),
        )
        template = self.template.__dict__
        contact_numbers = self.resource.check_contact_numbers
        model_clean = self.model_clean
        checked = []
        for at, (values, plain_values, others) in enumerate(
            zip(batch, plain_rows, other_rows, strict=True)
        ):
            if at in wrong:
                checked.append(self._validate_values(values))
                continue
            client = Client.__new__(Client)
            stored = client.__dict__
            stored.update(template)
            stored.update(zip(plain, plain_values, strict=True))
            stored["_state"] = state = ModelState()
            for changed, cache, db in others:
                stored.update(changed)
                if cache:
                    state.fields_cache.update(cache)
                if db is not None:
                    state.db = db
            errors: dict = {}
            contact_numbers(client, errors)
            if model_clean and not errors:
                try:
                    client.clean()
                except ValidationError as exc:
                    errors = exc.update_error_dict(errors)
            if errors:
                checked.append(self._validate_values(values))
            else:
                checked.append((client, errors))
        return checked

    def _validate_values(self, values: list) -> tuple[Client, dict]:
        return self.validate(dict(zip(self.headers, values, strict=True)))

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

    def forget(self) -> None:
        """After a batch: drop the outcomes of any column (or of the field
        and free-text checks) holding a batch's worth of values, the
        columns whose values do not repeat (names, emails, phones), so that
        memory stays that of one batch; the repeating ones are kept."""
        for _field, outcomes in self.columns:
            if len(outcomes) >= BATCH_ROWS:
                outcomes.clear()
        for outcomes in self.memo.values():
            if len(outcomes) >= BATCH_ROWS:
                outcomes.clear()
        for column in self.columns_checked:
            if len(column.outcomes) >= BATCH_ROWS:
                column.outcomes.clear()

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
        memo = self.memo["free text", f.name]
        try:
            problems = memo.get(value)
        except TypeError:
            return free_text_problems(f, value)
        if problems is None:
            problems = memo[value] = free_text_problems(f, value)
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
            if (
                f in self.plain_text
                and type(stored) is str
                and stored
                and len(stored) <= f.max_length
            ):
                # What f.clean() returns for it, without the calls: a plain
                # CharField's only check is its length (names: a new value
                # on every row, kept by no memo).
                continue
            try:
                memo = self.memo["field", f.name]
                cleaned = _clean_memoised(f, stored, client, memo)
                setattr(client, f.attname, cleaned)
            except ValidationError as exc:
                errors[f.name] = exc.error_list
        return errors


def _without_cycle_collection(check, batch):
    """check(batch) with Python's cycle collector paused (decision 0093):
    a batch allocates tens of thousands of objects, none of them garbage
    in a cycle, and each collection the allocations set off walks the
    whole heap again (about a third of the validation's time). Whatever a
    batch leaves is collected when it is resumed."""
    if not gc.isenabled():
        return check(batch)
    gc.disable()
    try:
        return check(batch)
    finally:
        gc.enable()


def _rows_of(columns: list[list], count: int) -> list[tuple]:
    """Columns of `count` values each, as `count` rows."""
    if not columns:
        return [()] * count
    return list(zip(*columns, strict=True))


# A value found wrong by a column's check: its row is validated again row
# by row, for that engine's messages.
_WRONG = object()
_ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")


class _Column:
    """One column of the file checked value by value (decision 0093): for
    each distinct value, what validate() leaves on the row's client for it
    (its widget's clean, then its model field's, then the free-text rule),
    or _WRONG when any of these finds a problem.

    `setter` is the attribute the final value is stored under, when
    setting it writes the instance's __dict__ and nothing else (plain model
    fields, the import's contact attributes); None for a field whose
    descriptor does more (a foreign key, a country): each distinct value
    is then set once on a scratch client through the descriptor and the
    final is what that changed (__dict__ entries, the related-object
    cache, the database the instance was bound to).
    """

    def __init__(self, rows: "_RowValidator", field, index: int):
        from clienteling.resources import EmailWidget, PhoneWidget

        self.rows = rows
        self.field = field
        self.index = index
        self.outcomes: dict = {}
        attribute = field.attribute
        self.model_field = next(
            (f for f in rows.model_fields if attribute in (f.name, f.attname)),
            None,
        )
        self.free_text = [f for f in rows.free_text if attribute in (f.name, f.attname)]
        descriptor = getattr(Client, attribute, None)
        plain = not hasattr(type(descriptor), "__set__")
        if self.model_field is not None:
            plain = plain and self.model_field.attname == attribute
        self.setter = attribute if plain else None
        self.text_checks = None if self.model_field is None else self._text_checks()
        widget = field.widget
        self.fast = None
        if type(widget) is widgets.CharWidget:
            self.fast = _fast_text
        elif type(widget) is EmailWidget:
            self.fast = _fast_email
        elif type(widget) is PhoneWidget:
            if settings.PHONENUMBER_DEFAULT_REGION == "FR":
                self.fast = _fast_fr_phone
        elif type(widget) is widgets.DateWidget and tuple(widget.formats) == (
            "%Y-%m-%d",
        ):
            self.fast = _fast_iso_date

    def _text_checks(self):
        """For a CharField without choices whose validators are only length
        limits and regular expressions: (the lowest limit, each pattern's
        search and whether it must not match); else None."""
        f = self.model_field
        if type(f) is not models.CharField or f.choices:
            return None
        limit = f.max_length
        patterns = []
        for validator in f.validators:
            if type(validator) is MaxLengthValidator:
                if callable(validator.limit_value):
                    return None
                limit = min(limit, validator.limit_value)
            elif type(validator) is RegexValidator:
                patterns.append((validator.regex.search, validator.inverse_match))
            else:
                return None
        return limit, tuple(patterns)

    def _plain_text_valid(self, value) -> bool:
        """True when the model field's clean() returns this non-empty text
        as it is (CharField.to_python and validate pass a non-empty str; the
        length and patterns are its validators' own tests)."""
        checks = self.text_checks
        if checks is None or type(value) is not str or not value:
            return False
        limit, patterns = checks
        if len(value) > limit:
            return False
        return all((search(value) is None) is inverse for search, inverse in patterns)

    def finals(self, batch: list[list], wrong: set[int]) -> list:
        """The final outcome of this column's value on each row; the rows
        whose value is wrong are added to `wrong`."""
        at = self.index
        outcomes = self.outcomes
        finals = []
        for values in batch:
            value = values[at]
            try:
                final = outcomes.get(value)
            except TypeError:  # an unhashable value: the row engine's
                final = _WRONG
            else:
                if final is None:
                    final = outcomes[value] = self._final(value)
            if final is _WRONG:
                wrong.add(len(finals))
            finals.append(final)
        return finals

    def _final(self, value):  # noqa: PLR0911 - one outcome per step
        field = self.field
        cleaned = None if self.fast is None else self.fast(value)
        if cleaned is None:
            try:
                cleaned = field.clean({field.column_name: value})
            except ValueError:
                return _WRONG
            if cleaned is None and not field.saves_null_values:
                return _WRONG  # left unset: the row engine's case
        rows = self.rows
        if self.setter is None:
            scratch = _new_client_like(rows.template)
            before = dict(scratch.__dict__)
            setattr(scratch, field.attribute, cleaned)
            if self.model_field is not None and rows._clean_fields(
                scratch, exclude=set(), only=[self.model_field]
            ):
                return _WRONG
            for f in self.free_text:
                if rows._free_text(f, getattr(scratch, f.attname)):
                    return _WRONG
            changed = {
                k: v
                for k, v in scratch.__dict__.items()
                if k != "_state" and (k not in before or before[k] is not v)
            }
            return (changed, dict(scratch._state.fields_cache), scratch._state.db)
        f = self.model_field
        if (
            f is not None
            and not (f.blank and cleaned in f.empty_values)
            and not self._plain_text_valid(cleaned)
        ):
            scratch = _new_client_like(rows.template)
            scratch.__dict__[f.attname] = cleaned
            try:
                cleaned = _clean_memoised(
                    f, cleaned, scratch, rows.memo["field", f.name]
                )
            except ValidationError:
                return _WRONG
        for text_field in self.free_text:
            if not _short_text(text_field, cleaned) and rows._free_text(
                text_field, cleaned
            ):
                return _WRONG
        return cleaned


def _short_text(field, value) -> bool:
    """True when free_text_problems(field, value) is surely empty: a text
    without NUL, of a field that is not a TextField (whose length it also
    checks), shorter in its NFKC form than any card number or IBAN (the
    payment-number rule answers "none" for it first)."""
    return (
        type(value) is str
        and len(value) < PAN_MIN_DIGITS
        and not isinstance(field, models.TextField)
        and "\x00" not in value
        and (value.isascii() or unicodedata.is_normalized("NFKC", value))
    )


def _fast_text(value):
    """CharWidget's clean of a non-empty text: the text itself."""
    return value if type(value) is str and value else None


def _fast_email(value):
    """EmailWidget's clean of an address of the commonest shape."""
    from clienteling.resources import _PLAIN_EMAIL, EMAIL_MAX_LENGTH

    if type(value) is not str:
        return None
    value = value.strip()
    if value and len(value) <= EMAIL_MAX_LENGTH and _PLAIN_EMAIL.fullmatch(value):
        return value
    return None


def _fast_fr_phone(value):
    """PhoneWidget's clean of a French number typed the usual way and
    valid, read in France (the default region)."""
    from clienteling.phones import fr_national_fast

    if type(value) is not str:
        return None
    return fr_national_fast(value.strip())


def _fast_iso_date(value):
    """DateWidget's clean ("%Y-%m-%d") of a valid date written YYYY-MM-DD."""
    if type(value) is not str or not _ISO_DATE.fullmatch(value):
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        return None


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
    key = stored
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
