"""Group and partner exports: the runs, withdrawals, and the register.

Dangerous module: it is where client data leaves the house (the rules
are in privacy.sharing). Each transfer lists the clients disclosed
before whose consent is no longer current; recipients() and transfers()
feed the register of processing.
"""

import uuid
from collections.abc import Callable, Iterable, Sequence
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from clienteling.models import Client, ClientEmail
from consents import registry
from core import jobs
from core.models import Job
from orders.selectors import PurchaseRow, purchases_for
from privacy import pseudonyms
from privacy.models import Disclosure, Partner, SharingBatch
from privacy.sharing.eligibility import (
    CHUNK,
    CROSS_GROUP,
    PARTNER_SHARING,
    RULE_VERSION,
    candidate_count,
    consenting_chunks,
    current_consenting,
)
from privacy.sharing.files import _CsvAndJsonLines, _finish, batch_folder
from privacy.sharing.insights import group_insights_purge

GROUP_EXPORT_MONTHS = 36
# The job kinds (privacy/jobs.py); never renamed: stored on job rows.
GROUP_KIND = "privacy.group_export"
PARTNER_KIND = "privacy.partner_export"

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
NO_GROUP_KEY = _(
    "The cross-group export cannot run: no pseudonymisation key is set up "
    "for the group. Ask the technical team to configure it."
)


class SharingRefused(Exception):
    """The export cannot run (no key, an inactive partner, no shop-in-shop):
    nothing written. `staff_message` is what staff read."""

    def __init__(self, message: str, staff_message: str | None = None):
        super().__init__(message)
        self.staff_message = staff_message or message


class ExportStopped(Exception):
    """An export run in this process did not finish (its attempt failed and
    the job waits to be tried again): nothing written."""


PurchaseSource = Callable[[Sequence[int], date], Iterable[PurchaseRow]]
# Where the group export reads purchases; group_export_run() sets another
# source (tests, benchmarks) for a run in this very process.
_PURCHASES: ContextVar[PurchaseSource | None] = ContextVar(
    "sharing_purchases", default=None
)


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


# --- Checks before a job is started (and again when it runs) -----------------


def _group_key():
    try:
        return pseudonyms.current_key(pseudonyms.GROUP)
    except pseudonyms.NoSharingKey as exc:
        raise SharingRefused(str(exc), NO_GROUP_KEY) from None


def _partner_setup(partner: Partner):
    """(key, shop-in-shop ids) of an active partner, or SharingRefused."""
    if not partner.is_active:
        raise SharingRefused(
            _("%(name)s is not an active partner.") % {"name": partner.name}
        )
    try:
        key = pseudonyms.current_key(partner.code)
    except pseudonyms.NoSharingKey as exc:
        raise SharingRefused(
            str(exc),
            (
                _(
                    "The export to %(name)s cannot run: no pseudonymisation key is "
                    "set up for this partner. Ask the technical team to configure it."
                )
                % {"name": partner.name}
            ),
        ) from None
    boutique_ids = list(partner.boutiques.values_list("pk", flat=True))
    if not boutique_ids:
        raise SharingRefused(
            _("%(name)s operates no shop-in-shop.") % {"name": partner.name}
        )
    return key, boutique_ids


# --- Starting the jobs ---------------------------------------------------------


def group_export_start(*, acting_user, now: datetime | None = None) -> Job:
    """Queue one cross-group export job (sent when the caller commits).

    Refused at once (SharingRefused) when the group has no key;
    jobs.AlreadyQueued when one is already waiting or running. The job's
    creation instant is the batch's consent snapshot.
    """
    _group_key()
    with transaction.atomic():
        return jobs.enqueue(
            kind=GROUP_KIND,
            label=_("Cross-group export"),
            acting_user=acting_user,
            params={"batch_id": str(uuid.uuid4())},
            dedupe_key="sharing:group",
            now=now,
        )


def partner_export_start(
    *, acting_user, partner: Partner, now: datetime | None = None
) -> Job:
    """Queue one transfer to a partner (refused at once if it cannot run)."""
    _partner_setup(partner)
    with transaction.atomic():
        return jobs.enqueue(
            kind=PARTNER_KIND,
            label=(_("Partner export to %(name)s") % {"name": partner.name}),
            acting_user=acting_user,
            params={"batch_id": str(uuid.uuid4()), "partner": partner.pk},
            dedupe_key=f"sharing:partner:{partner.pk}",
            now=now,
        )


@contextmanager
def _purchase_source(purchases: PurchaseSource | None):
    token = _PURCHASES.set(purchases)
    try:
        yield
    finally:
        _PURCHASES.reset(token)


def _run_here(job: Job) -> SharingBatch:
    """Run a queued export job in this process; its batch, or why not."""
    jobs.run(job.pk)
    job.refresh_from_db()
    batch = SharingBatch.objects.filter(job=job).first()
    if job.status == Job.Status.DONE and batch is not None:
        return batch
    if job.status == Job.Status.FAILED:
        raise SharingRefused(job.error)
    raise ExportStopped(
        job.error or _("The export stopped before its batch was written.")
    )


