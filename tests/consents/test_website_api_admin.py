"""Admin pages of the website intake API: create a website client, issue
and rotate its key (shown once, stored as a digest)."""

import json
import re

import pytest
from django.urls import reverse

from consents.models import WebsiteApiKey, WebsiteClient
from tests.clienteling.factories import BoutiqueFactory, adviser, compliance
from tests.consents.factories import WebsiteClientFactory, website_with_key

pytestmark = pytest.mark.django_db

KEY = re.compile(r'<code id="website-api-key">(ecr_[^<]+)</code>')


def rotate_url(website) -> str:
    return reverse("admin:consents_websiteclient_rotate", args=[website.pk])


def accounts_call(client, key: str, event_id: str):
    body = {
        "event_id": event_id,
        "services": ["my_account"],
        "first_name": "Camille",
        "last_name": "Exemple",
        "email": f"{event_id}@example.com",
        "ip_address": "203.0.113.7",
    }
    return client.post(
        reverse("website-api:accounts"),
        json.dumps(body),
        content_type="application/json",
        HTTP_AUTHORIZATION=f"Bearer {key}",
    )


def test_compliance_creates_a_website_then_issues_its_key_once(client):
    boutique = BoutiqueFactory()
    client.force_login(compliance())

    # when the website client is saved, its key page follows
    added = client.post(
        reverse("admin:consents_websiteclient_add"),
        {"name": "Maison website", "boutiques": [boutique.pk], "is_active": "on"},
    )
    website = WebsiteClient.objects.get(name="Maison website")
    assert added.status_code == 302
    assert added["Location"] == rotate_url(website)
    page = client.get(rotate_url(website))
    assert page.status_code == 200
    assert "no key yet" in page.text
    assert not WebsiteApiKey.objects.exists()  # the GET changed nothing

    issued = client.post(rotate_url(website), {"confirm": "yes"})

    assert issued.status_code == 200
    assert "no-store" in issued["Cache-Control"]
    key = KEY.search(issued.text).group(1)
    row = WebsiteApiKey.objects.get(website_client=website)
    assert key.startswith(f"ecr_{row.prefix}_")
    assert key not in row.digest
    # the change page shows the prefix only
    change = client.get(
        reverse("admin:consents_websiteclient_change", args=[website.pk])
    )
    assert f"ecr_{row.prefix}_…" in change.text
    assert key not in change.text
    # and the key works
    assert accounts_call(client, key, "admin-1").status_code == 201


def test_rotation_names_the_key_it_ends_and_issues_a_new_one(client, settings):
    settings.WEBSITE_API_KEY_GRACE_HOURS = 24
    website, old_key = website_with_key()
    old = WebsiteApiKey.objects.get(website_client=website)
    client.force_login(compliance())

    confirm = client.get(rotate_url(website))
    assert f"ecr_{old.prefix}_…" in confirm.text
    assert "stops working" in confirm.text

    rotated = client.post(rotate_url(website), {"confirm": "yes"})

    new_key = KEY.search(rotated.text).group(1)
    assert new_key != old_key
    old.refresh_from_db()
    assert old.valid_until is not None
    # both work during the grace period
    assert accounts_call(client, old_key, "rot-1").status_code == 201
    assert accounts_call(client, new_key, "rot-2").status_code == 201


def test_a_post_without_the_confirmation_issues_nothing(client):
    website = WebsiteClientFactory()
    client.force_login(compliance())

    response = client.post(rotate_url(website), {})

    assert response.status_code == 200
    assert not WebsiteApiKey.objects.exists()


def test_an_adviser_may_not_rotate_nor_see_website_clients(client):
    boutique = BoutiqueFactory()
    website, _key = website_with_key(boutique)
    client.force_login(adviser(boutique))

    assert client.post(rotate_url(website), {"confirm": "yes"}).status_code == 403
    assert (
        client.get(reverse("admin:consents_websiteclient_changelist")).status_code
        == 403
    )
    assert WebsiteApiKey.objects.count() == 1
