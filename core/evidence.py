"""The evidence gate: the one door through which append-only rows change.

Some tables are evidence: the consent ledger and paper-form submissions
(consents), issued invoices and their lines (orders), the access log
(privacy). On PostgreSQL a trigger on each refuses UPDATE and DELETE unless
the transaction has opened the gate for that very row, and only the
SECURITY DEFINER function `ecrin_evidence_gate_open(kind, keys)` can open
it (clienteling/migrations/0011). The app's database role cannot write the
gate's table, truncate, own or alter any table, so it cannot open the gate
any other way, unlike the transaction-local setting (`SET LOCAL
ecrin.erasure`) that any session could set before (docs/decisions/0011).

Every opening is kept in `ecrin_evidence_gate` (kind, key, transaction,
time, database user), which the app role can neither read nor change: what
erasure and retention removed stays traceable to the run that did it. Keys
are internal ids only, like the erasure replay log.

Kinds and what their keys are:
- `erasure`: client ids; consent evidence of those clients (the erasure job)
- `invoice_retention`: invoice ids; issued invoices and their lines, past
  the `retention_until` stamped on them (the trigger checks it too)
- `access_log_retention`: access log entry ids

On SQLite (the demo) there are no triggers and the gate does nothing: the
Python guards (append-only querysets and models) are the only protection
there.
"""

from collections.abc import Iterable, Iterator
from contextlib import contextmanager

from django.db import connection

KINDS = ("erasure", "invoice_retention", "access_log_retention")


@contextmanager
def evidence_gate(kind: str, keys: Iterable[int]) -> Iterator[None]:
    """Let this transaction change the evidence rows of `keys`, in this block.

    Must run inside transaction.atomic(): the opening belongs to the
    transaction, so a rollback takes it away with the work.
    """
    if kind not in KINDS:
        raise ValueError(f"Unknown evidence gate {kind!r}: one of {', '.join(KINDS)}.")
    if not connection.in_atomic_block:
        raise RuntimeError("evidence_gate() must run inside transaction.atomic().")
    keys = [int(key) for key in keys]
    if connection.vendor != "postgresql" or not keys:
        yield
        return
    with connection.cursor() as cursor:
        cursor.execute("SELECT ecrin_evidence_gate_open(%s, %s)", [kind, keys])
    yield
    # Not in a finally: on an error the caller's rollback removes the
    # opening, and a broken transaction could not run this statement.
    with connection.cursor() as cursor:
        cursor.execute("SELECT ecrin_evidence_gate_close(%s)", [kind])
