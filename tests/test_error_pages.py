"""Branded error pages in staff's words: 403, 404 (also "not in your
boutiques"), 500 and a refused form (CSRF), and a favicon."""

import pytest
from django.test import Client
from django.urls import reverse

from tests.clienteling.factories import BoutiqueFactory, ClientFactory, adviser
from tests.test_staff_pages import internals_in, visible_text

pytestmark = pytest.mark.django_db


def test_a_london_adviser_opening_a_paris_client_gets_a_polite_404(client):
    paris, london = BoutiqueFactory(name="Paris"), BoutiqueFactory(name="London")
    someone = ClientFactory(home_boutique=paris, last_name="Lefèvre")
    client.force_login(adviser(london))
    response = client.get(reverse("admin:clienteling_client_change", args=[someone.pk]))
    assert response.status_code == 404
    text = visible_text(response.content.decode())
    assert "not in your boutiques" in text
    assert "Lefèvre" not in text
    assert "Back to my home" in text
    assert 'rel="icon"' in response.content.decode()
    assert internals_in(text) == []


def test_an_unknown_address_gets_the_same_page_signed_out(client):
    response = client.get("/admin-nothing-here/")
    assert response.status_code == 404
    text = visible_text(response.content.decode())
    assert "Not found" in text
    assert "Sign in" in text


def test_a_page_the_role_may_not_open_says_so(client):
    client.force_login(adviser(BoutiqueFactory()))
    response = client.get(reverse("admin:privacy_dashboard"))
    assert response.status_code == 403
    text = visible_text(response.content.decode())
    assert "Not allowed" in text
    assert "Your role does not give access to this page" in text


def test_a_server_error_shows_the_plain_branded_page(rf):
    from config.views import server_error

    response = server_error(rf.get("/admin/"))
    assert response.status_code == 500
    html = response.content.decode()
    assert "Something went wrong on our side" in html
    assert "ecrin/error.css" in html
    assert "Traceback" not in html


def test_a_form_sent_without_its_token_is_refused_in_staffs_words():
    browser = Client(enforce_csrf_checks=True)
    response = browser.post(reverse("admin:login"), {"username": "x", "password": "y"})
    assert response.status_code == 403
    text = visible_text(response.content.decode())
    assert "This form was open too long" in text
    assert "CSRF" not in text


def test_the_favicon_is_served(client):
    response = client.get("/favicon.ico")
    assert response.status_code == 301
    assert response["Location"].endswith(".svg")
