"""Optimistic locking of admin change forms (core.locking, decision 0022).

Two people open the same change form; the first saves; the second's save
is refused, with their input kept, what changed, by whom and when; the
second save after that succeeds. Per form: the client here, the order in
tests/orders/test_locking.py, the data-subject request in
tests/privacy/requests/test_locking.py.
"""

import re
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format

from clienteling.models import Client
from core import roles
from core.locking import VERSION_FIELD, read_token, version_token
from tests.clienteling.factories import (
    BoutiqueFactory,
    ClientFactory,
    EmailFactory,
    UserFactory,
)
from tests.helpers import (
    form_data,
    form_refusal,
    opened_change_form,
    signed_in_browser,
)

pytestmark = pytest.mark.django_db

FORM_ID = "client_form"


def _adviser(boutique, first_name, last_name):
    return UserFactory(
        role=roles.ADVISER,
        boutiques=[boutique],
        first_name=first_name,
        last_name=last_name,
    )


def _url(client) -> str:
    return reverse("admin:clienteling_client_change", args=[client.pk])


def _posted_value(response, name) -> str:
    return response.context["adminform"].form[name].value()


@pytest.fixture
def setting():
    boutique = BoutiqueFactory()
    client = ClientFactory(home_boutique=boutique, first_name="Alice")
    anna = _adviser(boutique, "Anna", "Martin")
    bruno = _adviser(boutique, "Bruno", "Roy")
    return client, anna, bruno


def test_a_save_over_a_newer_version_is_refused_then_accepted(setting):
    client, anna, bruno = setting
    url = _url(client)
    anna_browser, bruno_browser = signed_in_browser(anna), signed_in_browser(bruno)

    # given both advisers opened the client
    anna_form = opened_change_form(anna_browser, url, FORM_ID)
    bruno_form = opened_change_form(bruno_browser, url, FORM_ID)

    # when Anna saves a new first name
    anna_form["first_name"] = ["Alicia"]
    assert anna_browser.post(url, anna_form).status_code == 302
    # and Bruno then saves his own edit, from the page he opened before
    bruno_form["last_name"] = ["Dupont-Roy"]
    refused = bruno_browser.post(url, bruno_form)

    # then Bruno is refused, told who changed what and when
    assert refused.status_code == 200
    message = form_refusal(refused)
    saved_at = client.history.order_by("-history_id").first().history_date
    when = date_format(timezone.localtime(saved_at), "DATETIME_FORMAT")
    assert "Anna Martin" in message
    assert "First name" in message
    assert when in message
    assert "save again" in message
    assert "clienteling" not in message
    assert "T" + when[-5:] not in message
    # and his input is still in the form
    assert _posted_value(refused, "last_name") == "Dupont-Roy"
    # and the page still names the record as saved, not as he typed it
    assert refused.context["original"].last_name != "Dupont-Roy"
    # and the database holds Anna's value, nothing of Bruno's
    client.refresh_from_db()
    assert client.first_name == "Alicia"
    assert client.last_name != "Dupont-Roy"

    # when Bruno saves again the form he was shown
    again = form_data(refused.text, FORM_ID)
    assert again["last_name"] == ["Dupont-Roy"]
    accepted = bruno_browser.post(url, again)

    # then it is accepted
    assert accepted.status_code == 302
    client.refresh_from_db()
    assert client.last_name == "Dupont-Roy"


def test_a_save_with_no_concurrent_change_goes_through(setting):
    client, anna, _bruno = setting
    url = _url(client)
    browser = signed_in_browser(anna)
    data = opened_change_form(browser, url, FORM_ID)
    data["last_name"] = ["Durand"]

    response = browser.post(url, data)

    assert response.status_code == 302
    client.refresh_from_db()
    assert client.last_name == "Durand"


def test_the_change_form_carries_a_version_token(setting):
    client, anna, _bruno = setting

    data = opened_change_form(signed_in_browser(anna), _url(client), FORM_ID)

    version = read_token(client, data[VERSION_FIELD][0])
    assert version is not None
    latest = client.history.order_by("-history_id").first().history_id
    assert version.history_id == latest


@pytest.mark.parametrize(
    "token",
    ["", "garbage", "tampered", "another client's"],
)
def test_a_bad_token_is_refused_and_changes_nothing(setting, token):
    client, anna, _bruno = setting
    url = _url(client)
    browser = signed_in_browser(anna)
    data = opened_change_form(browser, url, FORM_ID)
    if token == "tampered":
        token = data[VERSION_FIELD][0][:-3] + "abc"
    elif token == "another client's":
        token = version_token(ClientFactory(home_boutique=client.home_boutique))
    data[VERSION_FIELD] = [token]
    data["last_name"] = ["Tampered"]
    rows = client.history.count()

    response = browser.post(url, data)

    assert response.status_code == 200
    assert "could not be checked against the saved client" in form_refusal(response)
    assert "nothing was saved" in form_refusal(response)
    assert _posted_value(response, "last_name") == "Tampered"
    client.refresh_from_db()
    assert client.last_name != "Tampered"
    assert client.history.count() == rows


