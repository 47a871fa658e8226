"""The sharing jobs under real faults: group export, partner export,
insights import (tests.core.drills: real workers, PostgreSQL, Redis).

Each drill checks the job's effects happened once: one batch (one folder,
its manifest signing its files), disclosures and recalls once, one
access-log row per batch, or one import record with its insights; no
partial file left, no stray folder, no upload left in the inbox.
"""

import csv
import hashlib
import itertools
import json
from datetime import date, timedelta

import pytest
from django.db import transaction
from django.utils import timezone

from clienteling.models import Boutique
from core.models import AccessLogEntry
from orders.models import Order
from privacy import pseudonyms
from privacy.models import (
    Disclosure,
    GroupInsight,
    InsightImport,
    Partner,
    SharingBatch,
)
from privacy.sharing import eligibility, exports, insights
from privacy.sharing.files import export_root
from tests.clienteling.factories import BoutiqueFactory
from tests.core.drills import DrillCase, DrillTests
from tests.orders.factories import ProductFactory, order
from tests.privacy.factories import SharingBatchFactory
from tests.privacy.sharing.helpers import consent, person, withdraw

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

CLIENTS = 3
_numbers = itertools.count(1)


def _recent():
    return timezone.now() - timedelta(days=2)


def _leaver(recipient: str, code: str, boutique=None):
    """A client disclosed to the recipient before, who withdrew since."""
    gone = person(next(_numbers) + 500, boutique)
    consent(gone, code=code, at=_recent() - timedelta(days=30))
    withdraw(gone, code=code, at=_recent())
    earlier = SharingBatchFactory(
        kind="group" if recipient == pseudonyms.GROUP else "partner",
        partner=None
        if recipient == pseudonyms.GROUP
        else Partner.objects.get(code=recipient),
        key_id="demo",
    )
    Disclosure.objects.create(
        recipient=recipient, client=gone, first_batch=earlier, last_batch=earlier
    )
    return gone


def _rows(batch, name):
    with (export_root() / batch.folder / name).open(encoding="utf-8") as f:
        return list(csv.DictReader(f))


def _one_batch(job, stem: str) -> SharingBatch:
    batch = SharingBatch.objects.get(job=job)
    folder = export_root() / batch.folder
    names = {p.name for p in folder.iterdir()}
    assert names == {
        f"{stem}.csv",
        f"{stem}.jsonl",
        "withdrawals.csv",
        "withdrawals.jsonl",
        "manifest.json",
    }
    manifest_bytes = (folder / "manifest.json").read_bytes()
    assert hashlib.sha256(manifest_bytes).hexdigest() == batch.manifest_sha256
    manifest = json.loads(manifest_bytes)
    assert manifest["batch_id"] == str(batch.batch_id) == job.params["batch_id"]
    for name, entry in manifest["files"].items():
        assert (
            hashlib.sha256((folder / name).read_bytes()).hexdigest()
            == (entry["sha256"])
        )
    # one folder for this batch: no second copy, no partial folder
    siblings = [p.name for p in folder.parent.iterdir()]
    assert [n for n in siblings if str(batch.batch_id) in n] == [folder.name]
    assert not [n for n in siblings if n.endswith(".partial")]
    assert (
        AccessLogEntry.objects.filter(
            object_type="privacy.sharingbatch", object_id=str(batch.pk)
        ).count()
        == 1
    )
    return batch


# --- the group export ----------------------------------------------------------


def _group_start():
    # Small numbers: the order's billed name is the client's (a long
    # number in it would look like a bank account to the order's checks).
    sharing = [person(n) for n in range(1, CLIENTS + 1)]
    for client in sharing:
        consent(client, at=_recent())
        order(client=client, products=[ProductFactory()], status=Order.Status.INVOICED)
    _leaver(pseudonyms.GROUP, eligibility.CROSS_GROUP)
    with transaction.atomic():
        return exports.group_export_start(acting_user=None)


def _group_check_once(job):
    batch = _one_batch(job, "purchases")
    key = pseudonyms.current_key(pseudonyms.GROUP)
    sharing = set(
        Disclosure.objects.filter(first_batch=batch).values_list("client_id", flat=True)
    )
    assert len(sharing) == CLIENTS
    assert {r["pseudonym"] for r in _rows(batch, "purchases.csv")} == {
        key.pseudonym(pk) for pk in sharing
    }
    assert batch.client_count == CLIENTS
    assert batch.row_count == len(_rows(batch, "purchases.csv")) == CLIENTS
    recalled = Disclosure.objects.filter(recalled_in=batch)
    assert recalled.count() == batch.withdrawal_count == 1
    assert [r["pseudonym"] for r in _rows(batch, "withdrawals.csv")] == [
        key.pseudonym(recalled.get().client_id)
    ]