def group_export_run(
    *,
    acting_user,
    now: datetime | None = None,
    purchases: PurchaseSource | None = None,
) -> SharingBatch:
    """Start a cross-group export job and run it here, now (demo, tests,
    benchmarks); the monthly beat and the admin only start the job.

    Refused (SharingRefused, nothing written) when the group has no key.
    """
    job = group_export_start(acting_user=acting_user, now=now)
    with _purchase_source(purchases):
        return _run_here(job)


def partner_export_run(
    *, acting_user, partner: Partner, now: datetime | None = None
) -> SharingBatch:
    """Start a transfer to a partner and run it here, now."""
    return _run_here(
        partner_export_start(acting_user=acting_user, partner=partner, now=now)
    )


# --- The runs (privacy/jobs.py: resumable, effects fenced once) ---------------


def _withdrawn(*, recipient: str, eligible_now: Callable) -> list[int]:
    """Disclosed clients no longer eligible (read only: recalled when the
    batch is recorded)."""
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
        recalled.extend(client_id for client_id in ids if client_id not in still)
    return recalled


def _recall(batch: SharingBatch, recipient: str, recalled: list[int]) -> None:
    for start in range(0, len(recalled), CHUNK):
        Disclosure.objects.filter(
            recipient=recipient,
            client_id__in=recalled[start : start + CHUNK],
            recalled_in__isnull=True,
        ).update(recalled_in=batch)


def _write_withdrawals(ctx, recipient: str, recalled: list[int]) -> dict:
    out = _CsvAndJsonLines(ctx.partial_path, "withdrawals", WITHDRAWAL_COLUMNS)
    keys = pseudonyms.keys_for(recipient)
    for start in range(0, len(recalled), CHUNK):
        out.write_rows(
            {"pseudonym": key.pseudonym(client_id), "key_id": key.key_id}
            for client_id in recalled[start : start + CHUNK]
            for key in keys
        )
    return out.close()


def _disclose(batch: SharingBatch, recipient: str, client_ids: list[int]) -> None:
    for start in range(0, len(client_ids), CHUNK):
        Disclosure.objects.bulk_create(
            [
                Disclosure(
                    recipient=recipient,
                    client_id=client_id,
                    first_batch=batch,
                    last_batch=batch,
                    recalled_in=None,
                )
                for client_id in client_ids[start : start + CHUNK]
            ],
            update_conflicts=True,
            unique_fields=["recipient", "client"],
            update_fields=["last_batch", "recalled_in"],
        )


def _new_batch(job: Job, *, kind: str, partner: Partner | None, key) -> SharingBatch:
    batch_id = uuid.UUID(job.params["batch_id"])
    return SharingBatch(
        batch_id=batch_id,
        kind=kind,
        partner=partner,
        created_at=job.created_at,
        created_by=job.owner,
        consent_snapshot_at=job.created_at,
        rule_version=RULE_VERSION,
        key_id=key.key_id,
        folder=batch_folder(
            partner_code=partner.code if partner else None,
            created_at=job.created_at,
            batch_id=batch_id,
        ),
        manifest_sha256="0" * 64,
        job=job,
    )


def _figures(batch: SharingBatch) -> dict:
    return {
        "batch": batch.pk,
        "clients": batch.client_count,
        "rows": batch.row_count,
        "withdrawals": batch.withdrawal_count,
    }


def _refused(exc: SharingRefused) -> jobs.JobRefused:
    return jobs.JobRefused(exc.staff_message)


def _partials(ctx, names) -> dict:
    return {name: ctx.partial_path(name) for name in names}


def group_export_job(job: Job, ctx) -> dict:
    """The cross-group export job: purchases, withdrawals, manifest.

    Resumable: a job whose batch is recorded is done; otherwise the files
    are written afresh (partial files of the job) and the batch, its
    disclosures and recalls are recorded once, fenced, with the files
    moved into the batch's folder.
    """
    done = SharingBatch.objects.filter(job=job).first()
    if done is not None:
        return _figures(done)
    now = job.created_at
    purchases = _PURCHASES.get() or purchases_for
    try:
        key = _group_key()
    except SharingRefused as exc:
        raise _refused(exc) from None
    since = months_before(timezone.localtime(now).date(), GROUP_EXPORT_MONTHS)
    total = candidate_count(purpose_code=CROSS_GROUP)
    ctx.progress(0, total, "Listing the withdrawals", force=True)

    def eligible_now(ids):
        return current_consenting(purpose_code=CROSS_GROUP, client_ids=ids, now=now)

    recalled = _withdrawn(recipient=pseudonyms.GROUP, eligible_now=eligible_now)
    out = _CsvAndJsonLines(ctx.partial_path, "purchases", GROUP_COLUMNS)
    shared: list[int] = []
    seen = 0
    for chunk, candidates in consenting_chunks(
        purpose_code=CROSS_GROUP, now=now, with_candidates=True
    ):
        seen += candidates
        names = {client_id: key.pseudonym(client_id) for client_id in chunk}
        found: set[int] = set()
        rows = []
        for purchase in purchases(chunk, since) if chunk else ():
            if purchase.client_id not in names or purchase.purchased_on < since:
                continue  # a source must never widen the selection
            found.add(purchase.client_id)
            rows.append(group_row(names[purchase.client_id], purchase))
        out.write_rows(rows)
        shared.extend(sorted(found))
        ctx.progress(
            seen, total, f"Pseudonymising purchases: {seen} of {total} clients"
        )
    files = out.close()
    files.update(_write_withdrawals(ctx, pseudonyms.GROUP, recalled))
    ctx.progress(total, total, "Recording the batch", force=True)
    partials = {name: ctx.partial_path(name) for name in files}
    with ctx.fenced():
        batch = _new_batch(job, kind=SharingBatch.Kind.GROUP, partner=None, key=key)
        batch.since = since
        batch.client_count = len(shared)
        batch.row_count = files["purchases.csv"]["rows"]
        batch.withdrawal_count = len(recalled)
        batch.full_clean()
        batch.save()
        _recall(batch, pseudonyms.GROUP, recalled)
        _disclose(batch, pseudonyms.GROUP, shared)
        group_insights_purge(client_ids=recalled)
        _finish(
            batch,
            acting_user=job.owner,
            files=files,
            partials=partials,
            manifest=ctx.partial_path("manifest.json"),
            extra={"since": since.isoformat(), "purpose": CROSS_GROUP},
        )
    return _figures(batch)


