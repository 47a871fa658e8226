"""Cross-group intelligence and partner sharing: exports that honour consent.

Dangerous module: it is where client data leaves the house. Rules
(RULE_VERSION, recorded on every batch; change the version when a rule
changes):

- Group export: clients whose current decision (latest wins, consents.
  selectors) for cross-group intelligence is a grant, whose record is
  active and not restricted; their purchases of the last 36 months as
  product category, collection, metals, price band, boutique country and
  month, keyed by a pseudonym (privacy.pseudonyms). Nothing else: no
  name, contact detail, date of birth, free text or exact address.
- Partner export: clients of the partner's shop-in-shops with a current
  partner-sharing grant, active and not restricted; the minimum a partner
  needs to welcome them (a per-partner reference, name, primary email,
  language, shop-in-shop code).
- Each transfer lists the clients previously disclosed to that recipient
  whose consent is no longer current (withdrawn, objected, erased, merged):
  the recipient must delete what it received. They are never exported
  again until they grant again.
- Files are streamed chunk by chunk (memory does not grow with the number
  of clients), written into a partial folder and moved into place only
  when the batch row commits; a refused or failed run leaves no file.
"""

import csv
import hashlib
import io
import json
import logging
import os
import re
import shutil
import uuid
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path
from typing import NamedTuple

from django.apps import apps
from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from clienteling import imports
from clienteling.models import Client, ClientEmail
from consents import registry
from consents.models import ConsentDecision, Purpose, Restriction
from consents.selectors import current_decisions
from core import downloads
from core.hooks import ClientPanel
from core.models import AccessLogEntry
from core.services import access_log_record
from privacy import pseudonyms
from privacy.models import (
    Disclosure,
    GroupInsight,
    InsightImport,
    Partner,
    SharingBatch,
)

logger = logging.getLogger(__name__)

RULE_VERSION = "sharing-rules/1"
CROSS_GROUP = registry.PURPOSES_BY_CODE["cross_group_intelligence"].code
PARTNER_SHARING = registry.PURPOSES_BY_CODE[registry.PARTNER_SHARING].code
GROUP_EXPORT_MONTHS = 36
# Clients per chunk: one consent query and one purchases query per chunk;
# a few thousand keeps each query fast and memory flat at any table size.
CHUNK = 2000

GROUP_COLUMNS = (
    "pseudonym",
    "month",
    "product_category",
    "collection",
    "metal",
    "price_band",
    "boutique_country",
)
PARTNER_COLUMNS = (
    "client_ref",
    "first_name",
    "last_name",
    "email",
    "preferred_language",
    "shop_in_shop",
)
WITHDRAWAL_COLUMNS = ("pseudonym", "key_id")
# Upper bounds (exclusive) of the price bands, in the line's currency.
PRICE_BANDS = (
    (Decimal(1000), "<1k"),
    (Decimal(5000), "1k-5k"),
    (Decimal(20000), "5k-20k"),
    (Decimal(100000), "20k-100k"),
)


class SharingRefused(Exception):
    """The export cannot run (no key, no purchase source): nothing written."""


# --- Purchases: the selector orders plugs into -------------------------------


class PurchaseRow(NamedTuple):
    client_id: int
    category: str
    collection: str
    metals: tuple[str, ...]
    unit_price: Decimal
    currency: str
    boutique_country: str
    purchased_on: date


PurchaseSource = Callable[[Sequence[int], date], Iterable[PurchaseRow]]

# Orders that are sales: invoiced or delivered, not returned or cancelled.
SOLD_STATUSES = ("invoiced", "delivered")


def purchases_for(client_ids: Sequence[int], since: date) -> Iterator[PurchaseRow]:
    """Purchases of these clients since `since`, as plain rows, one query.

    Reads orders' OrderLine (one row per line; quantity repeats the row).
    Refused with SharingRefused while the orders app has no models.
    """
    try:
        line_model = apps.get_model("orders", "OrderLine")
    except LookupError:
        raise SharingRefused(
            "Purchases are not available: the orders app has no OrderLine "
            "model yet. Nothing was exported."
        ) from None
    lines = (
        line_model.objects.filter(
            order__client_id__in=list(client_ids),
            order__status__in=SOLD_STATUSES,
            order__created_at__date__gte=since,
        )
        .order_by("order__client_id", "order__created_at", "id")
        .values_list(
            "order__client_id",
            "product__category",
            "product__collection__name",
            "product__metals",
            "unit_price",
            "currency",
            "order__boutique__country",
            "order__created_at",
            "quantity",
        )
    )
    for (
        client_id,
        category,
        collection,
        metals,
        price,
        currency,
        country,
        at,
        qty,
    ) in lines.iterator(chunk_size=CHUNK):
        row = PurchaseRow(
            client_id,
            category,
            collection,
            tuple(sorted(metals or ())),
            price,
            currency,
            str(country),
            timezone.localdate(at),
        )
        for _ in range(max(qty, 1)):
            yield row


