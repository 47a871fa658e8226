"""The cross-group export at 100,000 consenting clients x 10 purchases.

Candidate: privacy.sharing.exports.group_export_run, which streams chunk
by chunk (CHUNK clients: one consent query, one purchases read, rows
written to the CSV and JSON Lines files and hashed as they go).
Baseline: the obvious implementation that builds the whole export in
memory: every consenting id, every purchase row, the CSV and JSON Lines
texts as strings, then writes them. Same selection, same pseudonyms, same
disclosure rows, same files; only the shape of the work differs.

Purchases: both variants read the same deterministic generator of 10
rows per client (orders.selectors.PurchaseRow, what purchases_for
yields), so the figures measure the export itself, not an orders query.
"""

import csv
import hashlib
import io
import json
import shutil
import tempfile
from datetime import date
from decimal import Decimal

from django.db import connection, transaction

from bench.fixtures import bench_boutique
from bench.registry import Scenario, register

PREFIX = "GXB-"
PURCHASES_PER_CLIENT = 10


def setup(size: int) -> None:
    from clienteling.models import Client
    from consents.ledger import erasure_mode
    from consents.models import ConsentDecision, PurposeWording
    from privacy.sharing.eligibility import CROSS_GROUP

    boutique = bench_boutique("GXBENCH", "Group export bench boutique")
    wording = PurposeWording.objects.filter(purpose__code=CROSS_GROUP).first()
    ours = Client.objects.filter(client_number__startswith=PREFIX)
    if (
        ours.count() == size
        and ConsentDecision.objects.filter(
            client__in=ours, purpose=wording.purpose
        ).count()
        == size
    ):
        return
    # The ledger is append-only: its trigger lets the bench reset only
    # inside erasure mode for these clients, as the erasure job does.
    with (
        transaction.atomic(),
        erasure_mode(client_ids=ours.values_list("pk", flat=True)),
        connection.cursor() as cursor,
    ):
        cursor.execute(
            "DELETE FROM privacy_disclosure WHERE client_id IN (SELECT id FROM "
            "clienteling_client WHERE client_number LIKE 'GXB-%%')",
            [],
        )
        cursor.execute(
            "DELETE FROM consents_consentdecision WHERE client_id IN (SELECT id "
            "FROM clienteling_client WHERE client_number LIKE 'GXB-%%')",
            [],
        )
        cursor.execute(
            "DELETE FROM clienteling_client WHERE client_number LIKE 'GXB-%%'", []
        )
        cursor.execute(
            """
            INSERT INTO clienteling_client (
                client_number, title, first_name, last_name, nationality,
                civil_status, preferred_language, home_boutique_id, source,
                display_language, cookie_consent, status, lifetime_value,
                created_at, updated_at)
            SELECT 'GXB-' || lpad(g::text, 8, '0'), '', 'First' || g,
                'Last' || g, 'FR', '', 'fr', %s, 'import', '', '', 'active',
                0, now(), now()
            FROM generate_series(1, %s) AS g
            """,
            [boutique.pk, size],
        )
        cursor.execute(
            """
            INSERT INTO consents_consentdecision (
                client_id, purpose_id, decision, channel, wording_id,
                decided_at, user_agent)
            SELECT id, %s, 'grant', 'in_person', %s, now() - interval '1 day', ''
            FROM clienteling_client WHERE client_number LIKE 'GXB-%%'
            """,
            [wording.purpose_id, wording.pk],
        )
        cursor.execute("ANALYZE clienteling_client, consents_consentdecision")


def _purchases(client_ids, since):
    from orders.selectors import PurchaseRow

    for client_id in client_ids:
        for n in range(PURCHASES_PER_CLIENT):
            yield PurchaseRow(
                client_id=client_id,
                category=("ring", "necklace", "bracelet", "earrings")[n % 4],
                collection=("Josephine", "Liens", "Bee my love")[client_id % 3],
                metals=("white_gold",) if n % 2 else ("platinum", "yellow_gold"),
                unit_price=Decimal(800 + 1700 * n),
                currency="EUR",
                boutique_country="FR",
                purchased_on=date(2025, 1 + n, 10),
            )


