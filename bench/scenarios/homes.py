"""Each role's home (issue 14) against the client list page 1, same table.

Set up on the client_changelist table (`--size` clients of the bench
boutique, two in three advised by one of 50 advisers), plus what the homes
read: the 50 advisers in the adviser role and the boutique, 5,000 open
follow-ups (some overdue), 5,000 contacts logged today, 200 client views in
the access log, a manager, a customer-service agent and a compliance
officer. Baseline: ClientAdmin's list page 1 (as client_changelist's
candidate); candidate: the role's home (EcrinAdminSite.index). Run at two
sizes to compare query counts (they must not move with the table).
"""

import time
from datetime import timedelta

from django.db import connection
from django.test.utils import CaptureQueriesContext

from bench.registry import Scenario, register
from bench.scenarios import client_changelist

HOME_USERS = {
    "adviser": "bench-adviser-1",
    "manager": "bench-manager",
    "service": "bench-service",
    "compliance": "bench-compliance",
}
ROWS = 5000


def setup(size: int) -> None:
    from django.contrib.auth.models import Group
    from django.utils import timezone

    from clienteling.models import Boutique, Client, ContactEvent, FollowUp, User
    from core import roles
    from core.models import AccessLogEntry

    # The table may be rebuilt (another size): the homes' rows go first.
    FollowUp.objects.filter(note="bench").delete()
    ContactEvent.objects.filter(subject="Bench call").delete()
    client_changelist.setup(size)
    roles.sync_roles()
    boutique = Boutique.objects.get(code="BENCH")
    for username, role in (
        *((f"bench-adviser-{n}", roles.ADVISER) for n in range(50)),
        ("bench-manager", roles.MANAGER),
        ("bench-service", roles.CUSTOMER_SERVICE),
        ("bench-compliance", roles.COMPLIANCE),
    ):
        user, _ = User.objects.update_or_create(
            username=username, defaults={"is_staff": True, "is_active": True}
        )
        user.groups.add(Group.objects.get(name=role))
        user.boutiques.add(boutique)
    adviser = User.objects.get(username=HOME_USERS["adviser"])
    service = User.objects.get(username=HOME_USERS["service"])
    ids = list(
        Client.objects.filter(primary_adviser=adviser)
        .order_by("pk")
        .values_list("pk", flat=True)[:ROWS]
    )
    today = timezone.localdate()
    now = timezone.now()
    advisers = list(User.objects.filter(username__startswith="bench-adviser-"))
    FollowUp.objects.bulk_create(
        FollowUp(
            client_id=pk,
            adviser=adviser if n % 2 else advisers[n % len(advisers)],
            due_date=today - timedelta(days=n % 30 - 10),
            reason="manual",
            note="bench",
        )
        for n, pk in enumerate(ids)
    )
    ContactEvent.objects.bulk_create(
        ContactEvent(
            client_id=pk,
            channel="phone",
            direction="inbound",
            outcome="reached",
            subject="Bench call",
            staff=service if n % 2 else advisers[n % len(advisers)],
            boutique=boutique,
            occurred_at=now - timedelta(minutes=n % 600),
        )
        for n, pk in enumerate(ids)
    )
    # The access log is append-only: each setup adds the views anew.
    AccessLogEntry.objects.bulk_create(
        AccessLogEntry(
            user=user,
            action="view",
            object_type="clienteling.client",
            object_id=str(pk),
            path="/bench/",
        )
        for user in (adviser, service)
        for pk in ids[:200]
    )
    with connection.cursor() as cursor:
        # VACUUM too: a table autovacuum has visited, as in production,
        # so index-only scans read no heap (decision 0039).
        cursor.execute("VACUUM ANALYZE")


def _home(role: str) -> dict:
    """The role's home as the admin index serves it, rendered twice; the
    second timed."""
    from django.contrib import admin
    from django.contrib.messages.storage.fallback import FallbackStorage
    from django.contrib.sessions.backends.db import SessionStore
    from django.test import RequestFactory

    from clienteling.models import User

    user = User.objects.get(username=HOME_USERS[role])

    def render():
        request = RequestFactory().get("/admin/")
        request.user = user
        request.session = SessionStore()
        request._messages = FallbackStorage(request)
        response = admin.site.index(request)
        response.render()
        assert response.status_code == 200, response.status_code
        assert "panels" in response.context_data, "not a role home"
        return response

    render()
    started = time.perf_counter()
    with CaptureQueriesContext(connection) as queries:
        render()
    return {"seconds": time.perf_counter() - started, "queries": len(queries)}


def _list() -> dict:
    return client_changelist._render(client_changelist._client_admin(), {})


for _role in HOME_USERS:
    register(
        Scenario(
            name=f"home_{_role}",
            description=f"The {_role}'s home vs the client list page 1",
            setup=setup,
            baseline=_list,
            candidate=lambda role=_role: _home(role),
            target="home p50 <= 1.5x the client list page 1 (ratio >= 0.67); "
            "queries the same at every size",
            default_size=1_000_000,
        )
    )