def months_before(day: date, months: int) -> date:
    """The same day `months` earlier (29 Feb -> 28 Feb in a common year)."""
    index = day.year * 12 + day.month - 1 - months
    year, month = divmod(index, 12)
    month += 1
    for candidate in (day.day, 30, 29, 28):
        try:
            return date(year, month, candidate)
        except ValueError:
            continue
    raise AssertionError("unreachable")


def price_band(amount: Decimal, currency: str) -> str:
    for bound, label in PRICE_BANDS:
        if amount < bound:
            return f"{currency} {label}"
    return f"{currency} 100k+"


def group_row(pseudonym: str, purchase: PurchaseRow) -> dict[str, str]:
    """The only fields of a purchase that leave for the group."""
    return {
        "pseudonym": pseudonym,
        "month": purchase.purchased_on.strftime("%Y-%m"),
        "product_category": purchase.category,
        "collection": purchase.collection,
        "metal": "|".join(purchase.metals),
        "price_band": price_band(purchase.unit_price, purchase.currency),
        "boutique_country": purchase.boutique_country,
    }


# --- Who may be shared -------------------------------------------------------


def _purpose_id(code: str) -> int:
    return Purpose.objects.only("pk").get(code=code).pk


def current_consenting(
    *, purpose_code: str, client_ids: Sequence[int], now: datetime
) -> set[int]:
    """Of these clients, those with a current grant, active, not restricted."""
    purpose_id = _purpose_id(purpose_code)
    latest = current_decisions(client_ids=client_ids, purpose_ids=[purpose_id])
    granted = {
        client_id
        for (client_id, _), decision in latest.items()
        if decision.decision == ConsentDecision.Decision.GRANT
        and decision.decided_at <= now
    }
    if not granted:
        return set()
    active = set(
        Client.objects.filter(pk__in=granted, status=Client.Status.ACTIVE).values_list(
            "pk", flat=True
        )
    )
    restricted = set(
        Restriction.objects.filter(
            client_id__in=active, started_at__lte=now, lifted_at__isnull=True
        ).values_list("client_id", flat=True)
    )
    return active - restricted


def consenting_chunks(
    *, purpose_code: str, now: datetime, boutique_ids: Sequence[int] | None = None
) -> Iterator[list[int]]:
    """Chunks of consenting client ids, ascending, CHUNK candidates at a time.

    Candidates are clients who ever granted the purpose; each chunk is then
    filtered to those whose latest decision is a grant.
    """
    purpose_id = _purpose_id(purpose_code)
    after = 0
    while True:
        candidates = ConsentDecision.objects.filter(
            purpose_id=purpose_id,
            decision=ConsentDecision.Decision.GRANT,
            client_id__gt=after,
        )
        if boutique_ids is not None:
            candidates = candidates.filter(client__home_boutique_id__in=boutique_ids)
        ids = list(
            candidates.order_by("client_id")
            .values_list("client_id", flat=True)
            .distinct()[:CHUNK]
        )
        if not ids:
            return
        after = ids[-1]
        keep = current_consenting(purpose_code=purpose_code, client_ids=ids, now=now)
        yield [client_id for client_id in ids if client_id in keep]


# --- Streaming files with their checksums ------------------------------------


class _HashedFile:
    """A text file written line by line, hashed as it is written."""

    def __init__(self, path: Path):
        self.path = path
        self._file = path.open("w", encoding="utf-8", newline="")
        self._digest = hashlib.sha256()
        self.bytes = 0
        self.rows = 0

    def write(self, text: str) -> None:
        data = text.encode("utf-8")
        self._digest.update(data)
        self.bytes += len(data)
        self._file.write(text)

    def close(self) -> dict:
        self._file.close()
        return {
            "sha256": self._digest.hexdigest(),
            "bytes": self.bytes,
            "rows": self.rows,
        }


GROUP_EXPORT = downloads.register(
    downloads.Download(
        key="group-export",
        label="Cross-group export (purchases.csv and .jsonl, for the group)",
        sites=(
            "privacy.sharing._CsvAndJsonLines.__init__",
            "privacy.sharing.group_export_run",
            # Erasure rewrites a delivered batch without the erased client.
            "privacy.sharing._rewrite_without",
        ),
    )
)
PARTNER_EXPORT = downloads.register(
    downloads.Download(
        key="partner-export",
        label="Partner export (clients.csv and .jsonl, for a department store)",
        sites=(
            "privacy.sharing._CsvAndJsonLines.__init__",
            "privacy.sharing.partner_export_run",
            # Erasure rewrites a delivered batch without the erased client.
            "privacy.sharing._rewrite_without",
        ),
    )
)