def partner_export_job(job: Job, ctx) -> dict:
    """One transfer to a partner: consenting clients of its shop-in-shops.

    Resumable as the group export: effects recorded once, fenced.
    """
    done = SharingBatch.objects.filter(job=job).first()
    if done is not None:
        return _figures(done)
    now = job.created_at
    partner = Partner.objects.get(pk=job.params["partner"])
    try:
        key, boutique_ids = _partner_setup(partner)
    except SharingRefused as exc:
        raise _refused(exc) from None
    total = candidate_count(purpose_code=PARTNER_SHARING, boutique_ids=boutique_ids)
    ctx.progress(0, total, "Listing the withdrawals", force=True)

    def eligible_now(ids):
        keep = current_consenting(purpose_code=PARTNER_SHARING, client_ids=ids, now=now)
        return set(
            Client.objects.filter(
                pk__in=keep, home_boutique_id__in=boutique_ids
            ).values_list("pk", flat=True)
        )

    recalled = _withdrawn(recipient=partner.code, eligible_now=eligible_now)
    out = _CsvAndJsonLines(ctx.partial_path, "clients", PARTNER_COLUMNS)
    shared: list[int] = []
    seen = 0
    for chunk, candidates in consenting_chunks(
        purpose_code=PARTNER_SHARING,
        now=now,
        boutique_ids=boutique_ids,
        with_candidates=True,
    ):
        seen += candidates
        emails = dict(
            ClientEmail.objects.filter(
                client_id__in=chunk, is_primary=True
            ).values_list("client_id", "address")
        )
        rows = []
        for pk, first, last, language, shop in (
            Client.objects.filter(pk__in=chunk)
            .order_by("pk")
            .values_list(
                "pk",
                "first_name",
                "last_name",
                "preferred_language",
                "home_boutique__code",
            )
        ):
            shared.append(pk)
            rows.append(
                {
                    "client_ref": key.pseudonym(pk),
                    "first_name": first,
                    "last_name": last,
                    "email": emails.get(pk, ""),
                    "preferred_language": language,
                    "shop_in_shop": shop,
                }
            )
        out.write_rows(rows)
        ctx.progress(seen, total, f"Listing clients: {seen} of {total}")
    files = out.close()
    files.update(_write_withdrawals(ctx, partner.code, recalled))
    ctx.progress(total, total, "Recording the transfer", force=True)
    partials = {name: ctx.partial_path(name) for name in files}
    with ctx.fenced():
        batch = _new_batch(
            job, kind=SharingBatch.Kind.PARTNER, partner=partner, key=key
        )
        batch.client_count = len(shared)
        batch.row_count = len(shared)
        batch.withdrawal_count = len(recalled)
        batch.full_clean()
        batch.save()
        _recall(batch, partner.code, recalled)
        _disclose(batch, partner.code, shared)
        _finish(
            batch,
            acting_user=job.owner,
            files=files,
            partials=partials,
            manifest=ctx.partial_path("manifest.json"),
            extra={
                "purpose": PARTNER_SHARING,
                "partner": partner.name,
                "agreement_reference": partner.agreement_reference,
            },
        )
    return _figures(batch)


def last_export_job(*, partner: Partner | None = None) -> Job | None:
    """The latest export job to the group (or to a partner), any state:
    what the sharing page shows (waiting, running, failed)."""
    if partner is None:
        found = Job.objects.filter(kind=GROUP_KIND)
    else:
        found = Job.objects.filter(kind=PARTNER_KIND, params__partner=partner.pk)
    return found.order_by("-created_at", "-id").first()


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
            name=_("The parent group"),
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
                "boutiques": (
                    _("Only shop-in-shops can belong to a partner; not %(items)s.")
                    % {"items": ", ".join(own)}
                )
            }
        )
