"""The client's own links: signed unsubscribe and preference tokens, the
public one-click unsubscribe (RFC 8058) and the preference page."""

import time

import pytest
from django.core import signing
from django.urls import reverse

from clienteling.models import Client
from consents import registry, unsubscribe
from consents.models import Channel, ConsentDecision, SuppressionEntry
from consents.selectors import current_decisions
from core.models import AccessLogEntry
from tests.clienteling.factories import BoutiqueFactory
from tests.consents.factories import ClientFactory, SoftOptInFactory, grant

pytestmark = pytest.mark.django_db

NEWSLETTERS = registry.NEWSLETTERS
EVENTS = registry.EVENTS
GRANT = ConsentDecision.Decision.GRANT
WITHDRAW = ConsentDecision.Decision.WITHDRAW


def _client(language="en", **kwargs):
    return ClientFactory(
        home_boutique=BoutiqueFactory(), preferred_language=language, **kwargs
    )


def _state(client, code):
    decisions = current_decisions(client_ids=[client.pk])
    found = [d for (c, _p), d in decisions.items() if d.purpose.code == code]
    return found[0].decision if found else None


def _ledger(client):
    return ConsentDecision.objects.filter(client=client).count()


def _url(client, code=NEWSLETTERS, campaign_id=0):
    return unsubscribe.unsubscribe_path(
        client_id=client.pk, purpose_code=code, campaign_id=campaign_id
    )


def _later(monkeypatch, seconds):
    real = time.time
    monkeypatch.setattr(time, "time", lambda: real() + seconds)


# --- Tokens ----------------------------------------------------------------------


def test_a_token_names_its_client_purpose_and_campaign():
    client = _client()
    token = unsubscribe.unsubscribe_token(
        client_id=client.pk, purpose_code=NEWSLETTERS, campaign_id=7
    )

    claim = unsubscribe.read_unsubscribe_token(token)

    assert claim.client == client
    assert claim.purpose.code == NEWSLETTERS
    assert claim.campaign_id == 7


def test_a_forged_token_is_refused():
    client = _client()
    token = unsubscribe.unsubscribe_token(client_id=client.pk, purpose_code=NEWSLETTERS)
    # a payload edited by hand, or a token signed with another key
    forged_payload = signing.dumps(
        {"c": client.pk + 1, "p": NEWSLETTERS, "k": 0}, key="not-the-secret-key"
    )
    tampered = token[:-3] + ("AAA" if not token.endswith("AAA") else "BBB")

    assert unsubscribe.read_unsubscribe_token(forged_payload) is None
    assert unsubscribe.read_unsubscribe_token(tampered) is None
    assert unsubscribe.read_unsubscribe_token("") is None
    assert unsubscribe.read_unsubscribe_token("x" * 5000) is None


def test_an_expired_token_is_refused(settings, monkeypatch):
    settings.OUTREACH_UNSUBSCRIBE_DAYS = 10
    client = _client()
    token = unsubscribe.unsubscribe_token(client_id=client.pk, purpose_code=NEWSLETTERS)
    _later(monkeypatch, 9 * 86400)
    assert unsubscribe.read_unsubscribe_token(token) is not None

    _later(monkeypatch, 11 * 86400)

    assert unsubscribe.read_unsubscribe_token(token) is None


def test_a_token_for_another_purpose_or_kind_is_refused():
    client = _client()
    # signed for events but claiming the newsletters
    other_salt = signing.dumps(
        {"c": client.pk, "p": NEWSLETTERS, "k": 0},
        salt=unsubscribe.UNSUBSCRIBE_SALT + EVENTS,
    )
    # a preference-page token is no unsubscribe token, and the reverse
    preferences = unsubscribe.preferences_token(client_id=client.pk)
    unsubscribing = unsubscribe.unsubscribe_token(
        client_id=client.pk, purpose_code=NEWSLETTERS
    )

    assert unsubscribe.read_unsubscribe_token(other_salt) is None
    assert unsubscribe.read_unsubscribe_token(preferences) is None
    assert unsubscribe.read_preferences_token(unsubscribing) is None
    assert unsubscribe.read_preferences_token(preferences).client == client


def test_a_token_for_a_client_no_longer_on_file_is_refused():
    client = _client()
    token = unsubscribe.unsubscribe_token(client_id=client.pk, purpose_code=NEWSLETTERS)
    survivor = _client()
    Client.objects.filter(pk=client.pk).update(
        status=Client.Status.MERGED, merged_into=survivor
    )

    assert unsubscribe.read_unsubscribe_token(token) is None


def test_only_outreach_purposes_get_tokens():
    with pytest.raises(ValueError, match="not an outreach purpose"):
        unsubscribe.unsubscribe_token(client_id=1, purpose_code="customer_relations")


# --- One-click unsubscribe ----------------------------------------------------------


def test_get_shows_the_confirmation_and_changes_nothing(client):
    person = _client()
    grant(person, NEWSLETTERS)

    response = client.get(_url(person))

    assert response.status_code == 200
    assert b'name="List-Unsubscribe" value="One-Click"' in response.content
    assert response["Cache-Control"].startswith("max-age=0")
    assert _state(person, NEWSLETTERS) == GRANT


def test_one_click_post_withdraws_at_once_with_no_staff_user(client):
    person = _client()
    grant(person, NEWSLETTERS)
    grant(person, EVENTS)
    client.cookies.clear()

    response = client.post(
        _url(person),
        "List-Unsubscribe=One-Click",
        content_type="application/x-www-form-urlencoded",
    )

    assert response.status_code == 200
    assert b"unsubscribe-done" in response.content
    row = ConsentDecision.objects.filter(client=person).order_by("-id").first()
    assert (row.decision, row.channel, row.recorded_by) == (
        WITHDRAW,
        Channel.UNSUBSCRIBE_LINK,
        None,
    )
    assert row.purpose.code == NEWSLETTERS
    # the other purpose is untouched
    assert _state(person, EVENTS) == GRANT


