"""The data-subject request change form refuses a save over a newer
version (core.locking)."""

import pytest
from django.urls import reverse

from tests.clienteling.factories import compliance
from tests.helpers import (
    form_data,
    form_refusal,
    opened_change_form,
    signed_in_browser,
)
from tests.privacy.factories import DataSubjectRequestFactory

pytestmark = pytest.mark.django_db

FORM_ID = "datasubjectrequest_form"


def test_two_officers_assign_the_same_request():
    request = DataSubjectRequestFactory()
    anna = compliance(first_name="Anna", last_name="Martin")
    bruno = compliance(first_name="Bruno", last_name="Roy")
    url = reverse("admin:privacy_datasubjectrequest_change", args=[request.pk])
    anna_browser, bruno_browser = signed_in_browser(anna), signed_in_browser(bruno)
    anna_form = opened_change_form(anna_browser, url, FORM_ID)
    bruno_form = opened_change_form(bruno_browser, url, FORM_ID)

    # when Anna takes the request, then Bruno assigns it from his older page
    anna_form["assignee"] = [str(anna.pk)]
    assert anna_browser.post(url, anna_form).status_code == 302
    bruno_form["assignee"] = [str(bruno.pk)]
    refused = bruno_browser.post(url, bruno_form)

    # then Bruno is refused with Anna's name and the field, his input kept
    assert refused.status_code == 200
    message = form_refusal(refused)
    assert "This data-subject request was changed by Anna Martin" in message
    assert "Changed: Assignee." in message
    assert str(refused.context["adminform"].form["assignee"].value()) == str(bruno.pk)
    request.refresh_from_db()
    assert request.assignee == anna

    # when he saves again the form he was shown, it is accepted
    accepted = bruno_browser.post(url, form_data(refused.text, FORM_ID))
    assert accepted.status_code == 302
    request.refresh_from_db()
    assert request.assignee == bruno


def test_a_request_saved_with_no_concurrent_change_goes_through():
    request = DataSubjectRequestFactory()
    officer = compliance()
    browser = signed_in_browser(officer)
    url = reverse("admin:privacy_datasubjectrequest_change", args=[request.pk])
    data = opened_change_form(browser, url, FORM_ID)
    data["assignee"] = [str(officer.pk)]

    assert browser.post(url, data).status_code == 302
    request.refresh_from_db()
    assert request.assignee == officer
