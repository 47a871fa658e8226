"""Who may be shared: clients with a current grant, active, not restricted.

Read by chunks of CHUNK clients; RULE_VERSION is recorded on every batch
(change it when a sharing rule changes).
"""

from collections.abc import Iterator, Sequence
from datetime import datetime

from clienteling.models import Client
from consents import registry
from consents.models import ConsentDecision, Purpose, Restriction
from consents.selectors import current_decisions

RULE_VERSION = "sharing-rules/1"
CROSS_GROUP = registry.PURPOSES_BY_CODE["cross_group_intelligence"].code
PARTNER_SHARING = registry.PURPOSES_BY_CODE[registry.PARTNER_SHARING].code
# Clients per chunk: one consent query and one purchases query per chunk;
# a few thousand keeps each query fast and memory flat at any table size.
CHUNK = 2000


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
        Restriction.objects.in_force(now)
        .filter(client_id__in=active)
        .values_list("client_id", flat=True)
    )
    return active - restricted


def _candidates(purpose_code: str, boutique_ids: Sequence[int] | None):
    found = ConsentDecision.objects.filter(
        purpose_id=_purpose_id(purpose_code),
        decision=ConsentDecision.Decision.GRANT,
    )
    if boutique_ids is not None:
        found = found.filter(client__home_boutique_id__in=boutique_ids)
    return found


def candidate_count(
    *, purpose_code: str, boutique_ids: Sequence[int] | None = None
) -> int:
    """How many clients ever granted the purpose (a job's progress total)."""
    return (
        _candidates(purpose_code, boutique_ids).values("client_id").distinct().count()
    )


def consenting_chunks(
    *,
    purpose_code: str,
    now: datetime,
    boutique_ids: Sequence[int] | None = None,
    with_candidates: bool = False,
) -> Iterator:
    """Chunks of consenting client ids, ascending, CHUNK candidates at a time.

    Candidates are clients who ever granted the purpose; each chunk is then
    filtered to those whose latest decision is a grant. With
    `with_candidates`, each chunk comes with how many candidates it read
    (a job's progress).
    """
    after = 0
    while True:
        candidates = _candidates(purpose_code, boutique_ids).filter(client_id__gt=after)
        ids = list(
            candidates.order_by("client_id")
            .values_list("client_id", flat=True)
            .distinct()[:CHUNK]
        )
        if not ids:
            return
        after = ids[-1]
        keep = current_consenting(purpose_code=purpose_code, client_ids=ids, now=now)
        chunk = [client_id for client_id in ids if client_id in keep]
        yield (chunk, len(ids)) if with_candidates else chunk
