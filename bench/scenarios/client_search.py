"""Global search at 1M clients over 20 boutiques, against the list page 1.

Setup builds its own rows (client numbers SRCH-…, boutiques SRCH00…SRCH19):
surnames drawn from syllables, a few common ones ("Martin" for 2% of
clients, "Lefèvre" for 0.1%), accented first names, one email and one
mobile each. It is idempotent: a second run with the same size keeps the
rows.

Baseline: the client list page 1 (ClientAdmin, no search) in the same
process and run. Candidates: the same list with q= for each kind of term
(a name typed without its accent, the commonest surname, part of an email,
the last 6 digits of a phone, a client number). The printed ratio is
baseline/candidate: the target p50 ≤ 2x the list is a ratio ≥ 0.5. Each
candidate also reports its query count and asserts that EXPLAIN of its
search queries names the search index.
"""

import time

from django.db import connection
from django.test import RequestFactory
from django.test.utils import CaptureQueriesContext

from bench.fixtures import bench_boutique
from bench.registry import Scenario, register

PREFIX = "SRCH-"
BOUTIQUES = 20
SYLLABLES = [
    [
        "ber",
        "cha",
        "du",
        "fon",
        "gar",
        "ho",
        "jo",
        "la",
        "mo",
        "ne",
        "pé",
        "ri",
        "ro",
        "sa",
        "tè",
        "val",
        "vi",
    ],
    [
        "bar",
        "cel",
        "dan",
        "for",
        "gui",
        "lan",
        "lé",
        "mar",
        "nier",
        "pon",
        "quet",
        "ran",
        "sel",
        "ter",
        "vau",
        "zin",
        "bo",
        "ca",
        "dé",
    ],
    [
        "d",
        "l",
        "t",
        "s",
        "x",
        "n",
        "rd",
        "ux",
        "lle",
        "rre",
        "ve",
        "tte",
        "ne",
        "ron",
        "ot",
        "ard",
        "and",
        "ier",
        "in",
        "on",
        "az",
        "ez",
        "y",
    ],
]
FIRST_NAMES = [
    "Hélène",
    "Zoé",
    "Chloé",
    "Jérôme",
    "François",
    "Anaïs",
    "Léa",
    "Agnès",
    "Noël",
    "Inès",
    "Marie",
    "Jean",
    "Paul",
    "Claire",
    "Louis",
    "Sophie",
    "Pierre",
    "Julie",
    "Thomas",
    "Emma",
    "Lucas",
    "Camille",
    "Hugo",
    "Alice",
    "Nathan",
    "Sarah",
    "Arthur",
    "Laura",
    "Victor",
    "Manon",
]
DOMAINS = ["example.com", "mail.example", "post.example", "example.org", "example.net"]

TERMS = {
    "accent": "lefevre",
    "common": "martin",
    "email": "c424242.",
    "phone6": f"{424242 * 7919 % 100000000:08d}"[-6:],  # client 424242's
    "number": "SRCH-00424242",
}


def setup(size: int) -> None:
    from clienteling.models import Client, ClientPhone, User

    boutiques = [
        bench_boutique(f"SRCH{n:02d}", f"Search bench boutique {n}").pk
        for n in range(BOUTIQUES)
    ]
    User.objects.update_or_create(
        username="bench-admin", defaults={"is_staff": True, "is_superuser": True}
    )
    ours = Client.objects.filter(client_number__startswith=PREFIX)
    if (
        ours.count() == size
        and ClientPhone.objects.filter(client__in=ours).count() == size
    ):
        return
    with connection.cursor() as cursor:
        for table in ("clienteling_clientemail", "clienteling_clientphone"):
            cursor.execute(
                f"DELETE FROM {table} WHERE client_id IN (SELECT id FROM "  # noqa: S608
                "clienteling_client WHERE client_number LIKE 'SRCH-%%')",
                [],
            )
        cursor.execute(
            "DELETE FROM clienteling_client WHERE client_number LIKE 'SRCH-%%'", []
        )
        cursor.execute(
            """
            INSERT INTO clienteling_client (
                client_number, title, first_name, last_name, nationality,
                civil_status, preferred_language, home_boutique_id,
                source, display_language, cookie_consent,
                status, last_contact_at, lifetime_value, created_at, updated_at)
            SELECT 'SRCH-' || lpad(g::text, 8, '0'), '',
                (%(first)s::text[])[1 + (g * 7) %% 30],
                CASE WHEN g %% 50 = 0 THEN 'Martin'
                     WHEN g %% 1000 = 7 THEN 'Lefèvre'
                     ELSE initcap(
                        (%(s1)s::text[])[1 + g %% 17]
                        || (%(s2)s::text[])[1 + (g / 17) %% 19]
                        || (%(s3)s::text[])[1 + (g / 323) %% 23])
                END,
                'FR', '', 'fr', (%(boutiques)s::bigint[])[1 + g %% 20],
                'import', '', '', 'active',
                now() - (g %% 1000) * interval '1 day', 0, now(), now()
            FROM generate_series(1, %(size)s) AS g
            """,
            {
                "first": FIRST_NAMES,
                "s1": SYLLABLES[0],
                "s2": SYLLABLES[1],
                "s3": SYLLABLES[2],
                "boutiques": boutiques,
                "size": size,
            },
        )
        cursor.execute(
            """
            INSERT INTO clienteling_clientemail (client_id, address, is_primary)
            SELECT id, 'c' || substr(client_number, 6)::int || '.'
                || translate(lower(last_name), 'àâäçéèêëîïôöùûü', 'aaaceeeeiioouuu')
                || '@' || (%s::text[])[1 + id %% 5], true
            FROM clienteling_client WHERE client_number LIKE 'SRCH-%%'
            """,
            [DOMAINS],
        )
        cursor.execute(
            "INSERT INTO clienteling_clientphone (client_id, kind, number, is_primary) "
            "SELECT id, 'mobile', '+336' || lpad(((substr(client_number, 6)::bigint "
            "* 7919) %% 100000000)::text, 8, '0'), true "
            "FROM clienteling_client WHERE client_number LIKE 'SRCH-%%'",
            [],
        )
        cursor.execute(
            "VACUUM ANALYZE clienteling_client, clienteling_clientemail, "
            "clienteling_clientphone"
        )


