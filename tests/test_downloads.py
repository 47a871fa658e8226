"""Every file the app produces for download is registered, and every
spreadsheet among them comes out with formulas inert.

Two nets:
- the registry net: the project's source is read for CSV writers, file
  responses, attachment headers, file content types, zip writers and
  django-import-export export admins; each site must be named by a
  registered download (core.downloads), and each registered site
  must exist. A new download added without registering fails here.
- the formula net: each registered spreadsheet download is produced
  through its real code path with client data that a spreadsheet would
  run as formulas, and every cell of every CSV in it must be inert.
"""

import ast
import csv
import dataclasses
import importlib
import io
import json
import pkgutil
import zipfile
from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest
from django import forms
from django.conf import settings
from django.contrib import admin
from django.urls import reverse
from django.utils import timezone
from import_export.admin import ExportMixin

from clienteling.models import Boutique
from clienteling.resources import CsvFormat
from consents import outreach, registry
from consents.models import Purpose
from core import downloads, roles
from orders.selectors import PurchaseRow
from privacy import register, reports
from privacy import requests as dsr
from privacy.models import DataSubjectRequest, GuestListDisclosure, Partner
from privacy.sharing import eligibility, exports
from privacy.sharing.files import export_root
from tests.clienteling.factories import (
    BoutiqueFactory,
    ClientFactory,
    ContactFactory,
    EmailFactory,
    HouseEventFactory,
    InvitationFactory,
    UserFactory,
    adviser,
    compliance,
)
from tests.consents.factories import grant
from tests.privacy.factories import OrganiserFactory

# The project's own code; tests/ and bench/ produce no download.
APPS = ("clienteling", "consents", "orders", "privacy", "segments", "config")
ROOT = Path(settings.BASE_DIR)

HOSTILE = (
    '=HYPERLINK("http://x","y")',
    "+1+1",
    "-2+3",
    "@SUM(A1)",
    "\t=1",
    "\r=1",
)

# --- Reading the source for download sites -----------------------------------

# The one place a raw csv writer may be built: the formula-safe writer.
RAW_WRITER_ALLOWED = {"core.downloads._FormulaSafeWriter.__init__"}
FILE_CONTENT_TYPES = (
    "text/csv",
    "text/tab-separated-values",
    "application/zip",
    "application/pdf",
    "application/octet-stream",
    "application/vnd.",
    "application/json",
)
SPREADSHEET_LIBRARIES = ("openpyxl", "xlwt", "xlsxwriter", "odf", "pyexcel")
EXPORT_ADMIN_BASES = {
    "ExportMixin",
    "ImportExportMixin",
    "ExportActionMixin",
    "ImportExportModelAdmin",
    "ExportActionModelAdmin",
}


def _source_files():
    for app in APPS:
        for path in sorted((ROOT / app).rglob("*.py")):
            if "migrations" not in path.parts:
                yield path


def _module_name(path: Path) -> str:
    return ".".join(path.relative_to(ROOT).with_suffix("").parts).removesuffix(
        ".__init__"
    )


