"""The retention run (core.jobs kind "privacy.retention") under real faults.

The four drills of tests.core.drills with real workers, PostgreSQL and
Redis: SIGKILL of the whole worker mid-run, its database connection
terminated, the broker flushed while runs wait, and the same run delivered
twice at once. Each time: each due client erased once (one replay-log line
names it, the counts are not doubled), one run record, no partial file.
"""

import json
from datetime import timedelta
from importlib import import_module

import pytest
from django.utils import timezone

from clienteling.models import Client, WebEvent
from core.models import Job
from privacy import retention
from privacy.erasure.plan import TOMBSTONE_PREFIX
from privacy.models import RetentionRule, RetentionRun
from tests.clienteling.factories import ClientFactory
from tests.core.drills import DrillCase, DrillTests

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

KIND = "privacy.retention"
# The client rule first, then two more: the drills stop the worker after
# the clients were erased, with work left to do.
ACTIVE = ("inactive_clients", "ip_addresses", "web_activity")
CLIENTS_PER_RUN = 3
EVENTS_PER_RUN = 2


def _rules() -> None:
    """The seeded rules (a transactional test empties the tables)."""
    seeded = import_module("privacy.migrations.0005_erasure").RULES
    for rule in seeded:
        RetentionRule.objects.update_or_create(
            code=rule["code"],
            defaults={
                **{k: v for k, v in rule.items() if k != "code"},
                "is_active": rule["code"] in ACTIVE,
            },
        )


# Which clients each run's start made due, by job id.
MADE: dict[int, list[int]] = {}


def _start() -> Job:
    _rules()
    long_ago = timezone.now() - timedelta(days=6 * 365)
    clients = [ClientFactory() for _ in range(CLIENTS_PER_RUN)]
    Client.objects.filter(pk__in=[c.pk for c in clients]).update(
        created_at=long_ago, last_client_initiated_contact_at=long_ago
    )
    for n in range(EVENTS_PER_RUN):
        WebEvent.objects.create(
            client=ClientFactory(),
            kind="product_view",
            occurred_at=long_ago,
            external_id=f"drill-{WebEvent.objects.count()}-{n}",
        )
    run = retention.retention_run_start(acting_user=None, dry_run=False)
    MADE[run.job_id] = [c.pk for c in clients]
    return Job.objects.get(pk=run.job_id)


def _check_once_with(settings):
    def check(job: Job) -> None:
        runs = RetentionRun.objects.filter(job=job)
        assert runs.count() == 1  # one run record
        run = runs.get()
        assert run.status == RetentionRun.Status.DONE
        assert all(last is None for last in run.cursor.values())
        lines = [
            json.loads(line)
            for line in settings.ERASURE_REPLAY_LOG.read_text().splitlines()
            if line
        ]
        named = [i for line in lines for i in line["client_ids"]]
        for client_id in MADE[job.pk]:
            client = Client.objects.get(pk=client_id)
            assert client.client_number.startswith(TOMBSTONE_PREFIX)
            assert named.count(client_id) == 1  # erased once
        # the counts of all runs: each client erased by one batch of one run
        erased = sum(
            (r.counts.get("inactive_clients") or {}).get("clients_erased", 0)
            for r in RetentionRun.objects.all()
        )
        assert erased == len(set(named)) == len(named)
        assert not WebEvent.objects.filter(
            occurred_at__lt=timezone.now() - timedelta(days=5 * 365)
        ).exists()

    return check


class TestDrills(DrillTests):
    @pytest.fixture
    def case(self, settings, tmp_path):
        settings.ERASURE_REPLAY_LOG = tmp_path / "replay.jsonl"
        MADE.clear()
        return DrillCase(kind=KIND, start=_start, check_once=_check_once_with(settings))
