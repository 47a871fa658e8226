"""The register of processing activities (GDPR Art. 30), computed.

Every entry comes from the purpose registry (consents.registry) and the
data map (core.data_map): it changes when the code changes, never by
hand. The few statements that are neither (security measures, transfers)
are constants here, next to the code they describe.
"""

import io
from collections import defaultdict
from dataclasses import dataclass, field

from django.conf import settings
from django.utils.translation import gettext_lazy as _

from consents import registry
from consents.documents import purpose_name, purpose_text
from core import data_map, downloads
from core.classification import Category, Subject

LEGAL_BASES = {
    registry.CONSENT: _("Consent (Art. 6(1)(a))"),
    registry.CONTRACT: _("Contract (Art. 6(1)(b))"),
    registry.LEGAL_OBLIGATION: _("Legal obligation (Art. 6(1)(c))"),
    registry.LEGITIMATE_INTEREST: _("Legitimate interest (Art. 6(1)(f))"),
}
SECURITY_MEASURES = (
    _(
        "Staff sign-in with password and a second factor (TOTP), lockout after "
        "repeated failures"
    ),
    _(
        "Role-based permissions kept in code; advisers see only their boutiques' "
        "clients on every path"
    ),
    _("Access log of every view, export and download of personal data"),
    _("Health data encrypted at rest, readable only with explicit consent"),
    _("Append-only consent ledger enforced by a database trigger"),
    _(
        "Private storage for scans and reports; downloads permission-checked "
        "and expiring"
    ),
)
# Transfers outside the EEA are rows (privacy.models.Transfer) and the
# boutiques' own, derived from their country (privacy.processors): the
# register lists them in one section, for every purpose.
SEE_TRANSFERS = _("See “Transfers outside the EEA” below")


@dataclass
class Activity:
    code: str
    name: str
    description: str
    legal_basis: str
    categories: list[str]
    people: list[str]
    recipients: list[str]
    transfers: str
    retention: str
    special_category: bool
    balancing: str
    fields: dict[str, list[str]] = field(default_factory=dict)


def _fields_by_category() -> dict[str, list[str]]:
    out = defaultdict(list)
    for model, entry in data_map.datamap().items():
        if entry.subject is not Subject.CLIENT:
            continue
        for name, f in entry.fields.items():
            if f.category is not Category.NOT_PERSONAL:
                out[str(f.category)].append(f"{model._meta.label}.{name}")
    return out


def activities() -> list[Activity]:
    fields = _fields_by_category()
    out = []
    for spec in registry.PURPOSES:
        test = spec.balancing_test
        out.append(
            Activity(
                code=spec.code,
                name=purpose_name(spec.code, spec.name),
                description=purpose_text(spec.code, "description", spec.description),
                legal_basis=LEGAL_BASES[spec.legal_basis]
                + (
                    _(" and explicit consent (Art. 9(2)(a))")
                    if spec.special_category
                    else ""
                ),
                categories=list(spec.data_categories),
                people=[_("Clients and prospective clients")],
                recipients=list(spec.recipients),
                transfers=SEE_TRANSFERS,
                retention=purpose_text(spec.code, "retention", spec.retention),
                special_category=spec.special_category,
                balancing=(
                    f"{test.interest} {test.necessity} {test.rights}" if test else ""
                ),
                fields={c: fields.get(c, []) for c in spec.data_categories},
            )
        )
    return out


def register_context() -> dict:
    from privacy import dpias, processors
    from privacy.sharing import exports

    return {
        "controller": settings.PRIVACY_CONTROLLER,
        "representative": settings.PRIVACY_REPRESENTATIVE,
        "dpo": settings.PRIVACY_DPO,
        "recipients": processors.register_recipients(),
        "dpias": dpias.dpias_by_purpose(),
        "missing_dpias": dpias.missing_dpias(),
        "transfers": processors.register_transfers(),
        "activities": activities(),
        "security_measures": SECURITY_MEASURES,
        # Recipients of group and partner sharing, from the transfers made.
        "sharing_recipients": exports.recipients(),
    }


REGISTER_CSV = downloads.register(
    downloads.Download(
        key="register-csv",
        label=_("Register of processing activities (CSV)"),
        sites=(
            "privacy.register.register_csv",
            "privacy.admin.requests.DataSubjectRequestAdmin.register_csv_view",
        ),
    )
)
REGISTER_HTML = downloads.register(
    downloads.Download(
        key="register-html",
        label=_("Register of processing activities (HTML page)"),
        sites=("privacy.admin.requests.DataSubjectRequestAdmin.register_html_view",),
        spreadsheet=False,
        not_spreadsheet_because=(
            "an HTML page rendered with Django's escaping, the same text as "
            "the register's CSV; it names purposes and recipients, no client"
        ),
    )
)


def register_csv() -> bytes:
    out = io.StringIO()
    writer = downloads.csv_writer(out)
    writer.writerow(
        [
            "purpose",
            "purpose code",
            "description",
            "legal basis",
            "categories of data",
            "categories of people",
            "recipients",
            "transfers",
            "retention",
            "security measures",
            "fields",
        ]
    )
    for a in activities():
        writer.writerow(
            [
                a.name,
                a.code,
                a.description,
                a.legal_basis,
                "; ".join(map(str, a.categories)),
                "; ".join(map(str, a.people)),
                "; ".join(map(str, a.recipients)),
                a.transfers,
                a.retention,
                "; ".join(map(str, SECURITY_MEASURES)),
                "; ".join(str(f) for fs in a.fields.values() for f in fs),
            ]
        )
    return out.getvalue().encode("utf-8")