class _Sites(ast.NodeVisitor):
    """(site, what) for each place that writes or serves a file."""

    def __init__(self, module: str):
        self.module = module
        self.stack: list[str] = []
        self.found: list[tuple[str, str]] = []

    def _site(self) -> str:
        return ".".join([self.module, *self.stack])

    def _add(self, what: str) -> None:
        self.found.append((self._site(), what))

    def _scoped(self, node):
        self.stack.append(node.name)
        self.generic_visit(node)
        self.stack.pop()

    def visit_ClassDef(self, node):
        bases = {getattr(b, "id", getattr(b, "attr", "")) for b in node.bases}
        self.stack.append(node.name)
        if bases & EXPORT_ADMIN_BASES:
            self._add("django-import-export export admin")
        self.generic_visit(node)
        self.stack.pop()

    visit_FunctionDef = visit_AsyncFunctionDef = _scoped

    def visit_Call(self, node):
        func = node.func
        name = getattr(func, "attr", getattr(func, "id", ""))
        owner = getattr(getattr(func, "value", None), "id", "")
        if owner == "csv" and name in ("writer", "DictWriter"):
            self._add("raw csv writer")
        elif name in ("csv_writer", "csv_dict_writer"):
            self._add("formula-safe csv writer")
        elif name in ("FileResponse", "StreamingHttpResponse"):
            self._add(name)
        elif name == "ZipFile" and any(
            isinstance(a, ast.Constant) and a.value in ("w", "a", "x")
            for a in [*node.args, *(k.value for k in node.keywords)]
        ):
            self._add("zip writer")
        elif name == "export" and node.args:
            self._add("tablib export")
        self.generic_visit(node)

    def visit_Constant(self, node):
        if isinstance(node.value, str) and node.value.lower() == "content-disposition":
            self._add("Content-Disposition header")

    def visit_keyword(self, node):
        value = node.value
        if (
            node.arg == "content_type"
            and isinstance(value, ast.Constant)
            and isinstance(value.value, str)
            and value.value.startswith(FILE_CONTENT_TYPES)
        ):
            self._add(f"file content type {value.value}")
        self.generic_visit(node)

    def visit_Import(self, node):
        for alias in node.names:
            if alias.name.split(".")[0] in SPREADSHEET_LIBRARIES:
                self._add(f"spreadsheet library {alias.name}")

    def visit_ImportFrom(self, node):
        if (node.module or "").split(".")[0] in SPREADSHEET_LIBRARIES:
            self._add(f"spreadsheet library {node.module}")


def download_sites() -> list[tuple[str, str]]:
    found = []
    for path in _source_files():
        visitor = _Sites(_module_name(path))
        visitor.visit(ast.parse(path.read_text(encoding="utf-8")))
        found += visitor.found
    return found


def _import_every_module() -> None:
    """Registrations live beside the code that writes each file."""
    for app in APPS:
        package = importlib.import_module(app)
        for info in pkgutil.walk_packages(package.__path__, f"{app}."):
            if ".migrations" not in info.name and ".management." not in info.name:
                importlib.import_module(info.name)


def _registered_sites() -> set[str]:
    _import_every_module()
    return {site for d in downloads.registered() for site in d.sites}


def test_the_scan_finds_the_known_downloads():
    # The net is only as good as its reading: it must see what exists.
    sites = {site for site, _ in download_sites()}

    assert {
        "consents.outreach._write",
        "consents.views.outreach_download",
        "consents.views.scan",
        "privacy.reports._csv",
        "privacy.reports.write_zip",
        "privacy.register.register_csv",
        "privacy.sharing.files._CsvAndJsonLines.__init__",
        "clienteling.admin.ClientAdmin",
    } <= sites


def test_every_place_that_writes_or_serves_a_file_is_a_registered_download():
    registered = _registered_sites() | RAW_WRITER_ALLOWED

    unregistered = sorted(
        f"{site} ({what})"
        for site, what in download_sites()
        if site not in registered and not site.startswith("core.downloads.")
    )

    assert unregistered == [], (
        "Register these downloads in core.downloads (and give the "
        "formula test a producer for each spreadsheet): " + ", ".join(unregistered)
    )


def test_only_the_formula_safe_writer_builds_a_csv_writer():
    raw = sorted(
        site
        for site, what in download_sites()
        if what == "raw csv writer" and site not in RAW_WRITER_ALLOWED
    )

    assert raw == [], "Write CSV with core.downloads.csv_writer: " + str(raw)


def test_every_registered_site_exists():
    _import_every_module()
    missing = []
    for download in downloads.registered():
        for site in download.sites:
            parts = site.split(".")
            for split in range(len(parts), 0, -1):
                try:
                    target = importlib.import_module(".".join(parts[:split]))
                except ImportError:
                    continue
                try:
                    for attribute in parts[split:]:
                        target = getattr(target, attribute)
                except AttributeError:
                    missing.append(site)
                break
            else:
                missing.append(site)

    assert missing == []


