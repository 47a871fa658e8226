"""The cross-group export: consent only, nothing identifying, streamed."""

import csv
import hashlib
import json
from datetime import date
from pathlib import Path

import pytest

from consents import services as consent_services
from core.models import AccessLogEntry
from privacy import pseudonyms
from privacy.models import Disclosure, SharingBatch
from privacy.sharing import eligibility, exports
from privacy.sharing.files import export_root
from tests.privacy.sharing.helpers import (
    NOW,
    consent,
    fake_purchases,
    person,
    withdraw,
)

pytestmark = pytest.mark.django_db

GROUP_KEY_A = [("2026a", "a" * 40)]
GROUP_KEY_B = [("2026b", "b" * 40)]


@pytest.fixture(autouse=True)
def _group_key(settings):
    settings.SHARING_KEYS = {"group": GROUP_KEY_A}
    settings.SHARING_DEMO_KEYS = False


def _run(now=NOW, per_client=2):
    return exports.group_export_run(
        acting_user=None, now=now, purchases=fake_purchases(per_client)
    )


def _folder(batch) -> Path:
    return export_root() / batch.folder


def _rows(batch, stem="purchases"):
    with (_folder(batch) / f"{stem}.csv").open(encoding="utf-8") as f:
        return list(csv.DictReader(f))


def test_only_clients_with_a_current_consent_appear():
    # given one consenting client, one never asked, one who withdrew,
    # one who consented to something else only
    yes, never, withdrawn, other = (person(n) for n in range(4))
    consent(yes)
    consent(withdrawn)
    withdraw(withdrawn)
    consent(other, code=eligibility.PARTNER_SHARING)

    # when
    batch = _run()

    # then
    key = pseudonyms.current_key("group")
    names = {r["pseudonym"] for r in _rows(batch)}
    assert names == {key.pseudonym(yes.pk)}
    assert batch.client_count == 1
    assert batch.row_count == 2
    assert batch.rule_version == eligibility.RULE_VERSION
    assert list(Disclosure.objects.values_list("client_id", flat=True)) == [yes.pk]


def test_grant_withdraw_grant_means_the_client_is_in():
    client = person(1)
    consent(client, at=NOW.replace(month=1))
    withdraw(client, at=NOW.replace(month=2))
    consent(client, at=NOW.replace(month=3))

    assert _run().client_count == 1


def test_restricted_clients_are_left_out():
    restricted, kept = person(1), person(2)
    consent(restricted)
    consent(kept)
    consent_services.restriction_start(
        acting_user=None, client=restricted, reason="dispute", now=NOW.replace(month=3)
    )

    batch = _run()

    assert {r["pseudonym"] for r in _rows(batch)} == {
        pseudonyms.current_key("group").pseudonym(kept.pk)
    }


def test_no_forbidden_field_in_any_exported_byte():
    # given clients with names, emails, phones, birth dates and addresses
    clients = [person(n) for n in range(6)]
    for client in clients:
        consent(client)
    withdraw(clients[0])
    _run()  # a first batch so the second one has a withdrawal list
    consent(clients[0], at=NOW.replace(month=4))
    withdraw(clients[1], at=NOW.replace(month=5))

    # when
    batch = _run(now=NOW.replace(day=16))

    # then no file of either batch contains any personal value
    forbidden = []
    for client in clients:
        client.refresh_from_db()
        forbidden += [
            client.first_name,
            client.last_name,
            client.client_number,
            client.birth_date.isoformat(),
            client.birth_date.strftime("%d/%m/%Y"),
            *client.emails.values_list("address", flat=True),
            *(str(n) for n in client.phones.values_list("number", flat=True)),
            *(str(n)[-8:] for n in client.phones.values_list("number", flat=True)),
            *client.addresses.values_list("line1", flat=True),
        ]
    files = sorted(export_root().rglob("*"))
    files = [f for f in files if f.is_file()]
    assert {f.name for f in files} >= {
        "purchases.csv",
        "purchases.jsonl",
        "withdrawals.csv",
        "withdrawals.jsonl",
        "manifest.json",
    }
    scanned = 0
    for f in files:
        data = f.read_bytes().lower()
        for value in forbidden:
            assert value.lower().encode() not in data, (f.name, value)
            scanned += 1
    assert scanned == len(files) * len(forbidden) > 0
    # and only the promised columns
    assert tuple(_rows(batch)[0]) == exports.GROUP_COLUMNS
    first = json.loads((_folder(batch) / "purchases.jsonl").read_text().splitlines()[0])
    assert tuple(first) == exports.GROUP_COLUMNS
    assert first["month"] == "2025-03"
    assert first["price_band"] == "EUR 1k-5k"
    assert first["metal"] == "platinum|white_gold"


def test_pseudonyms_are_stable_across_runs_and_differ_per_recipient_key(settings):
    client = person(1)
    consent(client)

    first = {r["pseudonym"] for r in _rows(_run())}
    second = {r["pseudonym"] for r in _rows(_run(now=NOW.replace(day=16)))}
    settings.SHARING_KEYS = {"group": GROUP_KEY_B}
    other_key = {r["pseudonym"] for r in _rows(_run(now=NOW.replace(day=17)))}
    settings.SHARING_KEYS = {"group": GROUP_KEY_A, "lafayette": GROUP_KEY_B}
    partner_key = pseudonyms.current_key("lafayette").pseudonym(client.pk)

    assert first == second
    assert len(first) == 1
    assert first != other_key
    assert len(next(iter(other_key))) == 64
    assert partner_key in other_key  # same secret, same value: keys decide
    assert pseudonyms.current_key("group").pseudonym(client.pk) != (
        pseudonyms.SharingKey("x", "k", b"c" * 40).pseudonym(client.pk)
    )


