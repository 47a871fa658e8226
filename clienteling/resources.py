"""Client import and export (django-import-export), explicit fields only.

Import errors raised before any row is read are ImportRefused (a
ValidationError whose messages name each problem).

An import is all or nothing: `clienteling.services.clients_import` runs the
whole file in one transaction and rolls it back on the first problem, with
every problem named by row, column and reason.
"""

import io
import logging
import re

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import connection
from django.utils.text import capfirst
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext
from import_export import fields, resources, widgets
from import_export.formats import base_formats

from clienteling import csv_files
from clienteling.exceptions import ImportRefused
from clienteling.models import Boutique, Client, ClientEmail, ClientPhone
from clienteling.models.clients import new_client_number
from clienteling.phones import normalise_phone
from core import downloads

EMAIL_MAX_LENGTH = ClientEmail._meta.get_field("address").max_length
logger = logging.getLogger(__name__)

# Client numbers looked up per query (see existing_client_numbers).
NUMBER_CHUNK = 5_000


# An address of the commonest shape, which Django's validate_email accepts
# (a dot-atom of plain characters, an ASCII domain of labels and a
# top-level domain of letters): accepted without it, 50 times faster. Any
# other goes through validate_email, whose messages are the widget's.
_PLAIN_EMAIL = re.compile(
    r"[A-Za-z0-9_+-]+(?:\.[A-Za-z0-9_+-]+)*"
    r"@(?:[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?\.)+[A-Za-z]{2,63}"
)


class EmailWidget(widgets.CharWidget):
    def clean(self, value, row=None, **kwargs):
        value = (value or "").strip()
        if value and not (
            len(value) <= EMAIL_MAX_LENGTH and _PLAIN_EMAIL.fullmatch(value)
        ):
            try:
                validate_email(value)
            except ValidationError:
                raise ValueError(
                    _("%(value)r is not a valid email address.") % {"value": value}
                ) from None
            if len(value) > EMAIL_MAX_LENGTH:
                # The column's limit: PostgreSQL would refuse the row with a
                # database error instead of a message.
                raise ValueError(
                    _("%(value)r is longer than %(max)s characters.")
                    % {"value": value, "max": EMAIL_MAX_LENGTH}
                )
        return value


class PhoneWidget(widgets.CharWidget):
    def clean(self, value, row=None, **kwargs):
        value = (value or "").strip()
        if not value:
            return ""
        number = normalise_phone(value)
        if not number:
            raise ValueError(
                _("%(value)r is not a valid phone number.") % {"value": value}
            )
        return number


class BoutiqueCodeWidget(widgets.ForeignKeyWidget):
    """A boutique by its code.

    `known` (code -> Boutique), when given, answers instead of one query per
    row: the set-based engine loads every code of the file in one query.
    """

    def __init__(self, known: dict | None = None):
        super().__init__(Boutique, field="code")
        self.known = known

    def clean(self, value, row=None, **kwargs):
        value = (value or "").strip()
        if not value:
            raise ValueError(_("A home boutique code is required."))
        try:
            if self.known is None:
                return Boutique.objects.get(code=value)
            return self.known[value]
        except (Boutique.DoesNotExist, KeyError):
            raise ValueError(
                _("No boutique has the code %(value)r.") % {"value": value}
            ) from None


# Column names are echoed back in messages: cut, and control characters
# shown as a replacement character, so a stray line reads as one.
SHOWN_HEADER_LENGTH = 40
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")


def _and(items: list[str]) -> str:
    """ "5", "5 and 6", "5, 6 and 9"."""
    if len(items) < 2:
        return "".join(items)
    return _("%(items)s and %(last)s") % {
        "items": ", ".join(items[:-1]),
        "last": items[-1],
    }


def _shown(header: str) -> str:
    header = _CONTROL.sub("\ufffd", header)
    if len(header) > SHOWN_HEADER_LENGTH:
        return header[: SHOWN_HEADER_LENGTH - 1] + "\u2026"
    return header


def _reason(error, where: str) -> str:
    """What staff read about an import error: the reason when it is one of
    the import's own, else a plain sentence; the traceback goes to the log.
    """
    exc = error.error
    if isinstance(exc, ValidationError):
        return " ".join(exc.messages)
    if type(exc) is ValueError:  # the widgets' own messages
        return str(exc)
    logger.error("Client import failed on %s:\n%s", where, error.traceback)
    return _(
        "%(where)s could not be imported because of an unexpected "
        "error; it was logged for the technical team. Nothing was "
        "imported."
    ) % {"where": capfirst(where)}