# The index EXPLAIN must name for each kind of term: the branch of
# clienteling.search that finds it. Every other branch may walk another
# index under its LIMIT, but no plan may scan a big table.
INDEXES = {
    "accent": "client_search_name_trgm",
    "common": "client_search_name_trgm",
    "email": "clienteling_clientemail_address_trgm",
    "phone6": "client_phone_reversed",
    "number": "client_number",
}
BIG_TABLES = (
    "clienteling_client ",
    "clienteling_clientemail ",
    "clienteling_clientphone ",
)


def _user(scoped: bool):
    from clienteling.models import Boutique, User

    if not scoped:
        return User.objects.get(username="bench-admin")
    from django.contrib.auth.models import Group

    from core import roles

    user, _ = User.objects.get_or_create(
        username="bench-search-adviser", defaults={"is_staff": True}
    )
    user.groups.add(Group.objects.get(name=roles.ADVISER))
    user.boutiques.set([Boutique.objects.get(code="SRCH00")])
    return user


def _render(query: dict, *, scoped: bool = False) -> dict:
    """The client list as a request renders it, twice; the second timed."""
    from django.contrib import admin
    from django.contrib.messages.storage.cookie import CookieStorage

    from clienteling.models import Client

    model_admin = admin.site._registry[Client]
    user = _user(scoped)

    def render():
        request = RequestFactory().get("/admin/clienteling/client/", query)
        request.user = user
        request._messages = CookieStorage(request)
        response = model_admin.changelist_view(request)
        response.render()
        assert response.status_code == 200, response.status_code
        return response

    render()
    started = time.perf_counter()
    with CaptureQueriesContext(connection) as queries:
        response = render()
    seconds = time.perf_counter() - started
    return {
        "seconds": seconds,
        "queries": len(queries),
        "rows": len(response.context_data["cl"].result_list),
    }


def _explain(kind: str, *, scoped: bool) -> list[str]:
    """EXPLAIN each search query of the term; assert each names an index
    of INDEXES[kind] (the bench stops if the plan walks the table)."""
    from django.contrib import admin
    from django.contrib.messages.storage.cookie import CookieStorage

    from clienteling.models import Client
    from clienteling.search import _branches, with_search_name

    model_admin = admin.site._registry[Client]
    request = RequestFactory().get("/admin/clienteling/client/")
    request.user = _user(scoped)
    request._messages = CookieStorage(request)
    base = with_search_name(model_admin.get_queryset(request).live().order_by())
    plans = [
        base.filter(branch).values_list("pk", flat=True)[:201].explain()
        for branch in _branches(TERMS[kind])
    ]
    every = "\n".join(plans)
    assert INDEXES[kind] in every, f"{kind}: {INDEXES[kind]} not used:\n{every}"
    for table in BIG_TABLES:
        assert f"Seq Scan on {table}" not in every, f"{kind}: scans {table}\n{every}"
    return INDEXES[kind]


def _search(kind: str, *, scoped: bool = False) -> dict:
    result = _render({"q": TERMS[kind]}, scoped=scoped)
    result["index"] = _explain(kind, scoped=scoped)
    return result


for _kind, _what in [
    ("accent", "a name with accents typed without (lefevre)"),
    ("common", "the commonest surname (martin, 2%)"),
    ("email", "part of an email"),
    ("phone6", "the last 6 digits of a phone"),
    ("number", "a client number"),
]:
    register(
        Scenario(
            name=f"client_search_{_kind}",
            description=f"Search at 1M: {_what} vs the client list page 1",
            setup=setup,
            baseline=lambda: _render({}),
            candidate=lambda kind=_kind: _search(kind),
            target="p50 <= 2x the list page 1: ratio >= 0.5 (issues 14, 22)",
            default_size=1_000_000,
        )
    )
register(
    Scenario(
        name="client_search_common_scoped",
        description="Search at 1M as an adviser of one boutique: the commonest "
        "surname vs their list page 1",
        setup=setup,
        baseline=lambda: _render({}, scoped=True),
        candidate=lambda: _search("common", scoped=True),
        target="p50 <= 2x the list page 1: ratio >= 0.5 (issues 14, 22)",
        default_size=1_000_000,
    )
)