def _with_tmp_root(function):
    from django.conf import settings

    root = tempfile.mkdtemp(prefix="ecrin-bench-sharing-")
    settings.SHARING_EXPORT_ROOT = root
    try:
        return function()
    finally:
        shutil.rmtree(root, ignore_errors=True)


def candidate() -> dict:
    from privacy.sharing import exports

    def run():
        batch = exports.group_export_run(acting_user=None, purchases=_purchases)
        return {"clients": batch.client_count, "rows": batch.row_count}

    return _with_tmp_root(run)


@transaction.atomic
def _in_memory_export() -> dict:
    """Baseline: everything loaded and built whole, then written."""
    from pathlib import Path

    from django.conf import settings
    from django.utils import timezone

    from consents.models import ConsentDecision
    from privacy import pseudonyms
    from privacy.models import Disclosure, SharingBatch
    from privacy.sharing import eligibility, exports

    now = timezone.now()
    key = pseudonyms.current_key(pseudonyms.GROUP)
    since = exports.months_before(timezone.localdate(now), 36)
    candidates = list(
        ConsentDecision.objects.filter(purpose__code=eligibility.CROSS_GROUP)
        .values_list("client_id", flat=True)
        .distinct()
    )
    consenting = sorted(
        eligibility.current_consenting(
            purpose_code=eligibility.CROSS_GROUP, client_ids=candidates, now=now
        )
    )
    names = {client_id: key.pseudonym(client_id) for client_id in consenting}
    rows = [
        exports.group_row(names[p.client_id], p) for p in _purchases(consenting, since)
    ]
    text = io.StringIO()
    writer = csv.DictWriter(text, fieldnames=exports.GROUP_COLUMNS, lineterminator="\n")
    writer.writeheader()
    writer.writerows(rows)
    csv_text = text.getvalue()
    jsonl_text = "".join(json.dumps(r, separators=(",", ":")) + "\n" for r in rows)
    folder = Path(settings.SHARING_EXPORT_ROOT) / "baseline"
    folder.mkdir(parents=True)
    files = {}
    for name, content in (("purchases.csv", csv_text), ("purchases.jsonl", jsonl_text)):
        data = content.encode()
        (folder / name).write_bytes(data)
        files[name] = hashlib.sha256(data).hexdigest()
    (folder / "manifest.json").write_text(json.dumps({"files": files}))
    batch = SharingBatch.objects.create(
        kind="group",
        created_at=now,
        consent_snapshot_at=now,
        rule_version="baseline",
        key_id=key.key_id,
        client_count=len(consenting),
        row_count=len(rows),
        folder="baseline",
        manifest_sha256="0" * 64,
    )
    Disclosure.objects.bulk_create(
        [
            Disclosure(
                recipient="group", client_id=c, first_batch=batch, last_batch=batch
            )
            for c in consenting
        ],
        batch_size=5000,
        update_conflicts=True,
        unique_fields=["recipient", "client"],
        update_fields=["last_batch", "recalled_in"],
    )
    return {"clients": len(consenting), "rows": len(rows)}


def baseline() -> dict:
    return _with_tmp_root(_in_memory_export)


for metric in ("seconds", "peak_kib"):
    register(
        Scenario(
            name=f"group_export_{'time' if metric == 'seconds' else 'memory'}",
            description="Cross-group export, 100,000 consenting clients x 10 "
            f"purchases ({metric}): built whole in memory vs streamed",
            setup=setup,
            baseline=baseline,
            candidate=candidate,
            metric=metric,
            target="memory flat in the number of clients (chunks of 2,000)",
            default_size=100_000,
        )
    )
