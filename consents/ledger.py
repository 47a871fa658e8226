"""Erasure mode: the one door through which consent evidence is changed.

Dangerous on purpose. The consent ledger and the paper-form submissions are
what prove the house's legal basis; only the erasure job may change them,
and only for clients whose erasure a compliance officer approved (or whose
retention period ended). On PostgreSQL a trigger refuses UPDATE and DELETE
on those tables unless the transaction opened the evidence gate for the
row's client (core.evidence); erasure_mode() opens it for the given
clients, inside its block only.

The erasure job and retention batches (privacy.erasure.erase_model, driven
by the data map) open
it chunk by chunk: ledger rows and paper-form submission rows are kept as
the proof of lawful processing (GDPR Art. 7(1), 5(2)), only their erasable
fields blanked (a website decision's IP address becomes 0.0.0.0, its
User-Agent blank; a submission's scan fields erased and the scan file
deleted); soft opt-ins and restrictions are deleted, with their history.
"""

from collections.abc import Iterable, Iterator
from contextlib import contextmanager

from core.evidence import evidence_gate


@contextmanager
def erasure_mode(*, client_ids: Iterable[int]) -> Iterator[None]:
    """Allow UPDATE/DELETE of these clients' consent evidence in this block."""
    with evidence_gate("erasure", client_ids):
        yield