class _CsvAndJsonLines:
    """The same rows as CSV and as JSON Lines, streamed."""

    def __init__(self, folder: Path, stem: str, columns: Sequence[str]):
        self.columns = columns
        self.csv = _HashedFile(folder / f"{stem}.csv")
        self.jsonl = _HashedFile(folder / f"{stem}.jsonl")
        self._buffer = io.StringIO()
        self._writer = downloads.csv_dict_writer(self._buffer, fieldnames=columns)
        self._writer.writeheader()
        self._flush_csv()

    def _flush_csv(self) -> None:
        self.csv.write(self._buffer.getvalue())
        self._buffer.seek(0)
        self._buffer.truncate()

    def write_rows(self, rows: Iterable[dict]) -> None:
        lines = []
        for row in rows:
            self._writer.writerow(row)
            lines.append(json.dumps(row, ensure_ascii=False, separators=(",", ":")))
            self.csv.rows += 1
            self.jsonl.rows += 1
        self._flush_csv()
        if lines:
            self.jsonl.write("\n".join(lines) + "\n")

    def close(self) -> dict[str, dict]:
        return {
            self.csv.path.name: self.csv.close(),
            self.jsonl.path.name: self.jsonl.close(),
        }


def export_root() -> Path:
    root = settings.SHARING_EXPORT_ROOT
    return Path(root) if root else Path(settings.PRIVATE_STORAGE_ROOT) / "sharing"


# --- Exports -----------------------------------------------------------------


@dataclass
class _Run:
    batch: SharingBatch
    partial: Path
    final: Path
    files: dict[str, dict] = field(default_factory=dict)


def _start(*, kind: str, partner: Partner | None, acting_user, now, key) -> _Run:
    batch = SharingBatch(
        batch_id=uuid.uuid4(),
        kind=kind,
        partner=partner,
        created_at=now,
        created_by=acting_user,
        consent_snapshot_at=now,
        rule_version=RULE_VERSION,
        key_id=key.key_id,
        folder="",
        manifest_sha256="0" * 64,
    )
    relative = (
        Path("group") if partner is None else Path("partners") / partner.code
    ) / f"{now:%Y%m%dT%H%M%S}-{batch.batch_id}"
    batch.folder = str(relative)
    batch.full_clean()
    batch.save()
    final = export_root() / relative
    partial = final.with_name(final.name + ".partial")
    partial.mkdir(parents=True)
    return _Run(batch, partial, final)


def _recall(*, run: _Run, recipient: str, eligible_now: Callable) -> list[int]:
    """Disclosed clients no longer eligible: mark them recalled in this batch."""
    recalled: list[int] = []
    after = 0
    while True:
        ids = list(
            Disclosure.objects.filter(
                recipient=recipient, recalled_in__isnull=True, client_id__gt=after
            )
            .order_by("client_id")
            .values_list("client_id", flat=True)[:CHUNK]
        )
        if not ids:
            break
        after = ids[-1]
        still = eligible_now(ids)
        gone = [client_id for client_id in ids if client_id not in still]
        Disclosure.objects.filter(recipient=recipient, client_id__in=gone).update(
            recalled_in=run.batch
        )
        recalled.extend(gone)
    return recalled


def _write_withdrawals(run: _Run, recipient: str, recalled: list[int]) -> None:
    out = _CsvAndJsonLines(run.partial, "withdrawals", WITHDRAWAL_COLUMNS)
    keys = pseudonyms.keys_for(recipient)
    for start in range(0, len(recalled), CHUNK):
        out.write_rows(
            {"pseudonym": key.pseudonym(client_id), "key_id": key.key_id}
            for client_id in recalled[start : start + CHUNK]
            for key in keys
        )
    run.files.update(out.close())


def _disclose(run: _Run, recipient: str, client_ids: Iterable[int]) -> None:
    rows = [
        Disclosure(
            recipient=recipient,
            client_id=client_id,
            first_batch=run.batch,
            last_batch=run.batch,
            recalled_in=None,
        )
        for client_id in client_ids
    ]
    if rows:
        Disclosure.objects.bulk_create(
            rows,
            update_conflicts=True,
            unique_fields=["recipient", "client"],
            update_fields=["last_batch", "recalled_in"],
        )


def _finish(run: _Run, *, acting_user, extra: dict) -> SharingBatch:
    batch = run.batch
    manifest = {
        "batch_id": str(batch.batch_id),
        "kind": batch.kind,
        "recipient": batch.recipient,
        "created_at": batch.created_at.isoformat(),
        "consent_snapshot_at": batch.consent_snapshot_at.isoformat(),
        "rule_version": batch.rule_version,
        "key_id": batch.key_id,
        "row_count": batch.row_count,
        "client_count": batch.client_count,
        "withdrawal_count": batch.withdrawal_count,
        **extra,
        "files": run.files,
    }
    data = (json.dumps(manifest, indent=2, sort_keys=True) + "\n").encode()
    (run.partial / "manifest.json").write_bytes(data)
    batch.manifest_sha256 = hashlib.sha256(data).hexdigest()
    batch.full_clean()
    batch.save()
    access_log_record(
        acting_user=acting_user,
        action=AccessLogEntry.Action.EXPORT,
        target=batch,
        count=batch.client_count,
        path=f"sharing:{batch.kind}:{batch.recipient}",
    )
    # Last step inside the transaction: a failure here rolls the batch back.
    os.replace(run.partial, run.final)
    return batch