def test_a_missing_token_is_refused(setting):
    client, anna, _bruno = setting
    url = _url(client)
    browser = signed_in_browser(anna)
    data = opened_change_form(browser, url, FORM_ID)
    del data[VERSION_FIELD]
    data["last_name"] = ["Tampered"]

    response = browser.post(url, data)

    assert response.status_code == 200
    assert "could not be checked" in form_refusal(response)
    client.refresh_from_db()
    assert client.last_name != "Tampered"


def test_a_change_the_form_cannot_overwrite_does_not_refuse(setting):
    client, anna, _bruno = setting
    url = _url(client)
    browser = signed_in_browser(anna)
    data = opened_change_form(browser, url, FORM_ID)
    # given a field the form does not write changed after it was opened
    Client.objects.get(pk=client.pk).save()  # a new history row, same values
    fresh = Client.objects.get(pk=client.pk)
    fresh.lifetime_value = Decimal("12345.00")  # read-only on the form
    fresh.save()
    data["last_name"] = ["Durand"]

    response = browser.post(url, data)

    assert response.status_code == 302
    client.refresh_from_db()
    assert client.last_name == "Durand"
    assert client.lifetime_value == Decimal("12345.00")


def test_only_the_saves_that_touched_the_form_are_named(setting):
    client, anna, bruno = setting
    url = _url(client)
    anna_browser, bruno_browser = signed_in_browser(anna), signed_in_browser(bruno)
    anna_form = opened_change_form(anna_browser, url, FORM_ID)
    bruno_form = opened_change_form(bruno_browser, url, FORM_ID)
    # given a task saved a field the form does not write (no user)
    fresh = Client.objects.get(pk=client.pk)
    fresh.lifetime_value = Decimal("12345.00")
    fresh.save()
    # and Anna then saved a new first name
    anna_form["first_name"] = ["Alicia"]
    assert anna_browser.post(url, anna_form).status_code == 302

    message = form_refusal(bruno_browser.post(url, bruno_form))

    assert "changed by Anna Martin on" in message
    assert "automatic task" not in message


def test_a_change_of_an_inline_refuses_and_names_it(setting):
    client, anna, bruno = setting
    url = _url(client)
    browser = signed_in_browser(bruno)
    data = opened_change_form(browser, url, FORM_ID)
    # given an email added to the client after Bruno opened it
    EmailFactory(client=client)
    data["last_name"] = ["Durand"]

    response = browser.post(url, data)

    assert response.status_code == 200
    assert "Email addresses" in form_refusal(response)
    client.refresh_from_db()
    assert client.last_name != "Durand"


def test_the_same_user_in_another_tab_is_told_so(setting):
    client, anna, _bruno = setting
    url = _url(client)
    browser = signed_in_browser(anna)
    first_tab = opened_change_form(browser, url, FORM_ID)
    second_tab = opened_change_form(browser, url, FORM_ID)
    first_tab["first_name"] = ["Alicia"]
    assert browser.post(url, first_tab).status_code == 302
    second_tab["last_name"] = ["Durand"]

    response = browser.post(url, second_tab)

    assert response.status_code == 200
    assert "you, in another tab or window" in form_refusal(response)


def test_purged_history_refuses_without_guessing(setting):
    client, anna, bruno = setting
    url = _url(client)
    browser = signed_in_browser(bruno)
    data = opened_change_form(browser, url, FORM_ID)
    # given the history the page was served at is gone (as erasure purges)
    client.history.all().delete()
    fresh = Client.objects.get(pk=client.pk)
    fresh.first_name = "Alicia"
    fresh.save()
    data["last_name"] = ["Durand"]

    response = browser.post(url, data)

    assert response.status_code == 200
    assert "can no longer be told" in form_refusal(response)
    client.refresh_from_db()
    assert client.last_name != "Durand"


def test_the_message_names_no_model_label_nor_iso_time(setting):
    client, anna, bruno = setting
    url = _url(client)
    anna_browser, bruno_browser = signed_in_browser(anna), signed_in_browser(bruno)
    anna_form, bruno_form = (
        opened_change_form(anna_browser, url, FORM_ID),
        opened_change_form(bruno_browser, url, FORM_ID),
    )
    anna_form["first_name"] = ["Alicia"]
    anna_browser.post(url, anna_form)

    message = form_refusal(bruno_browser.post(url, bruno_form))

    assert not re.search(r"\d{4}-\d{2}-\d{2}", message)
    assert "clienteling" not in message.lower()
    assert "first_name" not in message


@pytest.mark.postgres
def test_the_check_and_the_save_hold_the_row_lock(setting):
    client, anna, _bruno = setting
    url = _url(client)
    browser = signed_in_browser(anna)
    data = opened_change_form(browser, url, FORM_ID)
    data["last_name"] = ["Durand"]

    with CaptureQueriesContext(connection) as queries:
        response = browser.post(url, data)

    assert response.status_code == 302
    sqls = [q["sql"] for q in queries.captured_queries]
    locks = [
        i
        for i, sql in enumerate(sqls)
        if "FOR UPDATE" in sql and '"clienteling_client"' in sql
    ]
    updates = [i for i, sql in enumerate(sqls) if sql.startswith("UPDATE")]
    assert locks, "no row lock taken"
    assert locks[0] < updates[0]
