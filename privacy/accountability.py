"""The accountability file (GDPR Art. 5(2)): one page and one export that
show the DPO's programme to the CNIL or an auditor.

The register, processors and transfers, DPIAs, breaches, request
statistics (on time, late, extended), erasure and retention runs and the
Art. 19 notices, as a PDF (WeasyPrint, as the reports) and a zip of
formula-safe CSV files; and the access log exported by client, user and
period. Every export is itself recorded in the access log; an access-log
export naming more clients than BULK_EXPORT_COMPLIANCE_THRESHOLD waits for
a second officer (core.hooks export gate, privacy.approvals).
"""

import io
import zipfile
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.db.models import CharField, Q
from django.db.models.functions import Cast
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from clienteling.models import Client
from core import data_map, downloads, hooks
from core.display import day, moment
from core.models import AccessLogEntry
from core.services import access_log_record
from privacy import dpias, processors, register
from privacy.breaches import breach_clock
from privacy.models import (
    Breach,
    DataSubjectRequest,
    Dpia,
    ErasureJob,
    RecipientNotice,
    RetentionRun,
)
from privacy.notices import recipient_name

# Rows per table on the page and in the PDF; the CSV files hold them all.
PAGE_ROWS = 50
ACCESS_LOG_LABEL = "core.accesslogentry"
FILE_LABEL = "privacy.accountabilityfile"

ACCOUNTABILITY_ZIP = downloads.register(
    downloads.Download(
        key="accountability-zip",
        label=gettext_lazy("Accountability file (zip of CSV files)"),
        sites=(
            "privacy.accountability._csv",
            "privacy.accountability.accountability_zip",
            "privacy.admin.notices.RecipientNoticeAdmin.accountability_zip_view",
        ),
    )
)
ACCOUNTABILITY_PDF = downloads.register(
    downloads.Download(
        key="accountability-pdf",
        label=gettext_lazy("Accountability file (PDF)"),
        sites=(
            "privacy.accountability.accountability_pdf",
            "privacy.admin.notices.RecipientNoticeAdmin.accountability_pdf_view",
        ),
        spreadsheet=False,
        not_spreadsheet_because=(
            "a PDF rendered from the accountability page: registers and "
            "counts, no client"
        ),
    )
)
ACCESS_LOG_CSV = downloads.register(
    downloads.Download(
        key="access-log-csv",
        label=gettext_lazy("Access log by client, user and period (CSV)"),
        sites=(
            "privacy.accountability.access_log_csv",
            "privacy.admin.notices.RecipientNoticeAdmin.access_log_view",
        ),
    )
)


# --- Request statistics ---------------------------------------------------


@dataclass
class RequestFigures:
    kind: str
    received: int = 0
    open: int = 0
    on_time: int = 0
    late: int = 0
    extended: int = 0


def request_statistics(*, since: date | None = None) -> list[RequestFigures]:
    """Per kind of request: received, open, closed on time or late (against
    the due date in force, extension included), extended."""
    rows = DataSubjectRequest.objects.all()
    if since is not None:
        rows = rows.filter(received_on__gte=since)
    figures: dict[str, RequestFigures] = {
        value: RequestFigures(str(label))
        for value, label in DataSubjectRequest.Kind.choices
    }
    for r in rows.only(
        "kind", "status", "due_on", "extended_due_on", "closed_at", "received_on"
    ):
        f = figures[r.kind]
        f.received += 1
        if r.extended_due_on:
            f.extended += 1
        if r.is_open:
            f.open += 1
        elif r.closed_at is not None:
            if timezone.localdate(r.closed_at) <= r.effective_due_on:
                f.on_time += 1
            else:
                f.late += 1
    return [f for f in figures.values() if f.received]


# --- The file's tables ----------------------------------------------------


def _person(user) -> str:
    if user is None:
        return _("the scheduled job")
    return user.get_full_name() or user.get_username()