GROUP = DrillCase(
    kind=exports.GROUP_KIND,
    start=_group_start,
    check_once=_group_check_once,
    flush_count=1,  # one group export at a time (dedupe key "sharing:group")
)


# --- the partner export ----------------------------------------------------------


def _partner_start():
    n = next(_numbers)
    shop = BoutiqueFactory(
        code=f"SIS-{n}", kind=Boutique.Kind.SHOP_IN_SHOP, department_store=f"Store {n}"
    )
    partner = Partner.objects.create(
        code=f"store-{n}",
        name=f"Store {n}",
        agreement_reference=f"DSA-{n}",
        agreement_signed_on=date(2026, 1, 10),
    )
    partner.boutiques.set([shop])
    for _ in range(CLIENTS):
        consent(
            person(next(_numbers), shop),
            code=eligibility.PARTNER_SHARING,
            at=_recent(),
        )
    _leaver(partner.code, eligibility.PARTNER_SHARING, shop)
    with transaction.atomic():
        return exports.partner_export_start(acting_user=None, partner=partner)


def _partner_check_once(job):
    batch = _one_batch(job, "clients")
    partner = batch.partner
    key = pseudonyms.current_key(partner.code)
    disclosed = set(
        Disclosure.objects.filter(first_batch=batch).values_list("client_id", flat=True)
    )
    assert len(disclosed) == CLIENTS == batch.client_count
    assert sorted(r["client_ref"] for r in _rows(batch, "clients.csv")) == sorted(
        key.pseudonym(pk) for pk in disclosed
    )
    recalled = Disclosure.objects.filter(recalled_in=batch)
    assert recalled.count() == batch.withdrawal_count == 1
    assert len(_rows(batch, "withdrawals.csv")) == 1


PARTNER = DrillCase(
    kind=exports.PARTNER_KIND, start=_partner_start, check_once=_partner_check_once
)


# --- the insights import -----------------------------------------------------------


def _insights_start():
    earlier = SharingBatchFactory(kind="group", partner=None, key_id="demo")
    key = pseudonyms.current_key(pseudonyms.GROUP)
    lines = ["pseudonym,segment_codes,preferred_categories,house_affinity"]
    for _ in range(CLIENTS):
        client = person(next(_numbers))
        consent(client, at=_recent())
        Disclosure.objects.create(
            recipient=pseudonyms.GROUP,
            client=client,
            first_batch=earlier,
            last_batch=earlier,
        )
        lines.append(f"{key.pseudonym(client.pk)},VIP,ring,maison-a:0.5")
    lines.append(f"{'f' * 64},VIP,ring,")  # unknown to the house: dropped
    with transaction.atomic():
        return insights.insights_import_start(
            acting_user=None,
            batch_id=f"G-DRILL-{next(_numbers)}",
            data=("\n".join(lines) + "\n").encode(),
        )


def _insights_check_once(job):
    record = InsightImport.objects.get(job=job)
    assert record.batch_id == job.params["batch_id"]
    assert (record.rows_total, record.rows_linked, record.dropped_unknown) == (
        CLIENTS + 1,
        CLIENTS,
        1,
    )
    assert GroupInsight.objects.filter(source_import=record).count() == CLIENTS
    # the upload is deleted once imported
    assert not insights._upload_path(job.pk).exists()


INSIGHTS = DrillCase(
    kind=insights.INSIGHTS_KIND, start=_insights_start, check_once=_insights_check_once
)


# --- the drills ----------------------------------------------------------------------


class TestDrills(DrillTests):
    @pytest.fixture(
        params=[GROUP, PARTNER, INSIGHTS],
        ids=["group_export", "partner_export", "insights_import"],
    )
    def case(self, request, settings):
        # The workers derive the same demo keys (no SHARING_KEYS in their env).
        settings.SHARING_KEYS = {}
        settings.SHARING_DEMO_KEYS = True
        from consents import registry

        # A transactional test may follow another that flushed the registry's
        # migrated rows; the consent wordings must exist.
        registry.sync_registry()
        return request.param