def test_a_reused_token_answers_the_same_and_writes_nothing(client):
    person = _client()
    grant(person, NEWSLETTERS)
    url = _url(person)
    first = client.post(url, {"List-Unsubscribe": "One-Click"})
    rows = _ledger(person)

    second = client.post(url, {"List-Unsubscribe": "One-Click"})

    assert second.status_code == first.status_code == 200
    assert second.content == first.content
    assert _ledger(person) == rows


def test_a_post_without_the_one_click_field_writes_nothing(client):
    person = _client()
    grant(person, NEWSLETTERS)

    response = client.post(_url(person), {})

    assert response.status_code == 200
    assert b"unsubscribe-form" in response.content
    assert _state(person, NEWSLETTERS) == GRANT


def test_a_soft_opt_in_client_unsubscribing_objects_and_is_suppressed(client):
    person = _client()
    person.emails.create(address="soft@example.com", is_primary=True)
    SoftOptInFactory(client=person)

    client.post(_url(person), {"List-Unsubscribe": "One-Click"})

    assert _state(person, NEWSLETTERS) == ConsentDecision.Decision.OBJECT
    assert SuppressionEntry.objects.exists()


def test_bad_tokens_all_get_the_same_neutral_answer(client, settings, monkeypatch):
    person = _client()
    grant(person, NEWSLETTERS)
    unknown = unsubscribe.unsubscribe_token(client_id=999999, purpose_code=NEWSLETTERS)
    other_purpose = signing.dumps(
        {"c": person.pk, "p": NEWSLETTERS, "k": 0},
        salt=unsubscribe.UNSUBSCRIBE_SALT + EVENTS,
    )
    settings.OUTREACH_UNSUBSCRIBE_DAYS = 1
    expired = _url(person).split("/")[2]
    _later(monkeypatch, 2 * 86400)
    answers = set()

    for token in ("forged-token", unknown, other_purpose, expired):
        for send in (client.get, client.post):
            response = send(
                reverse("consents-unsubscribe", args=[token]),
                {"List-Unsubscribe": "One-Click"},
            )
            answers.add((response.status_code, response.content))

    assert len(answers) == 1
    status, content = answers.pop()
    assert status == 404
    assert b"public-invalid" in content
    assert _state(person, NEWSLETTERS) == GRANT


def test_the_page_is_in_the_clients_language(client):
    person = _client(language="fr")
    grant(person, NEWSLETTERS)

    response = client.get(_url(person))

    assert b'lang="fr"' in response.content
    assert "Me désabonner".encode() in response.content


def test_visits_are_in_the_access_log_without_the_token_or_client(client):
    person = _client()
    grant(person, NEWSLETTERS)
    url = _url(person)

    client.post(url, {"List-Unsubscribe": "One-Click"})
    client.get(reverse("consents-unsubscribe", args=["forged"]))

    entries = list(AccessLogEntry.objects.order_by("id"))
    assert [(e.action, e.path, e.object_id, e.user_id) for e in entries] == [
        ("view", "/u/<token>/", "", None),
        ("denied", "/u/<token>/", "", None),
    ]


# --- Preference page -------------------------------------------------------------


def _preferences(person):
    return unsubscribe.preferences_path(client_id=person.pk)


def test_the_preference_page_shows_the_current_choices_in_the_clients_language(
    client,
):
    person = _client(language="fr")
    grant(person, NEWSLETTERS)

    response = client.get(_preferences(person))

    assert response.status_code == 200
    body = response.content.decode()
    assert 'lang="fr"' in body
    assert "Vos choix" in body
    assert f'name="purpose_{NEWSLETTERS}" value="yes" checked' in body
    assert f'name="purpose_{EVENTS}" value="yes">' in body


def test_each_change_on_the_preference_page_is_a_ledger_row_with_its_wording(client):
    person = _client(language="fr")
    grant(person, NEWSLETTERS)
    before = _ledger(person)

    response = client.post(_preferences(person), {f"purpose_{EVENTS}": "yes"})

    assert response.status_code == 200
    assert _ledger(person) == before + 2
    events = ConsentDecision.objects.filter(client=person, purpose__code=EVENTS).get()
    assert (events.decision, events.channel, events.recorded_by) == (
        GRANT,
        Channel.PREFERENCE_PAGE,
        None,
    )
    # the evidence: the French sentence the page showed
    assert events.wording.language == "fr"
    assert events.language == "fr"
    assert events.wording.text in response.content.decode()
    assert _state(person, NEWSLETTERS) == WITHDRAW


def test_saving_the_same_choices_writes_nothing(client):
    person = _client()
    grant(person, NEWSLETTERS)
    before = _ledger(person)

    client.post(_preferences(person), {f"purpose_{NEWSLETTERS}": "yes"})

    assert _ledger(person) == before


def test_an_expired_or_forged_preference_link_changes_nothing(
    client, settings, monkeypatch
):
    person = _client()
    grant(person, NEWSLETTERS)
    settings.OUTREACH_PREFERENCES_DAYS = 1
    url = _preferences(person)
    _later(monkeypatch, 2 * 86400)

    expired = client.post(url, {})
    forged = client.post(reverse("consents-preferences", args=["forged"]), {})

    assert expired.status_code == forged.status_code == 404
    assert expired.content == forged.content
    assert _state(person, NEWSLETTERS) == GRANT