def _guarded(function):
    """Run an export; on any failure remove its partial folder."""

    def wrapper(*args, **kwargs):
        created: list[Path] = []
        kwargs["_created"] = created
        try:
            return function(*args, **kwargs)
        except BaseException:
            for folder in created:
                shutil.rmtree(folder, ignore_errors=True)
            raise

    wrapper.__name__ = function.__name__
    wrapper.__doc__ = function.__doc__
    return wrapper


@_guarded
@transaction.atomic
def group_export_run(
    *,
    acting_user,
    now: datetime | None = None,
    purchases: PurchaseSource | None = None,
    _created: list | None = None,
) -> SharingBatch:
    """Write one cross-group batch: purchases, withdrawals, manifest.

    Refused (SharingRefused, nothing written) when the group has no key or
    purchases are unavailable.
    """
    now = now or timezone.now()
    purchases = purchases or purchases_for
    try:
        key = pseudonyms.current_key(pseudonyms.GROUP)
    except pseudonyms.NoSharingKey as exc:
        raise SharingRefused(str(exc)) from None
    if purchases is purchases_for and not _orders_ready():
        raise SharingRefused(
            "Purchases are not available: the orders app has no OrderLine "
            "model yet. Nothing was exported."
        )
    since = months_before(timezone.localtime(now).date(), GROUP_EXPORT_MONTHS)
    run = _start(
        kind=SharingBatch.Kind.GROUP,
        partner=None,
        acting_user=acting_user,
        now=now,
        key=key,
    )
    _created.append(run.partial)
    run.batch.since = since

    def eligible_now(ids):
        return current_consenting(purpose_code=CROSS_GROUP, client_ids=ids, now=now)

    recalled = _recall(run=run, recipient=pseudonyms.GROUP, eligible_now=eligible_now)
    out = _CsvAndJsonLines(run.partial, "purchases", GROUP_COLUMNS)
    clients = 0
    for chunk in consenting_chunks(purpose_code=CROSS_GROUP, now=now):
        if not chunk:
            continue
        names = {client_id: key.pseudonym(client_id) for client_id in chunk}
        shared: set[int] = set()
        rows = []
        for purchase in purchases(chunk, since):
            if purchase.client_id not in names or purchase.purchased_on < since:
                continue  # a source must never widen the selection
            shared.add(purchase.client_id)
            rows.append(group_row(names[purchase.client_id], purchase))
        out.write_rows(rows)
        _disclose(run, pseudonyms.GROUP, sorted(shared))
        clients += len(shared)
    run.files.update(out.close())
    _write_withdrawals(run, pseudonyms.GROUP, recalled)
    group_insights_purge(client_ids=recalled)

    run.batch.client_count = clients
    run.batch.row_count = run.files["purchases.csv"]["rows"]
    run.batch.withdrawal_count = len(recalled)
    return _finish(
        run,
        acting_user=acting_user,
        extra={"since": since.isoformat(), "purpose": CROSS_GROUP},
    )


def _orders_ready() -> bool:
    try:
        apps.get_model("orders", "OrderLine")
    except LookupError:
        return False
    return True


