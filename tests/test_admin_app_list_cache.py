"""The admin's app list (the nav sidebar on every page) is built once per
permission set and language, and follows a permission change on the
person's next request (config.admin_site, decision 0114)."""

import pytest
from django.contrib import admin
from django.contrib.auth.models import Permission
from django.urls import reverse

from tests.clienteling.factories import BoutiqueFactory, UserFactory, adviser

pytestmark = pytest.mark.django_db

SECTIONS = "admin:sections"


def _models(response) -> set[str]:
    return {
        model["object_name"]
        for app in response.context["available_apps"]
        for model in app["models"]
    }


@pytest.fixture
def builds(monkeypatch):
    """How many times the stock app list was built."""
    calls = []
    stock = admin.AdminSite._build_app_dict

    def counted(site, request, label=None):
        calls.append(label)
        return stock(site, request, label)

    monkeypatch.setattr(admin.AdminSite, "_build_app_dict", counted)
    admin.site._app_lists.clear()
    yield calls
    admin.site._app_lists.clear()


def test_the_same_person_gets_the_same_list_built_once(client, builds):
    me = adviser(BoutiqueFactory())
    client.force_login(me)
    first = client.get(reverse(SECTIONS))
    second = client.get(reverse("admin:clienteling_client_changelist"))
    assert first.context["available_apps"] == second.context["available_apps"]
    assert "Client" in _models(second)
    # sections' own index and the sidebar share the one build
    assert builds == [None]


def test_a_permission_granted_or_withdrawn_shows_on_the_next_request(client, builds):
    me = UserFactory()
    client.force_login(me)
    page = reverse(SECTIONS)
    assert "Boutique" not in _models(client.get(page))
    view_boutique = Permission.objects.get(
        content_type__app_label="clienteling", codename="view_boutique"
    )
    me.user_permissions.add(view_boutique)
    assert "Boutique" in _models(client.get(page))
    me.user_permissions.remove(view_boutique)
    assert "Boutique" not in _models(client.get(page))
    # back to the first permission set: its list, not a third build
    assert len(builds) == 2


def test_a_role_change_changes_the_list(client, builds):
    paris = BoutiqueFactory()
    me = UserFactory(boutiques=[paris])
    client.force_login(me)
    page = reverse(SECTIONS)
    assert "Client" not in _models(client.get(page))
    me.groups.add(adviser(paris).groups.get())
    assert "Client" in _models(client.get(page))


def test_each_language_has_its_own_list(client, builds):
    me = adviser(BoutiqueFactory())
    client.force_login(me)
    page = reverse("admin:clienteling_client_changelist")
    me.language = "en"
    me.save(update_fields=["language"])
    english = client.get(page)
    me.language = "fr"
    me.save(update_fields=["language"])
    french = client.get(page)
    # the sidebar as rendered (the names are lazy, read in each language)
    assert "Activity" in english.content.decode()
    assert "Activité" not in english.content.decode()
    assert "Activité" in french.content.decode()
    assert len(builds) == 2


def test_a_caller_changing_its_copy_leaves_the_next_one_whole(client, builds):
    me = adviser(BoutiqueFactory())
    client.force_login(me)
    page = reverse(SECTIONS)
    mine = client.get(page).context["available_apps"]
    count = sum(len(app["models"]) for app in mine)
    mine[0]["models"].clear()
    mine.clear()
    again = client.get(page).context["available_apps"]
    assert sum(len(app["models"]) for app in again) == count > 0