def test_every_export_admin_is_registered_and_exports_csv_only():
    registered = _registered_sites()

    export_admins = [
        model_admin
        for model_admin in admin.site._registry.values()
        if isinstance(model_admin, ExportMixin)
    ]

    assert export_admins, "the client list export is an export admin"
    for model_admin in export_admins:
        kind = type(model_admin)
        assert f"{kind.__module__}.{kind.__qualname__}" in registered
        for file_format in model_admin.get_export_formats():
            assert issubclass(file_format, CsvFormat), file_format


def test_a_download_says_whether_it_is_a_spreadsheet_and_why_not():
    with pytest.raises(ValueError, match="says why"):
        downloads.register(
            downloads.Download(key="x", label="x", sites=(), spreadsheet=False)
        )
    with pytest.raises(ValueError, match="says why"):
        downloads.register(
            downloads.Download(
                key="y", label="y", sites=(), not_spreadsheet_because="why"
            )
        )
    assert "x" not in {d.key for d in downloads.registered()}


# --- The formula-safe rule -----------------------------------------------------


@pytest.mark.parametrize("value", HOSTILE)
def test_a_formula_gets_an_apostrophe(value):
    assert downloads.formula_safe(value) == "'" + value


@pytest.mark.parametrize(
    "value", ["Aline", "+33199000001", "", "O'Neil", 42, Decimal("-3.5"), None]
)
def test_anything_else_is_written_as_it_is(value):
    assert downloads.formula_safe(value) == value


def test_the_writers_neutralise_every_cell_but_not_the_header():
    out = io.StringIO()
    writer = downloads.csv_dict_writer(out, fieldnames=["=name"])
    writer.writeheader()
    writer.writerow({"=name": "=1+1"})
    downloads.csv_writer(out).writerows([["@A1", "-1", 7], ["a\rb", "\r=1"]])

    assert list(csv.reader(io.StringIO(out.getvalue(), newline=""))) == [
        ["=name"],
        ["'=1+1"],
        ["'@A1", "'-1", "7"],
        ["a\rb", "'\r=1"],
    ]


def test_a_line_ending_other_than_crlf_is_refused():
    with pytest.raises(ValueError, match="LINE_TERMINATOR"):
        downloads.csv_dict_writer(io.StringIO(), ["a"], lineterminator="\n")


# --- Producing each spreadsheet download with hostile data ---------------------


def _hostile_clients(boutique):
    return [
        ClientFactory(home_boutique=boutique, first_name=value, last_name=value)
        for value in HOSTILE
    ]


def _client_list_export(client, **_):
    boutique = BoutiqueFactory()
    _hostile_clients(boutique)
    client.force_login(compliance())
    url = reverse("admin:clienteling_client_export")
    form = client.get(url).context["form"]
    data = {"format": "0", "resource": "0"}
    data.update(
        {
            name: "on"
            for name, field in form.fields.items()
            if isinstance(field, forms.BooleanField)
        }
    )
    response = client.post(url, data)
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    return [response.content.decode("utf-8")]


def _outreach_list(client, **_):
    boutique = BoutiqueFactory()
    for n, person in enumerate(_hostile_clients(boutique)):
        EmailFactory(client=person, address=f"formula{n}@example.com")
        grant(person, registry.NEWSLETTERS)
    user = adviser(boutique)
    outreach_list = outreach.outreach_list_request(
        acting_user=user,
        purpose=Purpose.objects.get(code=registry.NEWSLETTERS),
        channel="email",
        boutique=None,
    )
    outreach.outreach_list_build(list_id=outreach_list.pk)
    client.force_login(user)
    response = client.get(
        reverse("admin:consents_outreach_download", args=[outreach_list.pk])
    )
    assert response.status_code == 200
    return [b"".join(response.streaming_content).decode("utf-8")]