def test_a_withdrawal_is_excluded_from_the_next_batch_and_listed():
    # given two clients shared in a first batch
    stays, leaves = person(1), person(2)
    consent(stays)
    consent(leaves)
    first = _run()
    assert first.client_count == 2
    assert _rows(first, "withdrawals") == []

    # when one withdraws and the next batch runs
    withdraw(leaves, at=NOW.replace(month=6, day=15, hour=13))
    second = _run(now=NOW.replace(day=20))

    # then
    key = pseudonyms.current_key("group")
    assert {r["pseudonym"] for r in _rows(second)} == {key.pseudonym(stays.pk)}
    assert _rows(second, "withdrawals") == [
        {"pseudonym": key.pseudonym(leaves.pk), "key_id": "2026a"}
    ]
    assert second.withdrawal_count == 1
    assert Disclosure.objects.get(client=leaves).recalled_in == second
    # and listed once: the batch after that does not list it again
    third = _run(now=NOW.replace(day=25))
    assert _rows(third, "withdrawals") == []


def test_after_a_rotation_withdrawals_are_listed_under_every_key(settings):
    leaves = person(1)
    consent(leaves)
    _run()
    withdraw(leaves, at=NOW.replace(day=15, hour=13))
    settings.SHARING_KEYS = {"group": GROUP_KEY_B + GROUP_KEY_A}

    batch = _run(now=NOW.replace(day=20))

    assert batch.key_id == "2026b"
    assert {(r["key_id"], r["pseudonym"]) for r in _rows(batch, "withdrawals")} == {
        ("2026b", pseudonyms.keys_for("group")[0].pseudonym(leaves.pk)),
        ("2026a", pseudonyms.keys_for("group")[1].pseudonym(leaves.pk)),
    }


def test_manifest_carries_counts_dates_and_checksums():
    for n in range(3):
        consent(person(n))

    batch = _run(per_client=3)

    folder = _folder(batch)
    manifest_bytes = (folder / "manifest.json").read_bytes()
    manifest = json.loads(manifest_bytes)
    assert manifest["batch_id"] == str(batch.batch_id)
    assert manifest["row_count"] == 9
    assert manifest["client_count"] == 3
    assert manifest["consent_snapshot_at"] == NOW.isoformat()
    assert manifest["since"] == "2023-06-15"
    for name, entry in manifest["files"].items():
        assert (
            hashlib.sha256((folder / name).read_bytes()).hexdigest()
            == (entry["sha256"])
        )
    assert hashlib.sha256(manifest_bytes).hexdigest() == batch.manifest_sha256
    assert not list(export_root().rglob("*.partial"))


def test_purchases_older_than_36_months_are_not_exported():
    client = person(1)
    consent(client)

    batch = exports.group_export_run(
        acting_user=None,
        now=NOW,
        purchases=fake_purchases(on=date(2023, 6, 14)),
    )

    assert batch.row_count == 0
    assert batch.client_count == 0


def test_every_batch_is_recorded_and_logged_without_personal_data():
    from tests.clienteling.factories import compliance

    officer = compliance()
    consent(person(1))

    batch = exports.group_export_run(
        acting_user=officer, now=NOW, purchases=fake_purchases()
    )

    assert batch.created_by == officer
    entry = AccessLogEntry.objects.get(action="export", user=officer)
    assert (entry.object_type, entry.count) == ("privacy.sharingbatch", 1)


def test_an_export_with_no_key_is_refused_and_writes_nothing(settings):
    settings.SHARING_KEYS = {}
    consent(person(1))

    with pytest.raises(exports.SharingRefused, match="SHARING_KEYS"):
        _run()

    assert SharingBatch.objects.count() == 0
    assert Disclosure.objects.count() == 0
    assert not export_root().exists() or not any(export_root().rglob("*"))


def test_a_failing_source_leaves_no_file_and_no_batch():
    from core.jobs import files as job_files

    consent(person(1))

    def broken(client_ids, since):
        yield from fake_purchases()(client_ids, since)
        raise RuntimeError("orders database went away")

    # The export is a job now: its attempt fails (the job is tried again,
    # then fails visibly), and the run in this process says it stopped.
    with pytest.raises(exports.ExportStopped):
        exports.group_export_run(acting_user=None, now=NOW, purchases=broken)

    assert SharingBatch.objects.count() == 0
    assert not [p for p in export_root().rglob("*") if p.is_file()]
    assert not list(job_files.root().rglob("*.partial"))


def test_a_source_cannot_widen_the_selection():
    consenting, other = person(1), person(2)
    consent(consenting)

    def leaky(client_ids, since):
        yield from fake_purchases()([*client_ids, other.pk], since)

    batch = exports.group_export_run(acting_user=None, now=NOW, purchases=leaky)

    assert batch.client_count == 1


def test_months_before_clamps_month_ends():
    assert exports.months_before(date(2026, 6, 15), 36) == date(2023, 6, 15)
    assert exports.months_before(date(2028, 2, 29), 36) == date(2025, 2, 28)
    assert exports.months_before(date(2026, 5, 31), 3) == date(2026, 2, 28)
