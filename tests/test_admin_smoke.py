import pytest
from django.urls import reverse

from clienteling.models import Boutique
from tests.clienteling.factories import BoutiqueFactory, adviser

pytestmark = pytest.mark.django_db


def test_admin_index_shows_house_branding_and_environment(admin_client, settings):
    response = admin_client.get(reverse("admin:index"))

    assert response.status_code == 200
    assert settings.HOUSE_NAME in response.text
    assert f"ecrin-env-{settings.ENVIRONMENT}" in response.text


def test_theme_stylesheet_carries_the_configured_colours(client, settings):
    settings.HOUSE_PRIMARY_COLOUR = "#123456"

    response = client.get(reverse("house-theme"))

    assert response["Content-Type"].startswith("text/css")
    assert "--ecrin-primary:#123456" in response.text


@pytest.mark.parametrize("view", ["changelist", "add"])
def test_superuser_boutique_pages(admin_client, view):
    response = admin_client.get(reverse(f"admin:clienteling_boutique_{view}"))

    assert response.status_code == 200


def test_superuser_boutique_change_and_history(admin_client):
    boutique = BoutiqueFactory()

    for view in ("change", "history"):
        url = reverse(f"admin:clienteling_boutique_{view}", args=[boutique.pk])
        assert admin_client.get(url).status_code == 200


@pytest.mark.parametrize("view", ["changelist", "add"])
def test_superuser_user_pages(admin_client, view):
    assert (
        admin_client.get(reverse(f"admin:clienteling_user_{view}")).status_code == 200
    )


def test_adviser_sees_boutiques_but_cannot_add_one(client):
    boutique = BoutiqueFactory(name="Paris Test")
    client.force_login(adviser(boutique))

    listing = client.get(reverse("admin:clienteling_boutique_changelist"))
    add = client.get(reverse("admin:clienteling_boutique_add"))

    assert listing.status_code == 200
    assert "Paris Test" in listing.text
    assert add.status_code == 403
    assert Boutique.objects.count() == 1


def test_adviser_cannot_see_staff_accounts(client):
    client.force_login(adviser(BoutiqueFactory()))

    response = client.get(reverse("admin:clienteling_user_changelist"))

    assert response.status_code == 403
