"""The replay log: every erasure, by client ids, outside the database.

A restored backup predates the erasures made since; `replay_erasures`
re-applies them (manage.py replay_erasures).
"""

import json
import os
from pathlib import Path

from django.conf import settings

from clienteling.models import Client
from privacy.erasure.engine import erase_clients
from privacy.erasure.plan import TOMBSTONE_PREFIX, chunks


def replay_log_path() -> Path:
    return Path(settings.ERASURE_REPLAY_LOG)


def replay_log_folder() -> Path:
    return replay_log_path().parent


def replay_log_append(
    *,
    kind: str,
    reference: str,
    client_ids: list[int],
    held: list[str],
    at,
    key: str = "",
    retried: bool = False,
) -> bool:
    """One JSON line per erasure: ids and scope, never personal data.

    Kept outside the database on purpose: a restored backup predates the
    erasures made since, and this file is what re-applies them. It is
    written inside the job's fenced transaction, before its commit: a worker
    that dies in between leaves the line without the commit, and the retried
    attempt (`retried`) finds the line by its `key` and does not write it
    twice. Returns whether a line was written.
    """
    path = replay_log_path()
    path.parent.mkdir(parents=True, exist_ok=True)
    if key and retried and replay_log_has(key):
        return False
    entry = {
        "kind": kind,
        "reference": reference,
        "client_ids": client_ids,
        "held": held,
        "at": at.isoformat(),
    }
    if key:
        entry["key"] = key
    line = json.dumps(entry, sort_keys=True)
    with path.open("a", encoding="utf-8") as handle:
        handle.write(line + "\n")
        handle.flush()
        os.fsync(handle.fileno())
    return True


def replay_log_has(key: str) -> bool:
    """Whether a line with this key is in the log (a retried attempt)."""
    path = replay_log_path()
    if not path.exists():
        return False
    needle = json.dumps(key)
    with path.open(encoding="utf-8") as handle:
        for line in handle:
            if needle in line and json.loads(line).get("key") == key:
                return True
    return False


def replay_erasures(*, dry_run: bool = False) -> dict:
    """Re-apply every logged erasure to clients not yet tombstoned."""
    path = replay_log_path()
    result = {"entries": 0, "clients_reerased": 0, "clients_already_erased": 0}
    if not path.exists():
        return result
    with path.open(encoding="utf-8") as handle:
        for line in handle:
            if not line.strip():
                continue
            entry = json.loads(line)
            result["entries"] += 1
            ids = entry["client_ids"]
            held = set(entry.get("held") or ())
            for part in chunks(ids):
                live = Client.objects.filter(pk__in=part)
                if not held:
                    live = live.exclude(client_number__startswith=TOMBSTONE_PREFIX)
                todo = list(live.values_list("pk", flat=True))
                result["clients_already_erased"] += len(part) - len(todo)
                result["clients_reerased"] += len(todo)
                if todo and not dry_run:
                    erase_clients(client_ids=todo, held=held)
    return result