def existing_client_numbers(numbers) -> set[str]:
    """Which of these client numbers the database already has.

    One query per chunk: a file of any size stays far under PostgreSQL's
    65,535 bound parameters per statement.
    """
    numbers = list(numbers)
    existing = set()
    if connection.vendor == "postgresql":
        # One array parameter, not 5,000: psycopg splits a query's text at
        # every placeholder (a third of a second per 10,000 numbers).
        with connection.cursor() as cursor:
            cursor.execute(
                f"SELECT client_number FROM {Client._meta.db_table} "  # noqa: S608
                "WHERE client_number = ANY(%s)",
                [numbers],
            )
            return {number for (number,) in cursor.fetchall()}
    for start in range(0, len(numbers), NUMBER_CHUNK):
        existing.update(
            Client.objects.filter(
                client_number__in=numbers[start : start + NUMBER_CHUNK]
            ).values_list("client_number", flat=True)
        )
    return existing


class CsvFormat(base_formats.CSV):
    """The one file format of client imports and exports.

    Reading is the import engine's (clienteling.csv_files.read_dataset: its
    checks and messages), writing is the project's formula-safe CSV writer
    (core.downloads). XLSX, ODS and the other formats
    django-import-export offers are not: their writers turn text beginning
    with "=" into live formulas, and the engine reads CSV only
    (docs/decisions/0015).
    """

    def create_dataset(self, in_stream, **kwargs):
        return csv_files.read_dataset(in_stream)

    def export_data(self, dataset, **kwargs):
        out = io.StringIO()
        writer = downloads.csv_writer(out)
        writer.writerow(dataset.headers)
        writer.writerows(dataset)
        return out.getvalue()


CLIENT_LIST_EXPORT = downloads.register(
    downloads.Download(
        key="client-list-export",
        label=_("Client list export (Clients, Export)"),
        sites=(
            "clienteling.resources.CsvFormat.export_data",
            "clienteling.admin.ClientAdmin",
        ),
    )
)