@_guarded
@transaction.atomic
def partner_export_run(
    *,
    acting_user,
    partner: Partner,
    now: datetime | None = None,
    _created: list | None = None,
) -> SharingBatch:
    """Write one transfer to a partner: consenting clients of its shop-in-shops."""
    now = now or timezone.now()
    if not partner.is_active:
        raise SharingRefused(f"{partner.name} is not an active partner.")
    try:
        key = pseudonyms.current_key(partner.code)
    except pseudonyms.NoSharingKey as exc:
        raise SharingRefused(str(exc)) from None
    boutique_ids = list(partner.boutiques.values_list("pk", flat=True))
    if not boutique_ids:
        raise SharingRefused(f"{partner.name} operates no shop-in-shop.")
    run = _start(
        kind=SharingBatch.Kind.PARTNER,
        partner=partner,
        acting_user=acting_user,
        now=now,
        key=key,
    )
    _created.append(run.partial)

    def eligible_now(ids):
        keep = current_consenting(purpose_code=PARTNER_SHARING, client_ids=ids, now=now)
        return set(
            Client.objects.filter(
                pk__in=keep, home_boutique_id__in=boutique_ids
            ).values_list("pk", flat=True)
        )

    recalled = _recall(run=run, recipient=partner.code, eligible_now=eligible_now)
    out = _CsvAndJsonLines(run.partial, "clients", PARTNER_COLUMNS)
    clients = 0
    for chunk in consenting_chunks(
        purpose_code=PARTNER_SHARING, now=now, boutique_ids=boutique_ids
    ):
        if not chunk:
            continue
        emails = dict(
            ClientEmail.objects.filter(
                client_id__in=chunk, is_primary=True
            ).values_list("client_id", "address")
        )
        rows = [
            {
                "client_ref": key.pseudonym(pk),
                "first_name": first,
                "last_name": last,
                "email": emails.get(pk, ""),
                "preferred_language": language,
                "shop_in_shop": shop,
            }
            for pk, first, last, language, shop in Client.objects.filter(pk__in=chunk)
            .order_by("pk")
            .values_list(
                "pk",
                "first_name",
                "last_name",
                "preferred_language",
                "home_boutique__code",
            )
        ]
        out.write_rows(rows)
        _disclose(run, partner.code, chunk)
        clients += len(rows)
    run.files.update(out.close())
    _write_withdrawals(run, partner.code, recalled)
    run.batch.client_count = clients
    run.batch.row_count = clients
    run.batch.withdrawal_count = len(recalled)
    return _finish(
        run,
        acting_user=acting_user,
        extra={
            "purpose": PARTNER_SHARING,
            "partner": partner.name,
            "agreement_reference": partner.agreement_reference,
        },
    )


# --- Insights back from the group --------------------------------------------

INSIGHT_COLUMNS = (
    "pseudonym",
    "segment_codes",
    "preferred_categories",
    "house_affinity",
)
_CODE = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.-]{0,39}")
_BATCH_ID = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.:-]{0,63}")
MAX_REPORTED_ERRORS = 20


@dataclass(frozen=True)
class ParsedInsight:
    pseudonym: str
    segment_codes: list[str]
    preferred_categories: list[str]
    house_affinity: dict[str, float]


def _codes(value: str, what: str, line: int) -> list[str]:
    codes = [c for c in value.split("|") if c] if value else []
    for code in codes:
        if not _CODE.fullmatch(code):
            raise ValueError(f"line {line}: {what} {code[:40]!r} is not a code.")
    return codes


def _affinities(value: str, line: int) -> dict[str, float]:
    scores: dict[str, float] = {}
    for part in [p for p in value.split("|") if p] if value else []:
        house, _, score = part.partition(":")
        if not _CODE.fullmatch(house):
            raise ValueError(f"line {line}: house {house[:40]!r} is not a code.")
        try:
            number = float(score)
        except ValueError:
            raise ValueError(
                f"line {line}: affinity {score[:20]!r} of {house} is not a number."
            ) from None
        if not 0 <= number <= 1:
            raise ValueError(
                f"line {line}: affinity of {house} is not between 0 and 1."
            )
        if house in scores:
            raise ValueError(f"line {line}: house {house} appears twice.")
        scores[house] = number
    return scores


def insights_parse(data: bytes) -> list[ParsedInsight]:
    """Validate a whole insights file; ValidationError listing what is wrong."""
    # Empty, binary, not UTF-8 or a huge line: the client import's messages.
    text = imports.read_text(data)
    try:
        return _insights_parse(text)
    except csv.Error:
        raise ValidationError(
            "The insights file is not readable as CSV (a quote left open, or a "
            "field too long). Nothing was imported."
        ) from None


def _insights_parse(text: str) -> list[ParsedInsight]:
    reader = csv.DictReader(io.StringIO(text, newline=""))
    header = reader.fieldnames or []
    unknown = [c for c in header if c not in INSIGHT_COLUMNS]
    missing = [c for c in INSIGHT_COLUMNS if c not in header]
    repeated = sorted({c for c in header if header.count(c) > 1})
    if unknown or missing or repeated:
        problems = []
        if unknown:
            problems.append(
                f"unknown columns: {', '.join(repr(c[:40]) for c in unknown)}"
            )
        if missing:
            problems.append(f"missing columns: {', '.join(missing)}")
        if repeated:
            problems.append(f"appearing twice: {', '.join(map(repr, repeated))}")
        raise ValidationError(
            f"The insights file's header is wrong ({'; '.join(problems)}). "
            f"Expected exactly: {', '.join(INSIGHT_COLUMNS)}. Nothing was imported."
        )
    errors: list[str] = []
    seen: dict[str, int] = {}
    parsed: list[ParsedInsight] = []
    for line, row in enumerate(reader, start=2):
        if None in row or any(v is None for v in row.values()):
            errors.append(f"line {line}: wrong number of fields.")
            continue
        pseudonym = row["pseudonym"].strip()
        if not pseudonyms.is_pseudonym(pseudonym):
            errors.append(
                f"line {line}: malformed pseudonym (expected 64 lower-case "
                "hexadecimal characters)."
            )
            continue
        if pseudonym in seen:
            errors.append(
                f"line {line}: duplicated row, pseudonym already on line "
                f"{seen[pseudonym]}."
            )
            continue
        seen[pseudonym] = line
        try:
            parsed.append(
                ParsedInsight(
                    pseudonym,
                    _codes(row["segment_codes"].strip(), "segment code", line),
                    _codes(row["preferred_categories"].strip(), "category", line),
                    _affinities(row["house_affinity"].strip(), line),
                )
            )
        except ValueError as exc:
            errors.append(str(exc))
    if errors:
        shown = errors[:MAX_REPORTED_ERRORS]
        more = len(errors) - len(shown)
        raise ValidationError(
            [
                *shown,
                *([f"... and {more} more."] if more else []),
                "Nothing was imported.",
            ]
        )
    return parsed