def _organiser_guest_list(client, **_):
    boutique = BoutiqueFactory()
    event = HouseEventFactory(boutique=boutique)
    for person in _hostile_clients(boutique):
        EmailFactory(client=person)
        InvitationFactory(event=event, client=person, status="accepted")
    client.force_login(compliance())
    response = client.post(
        reverse("admin:privacy_guestlistdisclosure_add"),
        {
            "event": event.pk,
            "organiser": OrganiserFactory().pk,
            "categories": ["names", "email"],
        },
    )
    assert response.status_code == 302
    guest_list = GuestListDisclosure.objects.get(event=event)
    response = client.get(
        reverse("admin:privacy_guestlistdisclosure_download", args=[guest_list.pk])
    )
    assert response.status_code == 200
    return [response.content.decode("utf-8")]


def _access_report_zip(capture, **_):
    boutique = BoutiqueFactory()
    staff = UserFactory(role=roles.MANAGER, boutiques=[boutique])
    person = ClientFactory(
        home_boutique=boutique, first_name=HOSTILE[0], last_name=HOSTILE[1]
    )
    for value in HOSTILE:
        ContactFactory(client=person, subject=value, summary=value)
    access = dsr.request_open(
        acting_user=staff,
        client=person,
        kind=DataSubjectRequest.Kind.ACCESS,
        channel="email",
        received_on=timezone.localdate(),
    )
    access = dsr.request_verify_identity(
        acting_user=staff, request=access, method="known_email"
    )
    with capture(execute=True):
        report = reports.report_request(acting_user=staff, request=access)
    report.refresh_from_db()
    archive = zipfile.ZipFile(
        io.BytesIO((reports.storage_dir() / report.file_name).read_bytes())
    )
    # The machine-readable JSON keeps the values exactly (decision 0015).
    document = archive.read("report.json").decode("utf-8")
    assert json.dumps(HOSTILE[0])[1:-1] in document
    assert "'" + json.dumps(HOSTILE[0])[1:-1] not in document
    names = [n for n in archive.namelist() if n.endswith(".csv")]
    assert names
    return [archive.read(n).decode("utf-8") for n in names]


def _register_csv(monkeypatch, **_):
    real = register.activities()
    monkeypatch.setattr(
        register,
        "activities",
        lambda: [
            dataclasses.replace(
                real[0], name=value, description=value, recipients=[value]
            )
            for value in HOSTILE
        ],
    )
    return [register.register_csv().decode("utf-8")]


def _group_export(settings, **_):
    settings.SHARING_KEYS = {"group": [("2026a", "a" * 40)]}
    settings.SHARING_DEMO_KEYS = False
    people = _hostile_clients(BoutiqueFactory())
    for person in people:
        grant(person, eligibility.CROSS_GROUP)

    def purchases(client_ids, since):
        for client_id, value in zip(client_ids, HOSTILE * len(people), strict=False):
            yield PurchaseRow(
                client_id=client_id,
                category=value,
                collection=value,
                metals=("platinum",),
                unit_price=Decimal(4200),
                currency="EUR",
                boutique_country="FR",
                purchased_on=timezone.localdate().replace(day=1),
            )

    batch = exports.group_export_run(acting_user=None, purchases=purchases)
    folder = export_root() / batch.folder
    return [p.read_text(encoding="utf-8") for p in sorted(folder.glob("*.csv"))]


def _partner_export(settings, **_):
    settings.SHARING_KEYS = {"lafayette": [("k1", "p" * 40)], "group": []}
    settings.SHARING_DEMO_KEYS = False
    shop = BoutiqueFactory(
        kind=Boutique.Kind.SHOP_IN_SHOP, department_store="Kaufhaus Exemple"
    )
    partner = Partner.objects.create(
        code="lafayette",
        name="Kaufhaus Exemple",
        agreement_reference="DSA-2026-014",
        agreement_signed_on=date(2026, 1, 10),
    )
    partner.boutiques.set([shop])
    for n, person in enumerate(_hostile_clients(shop)):
        EmailFactory(client=person, address=f"formula{n}@example.com")
        grant(person, eligibility.PARTNER_SHARING)
    batch = exports.partner_export_run(acting_user=None, partner=partner)
    folder = export_root() / batch.folder
    return [p.read_text(encoding="utf-8") for p in sorted(folder.glob("*.csv"))]


