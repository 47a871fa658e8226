"""Segments and dashboards (issue 15) against the client list page 1.

Set up on the homes' tables (`--size` clients of the bench boutique, 50
advisers, 5,000 follow-ups and contacts; bench/scenarios/homes.py) plus one
shared three-criteria segment matching most clients (French speakers,
lifetime value of at most EUR 1,000, not contacted for 90 days).
Candidates, each as the bench manager: the segment's count
(`segment_membership`), and the boutique dashboard's figures for the
last twelve months (`manager_figures`).
Baseline: ClientAdmin's list page 1. Run at 10k and 1M to compare.
Not yet built: the 10M contacts and 2M order lines of the issue's target.
"""

import time
from decimal import Decimal

from django.db import connection
from django.test.utils import CaptureQueriesContext

from bench.registry import Scenario, register
from bench.scenarios import client_changelist, homes

SEGMENT_NAME = "Bench three criteria"


def setup(size: int) -> None:
    from clienteling.models import Boutique, User
    from segments import services
    from segments.models import Segment

    homes.setup(size)
    manager = User.objects.get(username=homes.HOME_USERS["manager"])
    # Made again each run: the criteria below may have changed.
    Segment.objects.filter(name=SEGMENT_NAME).delete()
    services.segment_save(
        acting_user=manager,
        segment=Segment(
            name=SEGMENT_NAME,
            shared=True,
            language="fr",
            lifetime_value_max_eur=Decimal("1000"),
            not_contacted_for_days=90,
        ),
        boutiques=[Boutique.objects.get(code="BENCH")],
    )


def _timed(work) -> dict:
    work()  # warm
    started = time.perf_counter()
    with CaptureQueriesContext(connection) as queries:
        extra = work()
    return {
        "seconds": time.perf_counter() - started,
        "queries": len(queries),
        **(extra or {}),
    }


def _segment_count() -> dict:
    from clienteling.models import User
    from segments import selectors
    from segments.models import Segment

    manager = User.objects.get(username=homes.HOME_USERS["manager"])
    segment = Segment.objects.get(name=SEGMENT_NAME)
    return _timed(
        lambda: {"members": selectors.segment_membership(segment, user=manager).count}
    )


def _manager_dashboard() -> dict:
    from django.utils import timezone

    from clienteling.models import Boutique
    from segments import figures

    boutique = Boutique.objects.get(code="BENCH")
    today = timezone.localdate()
    period = figures.default_period(today)
    return _timed(
        lambda: {"figures": len(figures.manager_figures(boutique, period, today=today))}
    )


def _list() -> dict:
    return client_changelist._render(client_changelist._client_admin(), {})


register(
    Scenario(
        name="segment_count",
        description="A three-criteria segment's count vs the client list page 1",
        setup=setup,
        baseline=_list,
        candidate=_segment_count,
        target="count p50 <= 1 s at 1M clients",
        default_size=1_000_000,
    )
)
register(
    Scenario(
        name="dashboard_manager",
        description="The boutique dashboard's figures vs the client list page 1",
        setup=setup,
        baseline=_list,
        candidate=_manager_dashboard,
        target="p50 <= 300 ms and <= 1.5x its figure at 10k clients",
        default_size=1_000_000,
    )
)