@transaction.atomic
def insights_import(
    *, acting_user, batch_id: str, data: bytes, now: datetime | None = None
) -> InsightImport:
    """Import one insights file from the group, all or nothing.

    A row is linked only if its pseudonym (under any of the group's keys)
    belongs to a client disclosed to the group whose cross-group consent is
    still current; other rows are dropped and counted, never stored.
    """
    now = now or timezone.now()
    batch_id = batch_id.strip()
    if not _BATCH_ID.fullmatch(batch_id):
        raise ValidationError(
            {
                "batch_id": "A batch id is 1 to 64 letters, digits, dots, "
                "dashes or colons."
            }
        )
    if InsightImport.objects.filter(batch_id=batch_id).exists():
        raise ValidationError(
            {
                "batch_id": f"Batch {batch_id} was already imported. "
                "Nothing was imported."
            }
        )
    rows = insights_parse(data)
    try:
        disclosed = Disclosure.objects.filter(recipient=pseudonyms.GROUP).values_list(
            "client_id", flat=True
        )
        by_pseudonym = pseudonyms.reverse_map(pseudonyms.GROUP, disclosed.iterator())
    except pseudonyms.NoSharingKey as exc:
        raise ValidationError(str(exc)) from None
    known = {
        row.pseudonym: by_pseudonym[row.pseudonym]
        for row in rows
        if row.pseudonym in by_pseudonym
    }
    current = set()
    ids = sorted(set(known.values()))
    for start in range(0, len(ids), CHUNK):
        current |= current_consenting(
            purpose_code=CROSS_GROUP, client_ids=ids[start : start + CHUNK], now=now
        )
    record = InsightImport(
        batch_id=batch_id,
        imported_at=now,
        imported_by=acting_user,
        file_sha256=hashlib.sha256(data).hexdigest(),
        rows_total=len(rows),
        rows_linked=sum(1 for p in known.values() if p in current),
        dropped_withdrawn=sum(1 for p in known.values() if p not in current),
        dropped_unknown=len(rows) - len(known),
    )
    record.full_clean()
    record.save()
    linked = [
        GroupInsight(
            client_id=known[row.pseudonym],
            source_import=record,
            segment_codes=row.segment_codes,
            preferred_categories=row.preferred_categories,
            house_affinity=row.house_affinity,
            received_at=now,
        )
        for row in rows
        if row.pseudonym in known and known[row.pseudonym] in current
    ]
    for start in range(0, len(linked), CHUNK):
        GroupInsight.objects.bulk_create(
            linked[start : start + CHUNK],
            update_conflicts=True,
            unique_fields=["client"],
            update_fields=[
                "source_import",
                "segment_codes",
                "preferred_categories",
                "house_affinity",
                "received_at",
            ],
        )
    group_insights_purge(client_ids=sorted(set(known.values()) - current))
    return record


def group_insights_purge(*, client_ids: Sequence[int]) -> int:
    """Delete insights of clients whose cross-group consent ended."""
    deleted = 0
    for start in range(0, len(client_ids), CHUNK):
        deleted += GroupInsight.objects.filter(
            client_id__in=client_ids[start : start + CHUNK]
        ).delete()[0]
    return deleted


def client_group_insight(*, client: Client, now: datetime | None = None):
    """The client's group insight if their consent is still current, else None."""
    now = now or timezone.now()
    insight = (
        GroupInsight.objects.select_related("source_import")
        .filter(client=client)
        .first()
    )
    if insight is None:
        return None
    if client.pk not in current_consenting(
        purpose_code=CROSS_GROUP, client_ids=[client.pk], now=now
    ):
        return None
    return insight


# --- The register of processing: recipients from the data --------------------


@dataclass(frozen=True)
class SharingRecipient:
    """A recipient of client data and what was transferred to it."""

    code: str
    name: str
    role: str  # "processor" or "separate controller"
    purpose: str  # the purpose's code, for files and tests
    purpose_name: str  # what staff read
    agreement_reference: str
    data_categories: tuple[str, ...]
    fields: tuple[str, ...]
    boutiques: tuple[str, ...]
    transfers: int
    last_transfer_at: datetime | None
    clients_disclosed: int
    clients_recalled: int