def tables() -> list[tuple[str, str, list[str], list[list]]]:
    """(file stem, title, header, rows) of every table of the file."""
    out = []
    out.append(
        (
            "processors",
            _("Processors and recipients"),
            [_("Name"), _("Kind"), _("Service"), _("Agreement"), _("Signed on")],
            [
                [
                    r.name,
                    r.get_kind_display(),
                    r.service,
                    r.agreement_reference,
                    day(r.agreement_signed_on),
                ]
                for r in processors.register_recipients()
            ],
        )
    )
    out.append(
        (
            "transfers",
            _("Transfers outside the EEA"),
            [_("Recipient"), _("Country"), _("What"), _("Mechanism"), _("Reference")],
            [
                [t.recipient, t.country, t.purpose, t.mechanism, t.reference]
                for t in processors.register_transfers()
            ],
        )
    )
    due = timezone.localdate()
    out.append(
        (
            "dpias",
            _("Impact assessments"),
            [_("Assessment"), _("Residual risk"), _("Review date"), _("Review")],
            [
                [
                    str(d),
                    d.get_residual_risk_display(),
                    day(d.review_on),
                    _("Review due") if d.review_on <= due else _("Not yet"),
                ]
                for d in Dpia.objects.order_by("review_on")
            ],
        )
    )
    names = dict(dpias.purpose_choices())
    for code in dpias.missing_dpias():
        out[-1][3].append(
            [str(names.get(code, code)), _("Missing"), "", _("Review due")]
        )
    out.append(
        (
            "breaches",
            _("Personal-data breaches"),
            [_("Breach"), _("Occurred"), _("Aware"), _("People"), _("CNIL")],
            [
                [
                    b.title,
                    moment(b.occurred_at),
                    moment(b.aware_at),
                    b.approx_people,
                    breach_clock(b).sentence,
                ]
                for b in Breach.objects.order_by("-aware_at")
            ],
        )
    )
    out.append(
        (
            "requests",
            _("Data-subject requests"),
            [
                _("Kind"),
                _("Received"),
                _("Open"),
                _("Answered on time"),
                _("Answered late"),
                _("Extended"),
            ],
            [
                [f.kind, f.received, f.open, f.on_time, f.late, f.extended]
                for f in request_statistics()
            ],
        )
    )
    out.append(
        (
            "erasures",
            _("Erasures"),
            [
                _("Erasure"),
                _("Status"),
                _("Requested"),
                _("Requested by"),
                _("Approved by"),
                _("Finished"),
            ],
            [
                [
                    _("Erasure #%(pk)s") % {"pk": e.pk},
                    e.get_status_display(),
                    moment(e.requested_at),
                    _person(e.requested_by),
                    _person(e.approved_by) if e.approved_by_id else "",
                    moment(e.finished_at) if e.finished_at else "",
                ]
                for e in ErasureJob.objects.select_related(
                    "requested_by", "approved_by"
                ).order_by("-requested_at")
            ],
        )
    )
    out.append(
        (
            "retention_runs",
            _("Retention runs"),
            [_("Run"), _("Dry run"), _("Status"), _("Started"), _("By")],
            [
                [
                    _("Run #%(pk)s") % {"pk": r.pk},
                    _("Yes") if r.dry_run else _("No"),
                    r.get_status_display(),
                    moment(r.started_at),
                    _person(r.started_by),
                ]
                for r in RetentionRun.objects.select_related("started_by").order_by(
                    "-started_at"
                )
            ],
        )
    )
    out.append(
        (
            "recipient_notices",
            _("Notices to recipients (Art. 19)"),
            [_("Recipient"), _("Why"), _("How"), _("Queued"), _("Sent"), _("Outcome")],
            [
                [
                    recipient_name(n.recipient),
                    n.get_kind_display(),
                    n.get_how_display(),
                    moment(n.queued_at),
                    moment(n.sent_at) if n.sent_at else "",
                    n.get_outcome_display(),
                ]
                for n in RecipientNotice.objects.order_by("-queued_at")
            ],
        )
    )
    return out


def page_context() -> dict:
    return {
        **register.register_context(),
        "tables": [
            (stem, title, header, rows[:PAGE_ROWS], len(rows))
            for stem, title, header, rows in tables()
        ],
        "page_rows": PAGE_ROWS,
        "generated_at": moment(timezone.now()),
    }


def _csv(header: list, rows: list[list]) -> bytes:
    out = io.StringIO()
    writer = downloads.csv_writer(out)
    writer.writerow(header)
    writer.writerows(rows)
    return out.getvalue().encode("utf-8")


