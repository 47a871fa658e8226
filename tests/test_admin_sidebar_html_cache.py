"""The nav sidebar's HTML is kept per app list, current section and
language (core/templatetags/app_list_cache.py, decision 0117): every page
is the one the admin's include writes, whatever page filled the cache."""

import re
from pathlib import Path

import django
import pytest
from django.urls import reverse

from core.templatetags import app_list_cache
from tests.clienteling.factories import (
    BoutiqueFactory,
    ClientFactory,
    UserFactory,
    adviser,
    compliance,
    customer_service,
)

pytestmark = pytest.mark.django_db

TOKEN = re.compile(r'(name="csrfmiddlewaretoken" value=")[^"]+(")')
SIDEBAR = re.compile(r'<nav class="sticky" id="nav-sidebar".*?</nav>', re.S)


def _page(client, path, **headers):
    response = client.get(path, **headers)
    assert response.status_code == 200, path
    return TOKEN.sub(r"\1TOKEN\2", response.content.decode())


def test_the_block_is_the_admins_include_replaced():
    ours = (Path(__file__).parent.parent / "templates/admin/base_site.html").read_text()
    stock = (
        Path(django.__file__).parent / "contrib/admin/templates/admin/base.html"
    ).read_text()
    block = (
        "{% block nav-sidebar %}\n"
        '          {% include "admin/nav_sidebar.html" %}\n'
        "        {% endblock %}"
    )
    assert block in stock
    assert (
        block.replace(
            '{% include "admin/nav_sidebar.html" %}', "{% kept_nav_sidebar %}"
        )
        in ours
    )


@pytest.mark.parametrize("who", ["adviser", "manager", "service", "compliance"])
def test_kept_sidebars_are_the_ones_rendered_each_time(client, who, monkeypatch):
    boutique = BoutiqueFactory()
    user = {
        "adviser": lambda: adviser(boutique),
        "manager": lambda: UserFactory(role="Boutique manager", boutiques=[boutique]),
        "service": customer_service,
        "compliance": compliance,
    }[who]()
    someone = ClientFactory(home_boutique=boutique)
    client.force_login(user)
    paths = [
        reverse("admin:index"),
        reverse("admin:sections"),
        reverse("admin:clienteling_client_changelist"),
        reverse("admin:clienteling_client_changelist") + "?q=Nom",
        reverse("admin:clienteling_followup_changelist"),
        reverse("admin:clienteling_client_card", args=[someone.pk]),
    ]
    monkeypatch.setattr(app_list_cache, "_kept", app_list_cache.OrderedDict())
    for language in ("en", "fr"):
        headers = {"HTTP_ACCEPT_LANGUAGE": language}
        # Each page once with the cache filled by the other pages ...
        for path in paths:
            _page(client, path, **headers)
        kept = {path: _page(client, path, **headers) for path in paths}
        assert app_list_cache._kept, "nothing was kept"
        # ... and rendered each time, as the admin's include would.
        with monkeypatch.context() as fresh:
            fresh.setattr(app_list_cache, "_key", lambda *args: None)
            for path in paths:
                rendered = _page(client, path, **headers)
                assert kept[path] == rendered, f"{who} {path} {language}"
        assert sum(bool(SIDEBAR.search(page)) for page in kept.values()) >= 4
    # The client list marks its own row as the current one.
    listed = kept[reverse("admin:clienteling_client_changelist")]
    assert 'class="model-client current-model"' in SIDEBAR.search(listed).group(0)