def _transfer_figures(kind: str, partner=None) -> tuple[int, datetime | None]:
    batches = SharingBatch.objects.filter(kind=kind, partner=partner)
    last = batches.order_by("-created_at").values_list("created_at", flat=True).first()
    return batches.count(), last


def recipients() -> list[SharingRecipient]:
    """Recipients of group and partner sharing, generated from the data.

    For the register of processing (Art. 30(1)(d)): the parent group and
    every registered partner, with their agreement, what they receive and
    how many transfers and clients so far.
    """
    group_purpose = registry.PURPOSES_BY_CODE[CROSS_GROUP]
    transfers, last = _transfer_figures(SharingBatch.Kind.GROUP)
    group_disclosures = Disclosure.objects.filter(recipient=pseudonyms.GROUP)
    found = [
        SharingRecipient(
            code=pseudonyms.GROUP,
            name="The parent group",
            role="processor",
            purpose=CROSS_GROUP,
            purpose_name=group_purpose.name,
            agreement_reference="",
            data_categories=group_purpose.data_categories,
            fields=GROUP_COLUMNS,
            boutiques=(),
            transfers=transfers,
            last_transfer_at=last,
            clients_disclosed=group_disclosures.count(),
            clients_recalled=group_disclosures.filter(
                recalled_in__isnull=False
            ).count(),
        )
    ]
    partner_purpose = registry.PURPOSES_BY_CODE[PARTNER_SHARING]
    for partner in Partner.objects.prefetch_related("boutiques"):
        transfers, last = _transfer_figures(SharingBatch.Kind.PARTNER, partner)
        disclosures = Disclosure.objects.filter(recipient=partner.code)
        found.append(
            SharingRecipient(
                code=partner.code,
                name=partner.name,
                role="separate controller",
                purpose=PARTNER_SHARING,
                purpose_name=partner_purpose.name,
                agreement_reference=partner.agreement_reference,
                data_categories=partner_purpose.data_categories,
                fields=PARTNER_COLUMNS,
                boutiques=tuple(b.code for b in partner.boutiques.all()),
                transfers=transfers,
                last_transfer_at=last,
                clients_disclosed=disclosures.count(),
                clients_recalled=disclosures.filter(recalled_in__isnull=False).count(),
            )
        )
    return found


def transfers(*, limit: int | None = None) -> list[dict]:
    """Every transfer (batch), newest first, without personal data."""
    batches = SharingBatch.objects.select_related("partner", "created_by")
    if limit:
        batches = batches[:limit]
    return [
        {
            "batch_id": str(b.batch_id),
            "kind": b.kind,
            "recipient": b.recipient,
            "created_at": b.created_at,
            "created_by": b.created_by.username if b.created_by else "scheduled job",
            "rule_version": b.rule_version,
            "key_id": b.key_id,
            "client_count": b.client_count,
            "row_count": b.row_count,
            "withdrawal_count": b.withdrawal_count,
        }
        for b in batches
    ]


# --- Partners ----------------------------------------------------------------


def partner_boutiques_clean(boutiques: Iterable) -> None:
    """A partner operates shop-in-shops only."""
    own = [b.name for b in boutiques if b.kind != "shop_in_shop"]
    if own:
        raise ValidationError(
            {
                "boutiques": "Only shop-in-shops can belong to a partner; "
                f"not {', '.join(own)}."
            }
        )


# --- The client page ---------------------------------------------------------


def group_insight_panel_context(request, client) -> dict:
    """The group's insight if consent is current: a few queries at most."""
    insight = client_group_insight(client=client)
    return {
        "insight": insight,
        "affinities": sorted(
            (insight.house_affinity if insight else {}).items(),
            key=lambda item: -item[1],
        ),
    }


GROUP_INSIGHT_PANEL = ClientPanel(
    key="group_insights",
    title="From the group",
    template="privacy/sharing/panel.html",
    get_context=group_insight_panel_context,
    permission="privacy.view_groupinsight",
    order=80,
)


# --- Erasure of the batch files ------------------------------------------------

# The file each kind of batch names clients in (withdrawal lists are kept:
# a recalled client's pseudonym is what tells the recipient to delete,
# GDPR Art. 19).
DATA_STEMS = {
    SharingBatch.Kind.GROUP: "purchases",
    SharingBatch.Kind.PARTNER: "clients",
}
# Clients per query when erasure looks for disclosures.
_ERASE_CHUNK = 1000


