"""The client list's rows built once per column (decision 0115) are the
admin's own, byte for byte: each page is rendered through the lean tag and
through the admin's `result_list`, and the two responses compared whole."""

import re
from datetime import datetime
from decimal import Decimal

import pytest
from django.contrib import admin
from django.contrib.admin.templatetags import admin_list
from django.urls import reverse

from clienteling import services
from clienteling.models import Client
from core import roles
from privacy.erasure import engine
from tests.clienteling.factories import (
    BoutiqueFactory,
    ClientFactory,
    UserFactory,
    adviser,
    customer_service,
)

pytestmark = pytest.mark.django_db

CHANGELIST = reverse("admin:clienteling_client_changelist")
TOKEN = re.compile(r'(name="csrfmiddlewaretoken" value=")[^"]+(")')


@pytest.fixture
def listed():
    """Clients with the values a cell can trip on, in two boutiques."""
    paris = BoutiqueFactory(code="PAR-R", name="Paris <Vendôme> & Co")
    london = BoutiqueFactory(code="LON-R", name='London "Bond" Street')
    odd_adviser = UserFactory(
        username="adv<i>&", first_name="Zoé", last_name="O'Brien <3"
    )
    moment = datetime.fromisoformat("2026-03-04T23:30:00+00:00")
    rows = [
        {
            "last_name": "Dupré-Éloïse",
            "first_name": "Chloé",
            "lifetime_value": Decimal("1234567.89"),
            "last_contact_at": moment,
            "primary_adviser": odd_adviser,
        },
        {
            "last_name": "<script>alert('x')</script>",
            "first_name": 'a&b "c"',
            "lifetime_value": Decimal("0.00"),
        },
        {"last_name": "Vide", "first_name": "", "lifetime_value": Decimal("7.50")},
        {"last_name": "Espaces", "first_name": "   "},
        {
            "last_name": "Ångström",
            "first_name": "Ünïcödé ß",
            "home_boutique": london,
            "last_contact_at": datetime.fromisoformat("2025-12-31T00:00:00+00:00"),
        },
        {"last_name": "Survivant", "first_name": "Fusion"},
        {"last_name": "Doublon", "first_name": "Fusion"},
        {"last_name": "Effacé", "first_name": "Record"},
    ]
    clients = [ClientFactory(**{"home_boutique": paris, **row}) for row in rows]
    services.client_merge(acting_user=None, survivor=clients[5], duplicate=clients[6])
    engine.erase_clients(client_ids=[clients[7].pk])
    return paris, london


def _users(paris, london):
    return {
        "adviser": adviser(paris),
        "manager": UserFactory(role=roles.MANAGER, boutiques=[paris, london]),
        "service": customer_service(),
    }


QUERIES = [
    "",
    "?q=Dupr%C3%A9",
    "?q=%3Cscript%3E",
    "?q=a%26b+%22c%22",
    "?record=all",
    "?record=merged",
    "?record=erased",
    "?o=1",
    "?o=-1",
    "?o=5",
    "?o=-5",
    "?o=6",
    "?o=-6",
    "?o=6.-1&record=all",
    "?mine=1&record=all",
    "?record=all&p=1",
]


def _page(client, path, **headers):
    response = client.get(path, **headers)
    assert response.status_code == 200, path
    return TOKEN.sub(r"\1TOKEN\2", response.content.decode())


@pytest.mark.parametrize("role", ["adviser", "manager", "service"])
def test_the_lean_rows_are_the_admins_byte_for_byte(client, listed, role, monkeypatch):
    user = _users(*listed)[role]
    client.force_login(user)
    model_admin = admin.site._registry[Client]
    stock_calls = []
    stock_items = admin_list.items_for_result

    def counted(*args):
        stock_calls.append(args)
        return stock_items(*args)

    monkeypatch.setattr(admin_list, "items_for_result", counted)
    for query in QUERIES:
        for language in ("en", "fr"):
            headers = {"HTTP_ACCEPT_LANGUAGE": language}
            lean = _page(client, CHANGELIST + query, **headers)
            assert stock_calls == [], f"{query}: the lean page used the admin's rows"
            with monkeypatch.context() as stock:
                stock.setattr(
                    model_admin,
                    "ie_base_change_list_template",
                    "admin/change_list.html",
                )
                admins = _page(client, CHANGELIST + query, **headers)
            assert lean == admins, f"{role} {query} {language}"
            # The comparison compared rows, not two empty lists.
            if "<tbody>" in admins:
                assert stock_calls, query
            stock_calls.clear()


def test_every_client_of_the_fixture_is_rendered_on_some_page(client, listed):
    client.force_login(_users(*listed)["service"])
    page = _page(client, CHANGELIST + "?record=all")
    for text in (
        "Dupré-Éloïse",
        "&lt;script&gt;alert(&#x27;x&#x27;)&lt;/script&gt;",
        "a&amp;b &quot;c&quot;",
        "Paris &lt;Vendôme&gt; &amp; Co",
        "Ångström",
        "Survivant",
        "Doublon",
    ):
        assert text in page, text


def test_a_column_the_lean_rows_do_not_know_takes_the_admins_path(
    client, listed, monkeypatch
):
    client.force_login(_users(*listed)["service"])
    model_admin = admin.site._registry[Client]
    monkeypatch.setattr(
        model_admin, "list_display", [*model_admin.list_display, "preferred_language"]
    )
    calls = []
    stock_items = admin_list.items_for_result
    monkeypatch.setattr(
        admin_list,
        "items_for_result",
        lambda *args: calls.append(1) or stock_items(*args),
    )
    page = _page(client, CHANGELIST)
    assert calls, "a column with choices must go through items_for_result"
    assert 'class="field-preferred_language"' in page
