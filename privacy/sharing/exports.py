"""Group and partner exports: the runs, withdrawals, and the register.

Dangerous module: it is where client data leaves the house (the rules
are in privacy.sharing). Each transfer lists the clients disclosed
before whose consent is no longer current; recipients() and transfers()
feed the register of processing.
"""

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from clienteling.models import Client, ClientEmail
from consents import registry
from orders.selectors import PurchaseRow, purchases_for
from privacy import pseudonyms
from privacy.models import Disclosure, Partner, SharingBatch
from privacy.sharing.eligibility import (
    CHUNK,
    CROSS_GROUP,
    PARTNER_SHARING,
    consenting_chunks,
    current_consenting,
)
from privacy.sharing.files import _CsvAndJsonLines, _finish, _guarded, _Run, _start
from privacy.sharing.insights import group_insights_purge

GROUP_EXPORT_MONTHS = 36

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
    """The export cannot run (no key, an inactive partner, no shop-in-shop):
    nothing written."""


PurchaseSource = Callable[[Sequence[int], date], Iterable[PurchaseRow]]


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

    Refused (SharingRefused, nothing written) when the group has no key.
    """
    now = now or timezone.now()
    purchases = purchases or purchases_for
    try:
        key = pseudonyms.current_key(pseudonyms.GROUP)
    except pseudonyms.NoSharingKey as exc:
        raise SharingRefused(str(exc)) from None
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