def accountability_zip(*, acting_user) -> bytes:
    """The file as CSV files in a zip, recorded in the access log."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("register.csv", register.register_csv())
        for stem, _title, header, rows in tables():
            archive.writestr(f"{stem}.csv", _csv(header, rows))
    access_log_record(
        acting_user=acting_user, action=AccessLogEntry.Action.EXPORT, target=FILE_LABEL
    )
    return buffer.getvalue()


def accountability_pdf(*, acting_user) -> bytes:
    from weasyprint import HTML

    html = render_to_string(
        "privacy/accountability/file.html", {**page_context(), "standalone": True}
    )
    pdf = HTML(string=html).write_pdf()
    access_log_record(
        acting_user=acting_user,
        action=AccessLogEntry.Action.DOWNLOAD,
        target=FILE_LABEL,
    )
    return pdf


# --- The access log, by client, user and period ---------------------------


@dataclass(frozen=True)
class AccessLogQuery:
    client: Client | None
    user: object | None
    start: date
    end: date

    def rows(self):
        tz = timezone.get_current_timezone()
        rows = AccessLogEntry.objects.filter(
            at__gte=datetime.combine(self.start, time.min, tz),
            at__lt=datetime.combine(self.end + timedelta(days=1), time.min, tz),
        )
        if self.client is not None:
            rows = rows.filter(client_records(self.client))
        if self.user is not None:
            rows = rows.filter(user=self.user)
        return rows.select_related("user").order_by("at", "id")

    def clients_named(self) -> int:
        return (
            self.rows()
            .filter(object_type="clienteling.client")
            .values("object_id")
            .distinct()
            .count()
        )


CLIENT_LABEL = "clienteling.client"


def client_records(client: Client) -> Q:
    """Every access-log row about the client's data (decision 0097): their
    record and the records merged into it, and each row of every model
    the data map says holds data about one client (orders, contacts,
    consents, requests, files...), found through its path to the client
    by a subquery (one statement, whatever the client's history)."""
    merged = Client.objects.filter(merged_into=client).annotate(
        ref=Cast("pk", CharField())
    )
    where = Q(object_type=CLIENT_LABEL, object_id=str(client.pk)) | Q(
        object_type=CLIENT_LABEL, object_id__in=merged.values("ref")
    )
    for model, entry in data_map.client_models():
        label = model._meta.label_lower
        if label == CLIENT_LABEL:
            continue
        ids = (
            model._base_manager.filter(**{entry.client_path or "id": client.pk})
            .annotate(ref=Cast("pk", CharField()))
            .values("ref")
        )
        where |= Q(object_type=label, object_id__in=ids)
    return where


def access_log_query(
    *, client_number: str = "", username: str = "", start: date, end: date
) -> AccessLogQuery:
    """Check the filters: ValidationError naming each bad one."""
    errors = {}
    client = user = None
    if start > end:
        errors["end"] = _(
            "The period ends (%(end)s) before it starts (%(start)s): swap the dates."
        ) % {"start": day(start), "end": day(end)}
    if client_number.strip():
        client = Client.objects.filter(client_number=client_number.strip()).first()
        if client is None:
            errors["client_number"] = _("No client has the number %(number)s.") % {
                "number": client_number.strip()
            }
    if username.strip():
        user = get_user_model().objects.filter(username=username.strip()).first()
        if user is None:
            errors["username"] = _("No staff user is called %(name)s.") % {
                "name": username.strip()
            }
    if errors:
        raise ValidationError(errors)
    return AccessLogQuery(client=client, user=user, start=start, end=end)


def _record(label: str, object_id: str) -> str:
    """What was touched, in staff's words (a model's name, not its label)."""
    from django.apps import apps

    try:
        name = str(apps.get_model(label)._meta.verbose_name)
    except (LookupError, ValueError):
        name = _("another record")
    return f"{name} {object_id}".strip()


def access_log_csv(*, acting_user, query: AccessLogQuery, filters: str) -> bytes:
    """The rows as CSV, recorded in the access log; past the bulk-export
    threshold of clients, refused until a second officer approved
    (ValidationError with the gate's sentence, nothing exported)."""
    refusal = hooks.export_refusal(
        user=acting_user, count=query.clients_named(), query=filters
    )
    if refusal:
        raise ValidationError(refusal)
    out = io.StringIO()
    writer = downloads.csv_writer(out)
    writer.writerow([_("When"), _("Who"), _("What they did"), _("Record"), _("Count")])
    count = 0
    for row in query.rows().iterator(chunk_size=2000):
        writer.writerow(
            [
                moment(row.at),
                _person(row.user) if row.user_id else _("the scheduled job"),
                row.get_action_display(),
                _record(row.object_type, row.object_id),
                "" if row.count is None else row.count,
            ]
        )
        count += 1
    access_log_record(
        acting_user=acting_user,
        action=AccessLogEntry.Action.EXPORT,
        target=ACCESS_LOG_LABEL,
        count=count,
        path=f"?{filters}"[:300],
    )
    return out.getvalue().encode("utf-8")
