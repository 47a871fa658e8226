"""The batch files: streamed, hashed, written as the job's partial files.

A batch's files are written as partial files of its export job
(core.jobs: `ctx.partial_path`, in the job's own folder, removed by the
job sweeper if the worker dies), their checksums signed into the
manifest, and moved into the batch's folder (a name fixed by the job) as
the last step of the fenced transaction that records the batch: a
refused, failed or killed run leaves no file, and a job run twice ends
with one folder. Erasure rewrites delivered batches without the erased
clients (`sharing_batches_erase`, docs/decisions/0501).
"""

import csv
import hashlib
import io
import json
import logging
import os
from collections.abc import Iterable, Sequence
from pathlib import Path

from django.conf import settings
from django.utils.translation import gettext_lazy as _

from core import downloads
from core.id_arrays import in_ids
from core.models import AccessLogEntry
from core.services import access_log_record
from privacy import pseudonyms
from privacy.models import Disclosure, SharingBatch

logger = logging.getLogger(__name__)


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
        label=_("Cross-group export (purchases.csv and .jsonl, for the group)"),
        sites=(
            "privacy.sharing.files._CsvAndJsonLines.__init__",
            "privacy.sharing.exports.group_export_job",
            # Erasure rewrites a delivered batch without the erased client.
            "privacy.sharing.files._rewrite_without",
        ),
    )
)
PARTNER_EXPORT = downloads.register(
    downloads.Download(
        key="partner-export",
        label=_("Partner export (clients.csv and .jsonl, for a department store)"),
        sites=(
            "privacy.sharing.files._CsvAndJsonLines.__init__",
            "privacy.sharing.exports.partner_export_job",
            # Erasure rewrites a delivered batch without the erased client.
            "privacy.sharing.files._rewrite_without",
        ),
    )
)


class _CsvAndJsonLines:
    """The same rows as CSV and as JSON Lines, streamed into partial files.

    `place(name)` gives where the file named `name` is written (the job's
    partial path); the manifest knows it by `name`.
    """

    def __init__(self, place, stem: str, columns: Sequence[str]):
        self.columns = columns
        self.names = (f"{stem}.csv", f"{stem}.jsonl")
        self.csv = _HashedFile(place(self.names[0]))
        self.jsonl = _HashedFile(place(self.names[1]))
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
            self.names[0]: self.csv.close(),
            self.names[1]: self.jsonl.close(),
        }


def export_root() -> Path:
    root = settings.SHARING_EXPORT_ROOT
    return Path(root) if root else Path(settings.PRIVATE_STORAGE_ROOT) / "sharing"


def batch_folder(*, partner_code: str | None, created_at, batch_id) -> str:
    """The batch's folder, relative to export_root(): fixed by its job."""
    base = Path("group") if partner_code is None else Path("partners") / partner_code
    return str(base / f"{created_at:%Y%m%dT%H%M%S}-{batch_id}")


def _write_manifest(
    batch: SharingBatch, *, files: dict[str, dict], extra: dict, path: Path
) -> None:
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
        "files": files,
    }
    data = (json.dumps(manifest, indent=2, sort_keys=True) + "\n").encode()
    path.write_bytes(data)
    batch.manifest_sha256 = hashlib.sha256(data).hexdigest()


def _finish(
    batch: SharingBatch,
    *,
    acting_user,
    files: dict[str, dict],
    partials: dict[str, Path],
    manifest: Path,
    extra: dict,
) -> SharingBatch:
    """Sign, record and publish a batch (inside the job's fenced transaction).

    The files move into the batch's folder as the last step: a failure
    before the commit rolls the batch back, and the job's next attempt
    writes the same folder again.
    """
    _write_manifest(batch, files=files, extra=extra, path=manifest)
    batch.full_clean()
    batch.save()
    access_log_record(
        acting_user=acting_user,
        action=AccessLogEntry.Action.EXPORT,
        target=batch,
        count=batch.client_count,
        path=f"sharing:{batch.kind}:{batch.recipient}",
    )
    final = export_root() / batch.folder
    final.mkdir(parents=True, exist_ok=True)
    for name, partial in {**partials, "manifest.json": manifest}.items():
        os.replace(partial, final / name)
    return batch


# --- Erasure of the batch files ------------------------------------------------

# The file each kind of batch names clients in (withdrawal lists are kept:
# a recalled client's pseudonym is what tells the recipient to delete,
# GDPR Art. 19).
DATA_STEMS = {
    SharingBatch.Kind.GROUP: "purchases",
    SharingBatch.Kind.PARTNER: "clients",
}


def _batches_holding(client_ids: list[int]) -> dict[int, set[int]]:
    """batch id -> the given clients it may hold, from the disclosures.

    A client is in a recipient's batches from its first to its last
    disclosure to that recipient, never outside that span.
    """
    found: dict[int, set[int]] = {}
    # One statement, the ids as one array (core.id_arrays, decision 0089).
    if client_ids:
        disclosures = Disclosure.objects.filter(
            in_ids("client_id", client_ids)
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
