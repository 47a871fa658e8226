"""What several scenarios set up or wrap the same way."""

from collections.abc import Callable


def bench_boutique(code: str, name: str):
    """The scenario's boutique (idempotent: setup runs once per bench run)."""
    from clienteling.models import Boutique

    boutique, _ = Boutique.objects.get_or_create(
        code=code,
        defaults={
            "name": name,
            "address_line": "1 rue Exemple",
            "city": "Paris",
            "country": "FR",
            "language": "fr",
            "latitude": 48.86,
            "longitude": 2.33,
        },
    )
    return boutique


class _Rollback(Exception):
    pass


def rolled_back(work: Callable[[], dict | None]) -> dict:
    """Run `work` in a transaction rolled back at the end, so every run of
    a scenario that writes sees the same tables; returns what it returned."""
    from django.db import transaction

    result = {}
    try:
        with transaction.atomic():
            result = work() or {}
            raise _Rollback
    except _Rollback:
        pass
    return result
