"""The back office speaks the user's language, in their boutique's time zone."""

import pytest
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.urls import reverse
from django.utils import timezone, translation

from core import roles
from core.localisation import (
    SESSION_TIME_ZONE,
    StaffLocaleMiddleware,
    staff_time_zone,
    validate_time_zone,
)
from tests.clienteling.factories import BoutiqueFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def adviser():
    return UserFactory(role=roles.ADVISER)


def test_english_by_default(client, adviser):
    client.force_login(adviser)

    response = client.get(reverse("admin:index"))

    assert response.status_code == 200
    assert response.headers["Content-Language"] == "en"
    assert "Log out" in response.text
    assert "My preferences" in response.text


def test_the_browsers_language_when_the_user_chose_none(client, adviser):
    client.force_login(adviser)

    response = client.get(reverse("admin:index"), HTTP_ACCEPT_LANGUAGE="fr-FR,fr")

    assert response.headers["Content-Language"] == "fr"
    assert "Déconnexion" in response.text


def test_a_language_the_house_does_not_speak_falls_back_to_english(client, adviser):
    client.force_login(adviser)

    response = client.get(reverse("admin:index"), HTTP_ACCEPT_LANGUAGE="de-DE,de")

    assert response.headers["Content-Language"] == "en"


def test_the_users_language_wins_over_the_browsers(client, adviser):
    adviser.language = "fr"
    adviser.save()
    client.force_login(adviser)

    response = client.get(reverse("admin:index"), HTTP_ACCEPT_LANGUAGE="en-GB,en")

    assert response.headers["Content-Language"] == "fr"
    assert "Déconnexion" in response.text  # Django's own catalogue
    assert "Mes préférences" in response.text  # the project's catalogue


def test_preferences_page_from_the_user_menu_sets_the_language(client, adviser):
    client.force_login(adviser)
    url = reverse("staff-preferences")
    assert f'href="{url}"' in client.get(reverse("admin:index")).text

    page = client.get(url)
    response = client.post(url, {"language": "fr"}, follow=True)

    assert page.status_code == 200
    assert 'name="language"' in page.text
    adviser.refresh_from_db()
    assert adviser.language == "fr"
    assert response.headers["Content-Language"] == "fr"
    assert "Déconnexion" in response.text  # Django's own catalogue
    assert "Mes préférences" in response.text  # the project's catalogue


def test_preferences_page_refuses_a_language_it_does_not_speak(client, adviser):
    client.force_login(adviser)

    response = client.post(reverse("staff-preferences"), {"language": "de"})

    assert response.status_code == 200
    assert "errornote" in response.text
    adviser.refresh_from_db()
    assert adviser.language == ""


def test_preferences_page_needs_a_signed_in_staff_member(client):
    response = client.get(reverse("staff-preferences"))

    assert response.status_code == 302
    assert reverse("admin:login") in response["Location"]


def test_time_zone_of_the_users_first_boutique(adviser):
    adviser.boutiques.set(
        [
            BoutiqueFactory(name="B London", time_zone="Europe/London"),
            BoutiqueFactory(name="A Tokyo", time_zone="Asia/Tokyo"),
        ]
    )

    assert staff_time_zone(adviser) == "Asia/Tokyo"
    assert staff_time_zone(UserFactory()) == "Europe/Paris"


def test_the_middleware_activates_language_and_time_zone(rf, adviser):
    adviser.language = "fr"
    adviser.save()
    adviser.boutiques.set([BoutiqueFactory(time_zone="Asia/Tokyo")])
    seen = {}

    def view(request):
        seen["tz"] = timezone.get_current_timezone_name()
        seen["language"] = translation.get_language()
        return HttpResponse()

    request = rf.get("/admin/")
    request.user = adviser
    request.session = {}
    StaffLocaleMiddleware(view)(request)
    timezone.deactivate()
    translation.activate("en")

    assert seen == {"tz": "Asia/Tokyo", "language": "fr"}


def test_boutique_time_zone_must_be_an_iana_name():
    validate_time_zone("Europe/Paris")
    with pytest.raises(ValidationError, match="not a time zone"):
        validate_time_zone("Paris")
    boutique = BoutiqueFactory.build(time_zone="Mars/Olympus")
    with pytest.raises(ValidationError) as refused:
        boutique.full_clean(exclude=["country"])
    assert "time_zone" in refused.value.message_dict


def test_the_time_zone_is_looked_up_at_sign_in(client, adviser):
    adviser.boutiques.set([BoutiqueFactory(time_zone="America/New_York")])
    client.force_login(adviser)

    assert client.session[SESSION_TIME_ZONE] == "America/New_York"