def _dashboard_figures(client, **_):
    boutique = BoutiqueFactory()
    for value in HOSTILE:
        staff = UserFactory(
            role=roles.ADVISER, boutiques=[boutique], first_name=value, last_name=""
        )
        ContactFactory(client=ClientFactory(home_boutique=boutique), staff=staff)
    client.force_login(UserFactory(role=roles.MANAGER, boutiques=[boutique]))
    response = client.get(
        reverse("admin:segments_dashboard_manager"),
        {"boutique": boutique.pk, "format": "csv"},
    )
    assert response["Content-Type"].startswith("text/csv")
    return [response.content.decode("utf-8")]


def _access_log_csv(**_):
    from core.services import access_log_record
    from privacy import accountability

    officer = UserFactory()
    for value in HOSTILE:
        access_log_record(
            acting_user=UserFactory(first_name=value, last_name=""),
            action="view",
            target=officer,
        )
    today = timezone.localdate()
    query = accountability.access_log_query(start=today, end=today)
    return [
        accountability.access_log_csv(
            acting_user=officer, query=query, filters=""
        ).decode("utf-8")
    ]


def _accountability_zip(monkeypatch, **_):
    from privacy import accountability
    from privacy.models import Recipient

    for value in HOSTILE:
        Recipient.objects.create(
            name=value,
            kind=Recipient.Kind.PROCESSOR,
            service=value,
            agreement_reference="DPA-1",
            agreement_signed_on=timezone.localdate(),
        )
    data = accountability.accountability_zip(acting_user=UserFactory())
    archive = zipfile.ZipFile(io.BytesIO(data))
    return [archive.read(name).decode("utf-8") for name in archive.namelist()]


PRODUCERS = {
    "dashboard-figures": _dashboard_figures,
    "client-list-export": _client_list_export,
    "outreach-list": _outreach_list,
    "organiser-guest-list": _organiser_guest_list,
    "access-report": _access_report_zip,
    "register-csv": _register_csv,
    "access-log-csv": _access_log_csv,
    "accountability-zip": _accountability_zip,
    "group-export": _group_export,
    "partner-export": _partner_export,
}


def _spreadsheet_keys() -> list[str]:
    _import_every_module()
    return [d.key for d in downloads.registered() if d.spreadsheet]


def test_every_spreadsheet_download_has_a_producer_in_the_formula_net():
    assert sorted(PRODUCERS) == sorted(_spreadsheet_keys())


def _inert(cell: str) -> bool:
    return downloads.formula_safe(cell) == cell


@pytest.mark.django_db
@pytest.mark.parametrize("key", sorted(PRODUCERS))
def test_each_spreadsheet_download_neutralises_formulas(
    key, client, settings, monkeypatch, django_capture_on_commit_callbacks
):
    files = PRODUCERS[key](
        client=client,
        settings=settings,
        monkeypatch=monkeypatch,
        capture=django_capture_on_commit_callbacks,
    )

    cells = [
        cell
        for text in files
        for row in csv.reader(io.StringIO(text, newline=""))
        for cell in row
    ]
    live = [cell for cell in cells if not _inert(cell)]
    assert live == [], f"{key}: cells a spreadsheet would run: {live}"
    # Each hostile value did reach the file (names are stripped on the way
    # into some), so the net is real.
    for value in HOSTILE:
        assert any(value.strip() in cell for cell in cells), (key, value)
    assert any(cell.startswith("'") for cell in cells)