class ClientResource(resources.ModelResource):
    client_number = fields.Field(attribute="client_number", column_name="client_number")
    home_boutique = fields.Field(
        attribute="home_boutique",
        column_name="home_boutique",
        widget=BoutiqueCodeWidget(),
    )
    email = fields.Field(
        attribute="import_email", column_name="email", widget=EmailWidget()
    )
    mobile = fields.Field(
        attribute="import_mobile", column_name="mobile", widget=PhoneWidget()
    )
    landline = fields.Field(
        attribute="import_landline", column_name="landline", widget=PhoneWidget()
    )

    class Meta:
        model = Client
        fields = (
            "client_number",
            "title",
            "first_name",
            "last_name",
            "birth_date",
            "nationality",
            "civil_status",
            "preferred_language",
            "home_boutique",
            "email",
            "mobile",
            "landline",
        )
        export_order = fields
        import_id_fields = ()
        clean_model_instances = True
        skip_unchanged = False
        use_bulk = False
        widgets = {"birth_date": {"format": "%Y-%m-%d"}}

    COLUMNS = frozenset(Meta.fields)
    REQUIRED = ("first_name", "last_name", "home_boutique")

    def __init__(self, *, acting_user=None, **kwargs):
        super().__init__(**kwargs)
        self.acting_user = acting_user
        self._import_fields = None

    def get_import_fields(self):
        # django-import-export asks again for every row and every problem.
        if self._import_fields is None:
            self._import_fields = super().get_import_fields()
        return self._import_fields

    # -- Whole-file checks, before any row is imported ----------------------

    def before_import(self, dataset, **kwargs):
        problems = self.check_dataset(dataset)
        if problems:
            raise ImportRefused(problems)

    def check_dataset(self, dataset) -> list[str]:
        """Columns, duplicate numbers and the importer's boutiques.

        Normalises the headers and fills in generated client numbers, so
        every row is identifiable afterwards.
        """
        headers = [(h or "").strip() for h in (dataset.headers or [])]
        dataset.headers = headers
        problems = self._check_headers(headers)
        if problems:
            return problems
        missing = [c for c in self.REQUIRED if c not in headers]
        if missing:
            return [
                (
                    _("Missing required column(s): %(items)s.")
                    % {"items": ", ".join(missing)}
                )
            ]
        if not len(dataset):
            return [_("The file has a header but no rows.")]
        problems = self._check_nul_characters(dataset)
        if problems:
            # PostgreSQL refuses a NUL in any text, the number lookup too.
            return problems
        if "client_number" not in headers:
            dataset.append_col([""] * len(dataset), header="client_number")
        problems = self._check_numbers(dataset)
        problems += self._check_boutiques(dataset)
        return problems

    def _check_headers(self, headers: list[str]) -> list[str]:
        """Blank, repeated and unknown column names, each named."""
        blank = [str(i) for i, h in enumerate(headers, start=1) if not h]
        if blank:
            return [
                ngettext(
                    "Column %(columns)s has no name in the first line; every "
                    "column needs one.",
                    "Columns %(columns)s have no name in the first line; every "
                    "column needs one.",
                    len(blank),
                )
                % {"columns": _and(blank)}
            ]
        positions: dict[str, list[int]] = {}
        for i, h in enumerate(headers, start=1):
            positions.setdefault(h, []).append(i)
        repeated = [
            _(
                "Column %(column)s appears %(count)s times (columns "
                "%(positions)s); keep one."
            )
            % {
                "column": _shown(h),
                "count": len(at),
                "positions": _and([str(i) for i in at]),
            }
            for h, at in positions.items()
            if len(at) > 1
        ]
        if repeated:
            # One value per column: a second one would be dropped unseen.
            return repeated
        unknown = [_shown(h) for h in headers if h not in self.COLUMNS]
        if unknown:
            return [
                ngettext(
                    "Unknown column: %(unknown)s. Expected columns: %(expected)s.",
                    "Unknown columns: %(unknown)s. Expected columns: %(expected)s.",
                    len(unknown),
                )
                % {
                    "unknown": ", ".join(unknown),
                    "expected": ", ".join(sorted(self.COLUMNS)),
                }
            ]
        return []

    @staticmethod
    def _check_nul_characters(dataset) -> list[str]:
        return [
            (
                _(
                    "Row %(row)s, column %(header)s: contains a NUL character (an "
                    "invisible control character); remove it and import again."
                )
                % {"row": row, "header": header}
            )
            for row, values in enumerate(dataset, start=1)
            for header, value in zip(dataset.headers, values, strict=True)
            if isinstance(value, str) and "\x00" in value
        ]

    def _check_numbers(self, dataset) -> list[str]:
        numbers = [(v or "").strip().upper() for v in dataset["client_number"]]
        problems = []
        seen: dict[str, int] = {}
        for row, value in enumerate(numbers, start=1):
            if value in seen:
                problems.append(
                    _(
                        "Row %(row)s, column client_number: "
                        "%(client_number)s repeats row %(first_row)s."
                    )
                    % {"row": row, "client_number": value, "first_row": seen[value]}
                )
            elif value:
                seen[value] = row
        problems += self.existing_number_problems(seen)
        # Generated numbers: draw until none collides with the file or the
        # database (a random space of 10^10 still collides at scale).
        blanks = [i for i, value in enumerate(numbers) if not value]
        taken = set(seen)
        while blanks:
            drawn = {i: new_client_number() for i in blanks}
            clashes = existing_client_numbers(drawn.values())
            blanks = []
            for i, value in drawn.items():
                if value in clashes or value in taken:
                    blanks.append(i)
                else:
                    numbers[i] = value
                    taken.add(value)
        del dataset["client_number"]
        dataset.append_col(numbers, header="client_number")
        return problems

    @staticmethod
    def existing_number_problems(rows_by_number: dict[str, int]) -> list[str]:
        """A problem for each of these numbers already in the database."""
        existing = existing_client_numbers(rows_by_number)
        return [
            (
                _(
                    "Row %(row)s, column client_number: client %(client_number)s "
                    "already exists; imports create clients and never overwrite one."
                )
                % {"row": rows_by_number[value], "client_number": value}
            )
            for value in sorted(existing, key=rows_by_number.get)
        ]

    def _check_boutiques(self, dataset) -> list[str]:
        user = self.acting_user
        if (
            user is None
            or user.is_superuser
            or user.has_perm("clienteling.view_all_clients")
        ):
            return []
        allowed = set(user.boutiques.values_list("code", flat=True))
        return [
            (
                _(
                    "Row %(row)s, column home_boutique: you do not work in "
                    "%(boutique_code)s."
                )
                % {"row": row, "boutique_code": code.strip()}
            )
            for row, code in enumerate(dataset["home_boutique"], start=1)
            if (code or "").strip() and code.strip() not in allowed
        ]

    def problems(self, result) -> list[str]:
        """Every problem of an import result as "Row N, column C: reason"."""
        refused = [
            e.error for e in result.base_errors if isinstance(e.error, ImportRefused)
        ]
        if refused:
            # django-import-export goes on to the rows after before_import
            # fails; their errors only echo the file-level problems.
            return [message for error in refused for message in error.messages]
        problems = [
            _("File: %(reason)s") % {"reason": _reason(error, _("the file"))}
            for error in result.base_errors
        ]
        for invalid in result.invalid_rows:
            problems += self.row_problems(invalid.number, invalid.error_dict)
        for number, errors in result.row_errors():
            where = _("row %(number)s") % {"number": number}
            problems.extend(
                _("Row %(number)s: %(reason)s")
                % {"number": number, "reason": _reason(error, where)}
                for error in errors
            )
        return problems

    def row_problems(self, number: int, error_dict: dict) -> list[str]:
        """One row's validation errors as "Row N, column C: reason"."""
        columns = self._columns_by_attribute()
        problems = []
        for attribute, errors in error_dict.items():
            column = columns.get(attribute, attribute)
            problems.extend(
                (
                    _("Row %(number)s: %(message)s")
                    if column == "__all__"
                    else _("Row %(number)s, column %(column)s: %(message)s")
                )
                % {"number": number, "column": column, "message": message}
                for message in ValidationError(errors).messages
            )
        return problems

    def _columns_by_attribute(self) -> dict[str, str]:
        return {f.attribute: f.column_name for f in self.get_import_fields()}

    # -- One row ------------------------------------------------------------

    def check_contact_numbers(self, instance, errors: dict) -> None:
        """The same number as mobile and landline is one phone, not two.

        Without this check the second save breaks the client's unique
        number rule with a database error instead of a message.
        """
        if "import_mobile" in errors or "import_landline" in errors:
            return
        mobile = getattr(instance, "import_mobile", "")
        if mobile and mobile == getattr(instance, "import_landline", ""):
            errors["import_landline"] = [
                ValidationError(
                    _("%(mobile)s is already the mobile number.") % {"mobile": mobile}
                )
            ]

    def validate_instance(
        self, instance, import_validation_errors=None, validate_unique=True
    ):
        errors = dict(import_validation_errors or {})
        self.check_contact_numbers(instance, errors)
        super().validate_instance(instance, errors, validate_unique)

    def get_instance(self, instance_loader, row):
        # Imports create clients; they never overwrite one (see
        # clients_import for the duplicate check).
        return None

    def before_save_instance(self, instance, row, **kwargs):
        instance.source = Client.Source.IMPORT
        if self.acting_user is not None:
            instance._history_user = self.acting_user

    def after_save_instance(self, instance, row, **kwargs):
        if kwargs.get("dry_run"):
            return
        address = getattr(instance, "import_email", "")
        if address:
            email = ClientEmail(client=instance, address=address, is_primary=True)
            email._history_user = self.acting_user
            email.save()
        for attr, kind in (
            ("import_mobile", "mobile"),
            ("import_landline", "landline"),
        ):
            number = getattr(instance, attr, "")
            if number:
                phone = ClientPhone(
                    client=instance,
                    kind=kind,
                    number=number,
                    is_primary=not instance.phones.filter(is_primary=True).exists(),
                )
                phone._history_user = self.acting_user
                phone.save()

    def export_field(self, field, instance, **kwargs):
        if field.column_name == "email":
            return next((e.address for e in instance.emails.all() if e.is_primary), "")
        if field.column_name in ("mobile", "landline"):
            return next(
                (
                    str(p.number)
                    for p in instance.phones.all()
                    if p.kind == field.column_name
                ),
                "",
            )
        if field.column_name == "home_boutique":
            return instance.home_boutique.code
        return super().export_field(field, instance, **kwargs)

    def filter_export(self, queryset, **kwargs):
        return queryset.select_related("home_boutique").prefetch_related(
            "emails", "phones"
        )