def _batches_holding(client_ids: list[int]) -> dict[int, set[int]]:
    """batch id -> the given clients it may hold, from the disclosures.

    A client is in a recipient's batches from its first to its last
    disclosure to that recipient, never outside that span.
    """
    found: dict[int, set[int]] = {}
    for start in range(0, len(client_ids), _ERASE_CHUNK):
        disclosures = Disclosure.objects.filter(
            client_id__in=client_ids[start : start + _ERASE_CHUNK]
        ).values_list(
            "recipient",
            "client_id",
            "first_batch__created_at",
            "last_batch__created_at",
        )
        for recipient, client_id, first, last in disclosures:
            batches = SharingBatch.objects.filter(created_at__range=(first, last))
            if recipient == pseudonyms.GROUP:
                batches = batches.filter(kind=SharingBatch.Kind.GROUP)
            else:
                batches = batches.filter(partner__code=recipient)
            for batch_id in batches.values_list("pk", flat=True):
                found.setdefault(batch_id, set()).add(client_id)
    return found


def _rewrite_without(path: Path, gone: set[str], *, jsonl: bool) -> dict | None:
    """Rewrite one data file without the rows keyed by `gone` pseudonyms.

    Streamed, as the export writes it; None when no row had to go (the
    file is left untouched). The new file replaces the old atomically.
    """
    if not path.is_file():
        return None
    temporary = path.with_name(path.name + ".rewrite")
    removed = 0
    out = _HashedFile(temporary)
    try:
        with path.open(encoding="utf-8", newline="") as handle:
            if jsonl:
                for line in handle:
                    row = json.loads(line)
                    if next(iter(row.values()), "") in gone:
                        removed += 1
                        continue
                    out.write(line)
                    out.rows += 1
            else:
                buffer = io.StringIO()
                # The file's rows were made formula-safe when exported; the
                # same writer keeps them so (and its line endings).
                writer = downloads.csv_writer(buffer)
                for index, row in enumerate(csv.reader(handle)):
                    if index and row and row[0] in gone:
                        removed += 1
                        continue
                    writer.writerow(row)
                    if index:
                        out.rows += 1
                    out.write(buffer.getvalue())
                    buffer.seek(0)
                    buffer.truncate()
        figures = out.close()
    except BaseException:
        out.close()
        temporary.unlink(missing_ok=True)
        raise
    if not removed:
        temporary.unlink(missing_ok=True)
        return None
    os.replace(temporary, path)
    return {**figures, "removed": removed}


def _batch_rewrite(batch: SharingBatch, client_ids: set[int]) -> int:
    """Rewrite one batch's data files without these clients; files changed."""
    keys = [k for k in pseudonyms.keys_for(batch.recipient) if k.key_id == batch.key_id]
    if not keys:
        # The key was rotated out: the rows cannot be found by pseudonym.
        # Said in the log (ids only) so an operator deletes the batch.
        logger.warning(
            "Sharing batch %s: key %s is no longer configured; the files of "
            "erased clients could not be rewritten.",
            batch.pk,
            batch.key_id,
        )
        return 0
    gone = {keys[0].pseudonym(client_id) for client_id in client_ids}
    folder = export_root() / batch.folder
    stem = DATA_STEMS[SharingBatch.Kind(batch.kind)]
    changed: dict[str, dict] = {}
    for name, jsonl in ((f"{stem}.csv", False), (f"{stem}.jsonl", True)):
        figures = _rewrite_without(folder / name, gone, jsonl=jsonl)
        if figures is not None:
            changed[name] = figures
    if not changed:
        return 0
    manifest_path = folder / "manifest.json"
    manifest = json.loads(manifest_path.read_text(encoding="utf-8"))
    removed = max(f.pop("removed") for f in changed.values())
    manifest["files"].update(changed)
    # The batch row keeps what was transferred; the manifest says what the
    # files on disk hold since.
    manifest["rows_removed_after_erasure"] = (
        manifest.get("rows_removed_after_erasure", 0) + removed
    )
    data = (json.dumps(manifest, indent=2, sort_keys=True) + "\n").encode()
    temporary = manifest_path.with_name("manifest.json.rewrite")
    temporary.write_bytes(data)
    os.replace(temporary, manifest_path)
    SharingBatch.objects.filter(pk=batch.pk).update(
        manifest_sha256=hashlib.sha256(data).hexdigest()
    )
    return len(changed)


def sharing_batches_erase(*, client_ids: list[int], identifiers=None) -> int:
    """Rewrite the batch files on disk without these clients (erasure).

    The files are a copy of what went to the group or a partner; the
    recipient's own copy is recalled by the next transfer's withdrawal
    list (the disclosures are kept for that). Rewriting, not deleting,
    keeps the other clients' rows for a transfer not yet picked up;
    docs/decisions/0501. Returns how many files were rewritten.
    """
    holding = _batches_holding(list(client_ids))
    rewritten = 0
    for batch in SharingBatch.objects.filter(pk__in=list(holding)).select_related(
        "partner"
    ):
        rewritten += _batch_rewrite(batch, holding[batch.pk])
    return rewritten
