"""Art. 19 for edits made outside a rectification request: a staff edit
of a field a partner received tells that partner (decision 0096)."""

import datetime

import pytest
from django.utils import timezone

from privacy import requests as dsr
from privacy.models import DataSubjectRequest, RecipientNotice
from tests.clienteling.factories import ClientFactory, EmailFactory, UserFactory
from tests.privacy.factories import PartnerFactory, disclosed

pytestmark = pytest.mark.django_db


def _edit(obj, user, **changes):
    for name, value in changes.items():
        setattr(obj, name, value)
    obj._history_user = user
    obj.save()


def test_an_edit_of_a_shared_name_notifies_the_partner_that_received_it(
    django_capture_on_commit_callbacks,
):
    adviser = UserFactory()
    client = ClientFactory(last_name="Dupond")
    partner = PartnerFactory()
    disclosed(client, partner=partner)
    with django_capture_on_commit_callbacks(execute=True):
        _edit(client, adviser, last_name="Dupont")
    notices = RecipientNotice.objects.filter(client=client)
    # the group receives purchases only, not the name: only the partner
    assert [(n.recipient, n.kind, n.outcome) for n in notices] == [
        (partner.code, "rectification", "sent")
    ]
    notice = notices.get()
    row = client.history.latest()
    assert notice.reference == f"edit:client#{row.history_id}"
    assert notice.queued_by == adviser


def test_a_new_primary_email_notifies_the_partner(django_capture_on_commit_callbacks):
    adviser = UserFactory()
    email = EmailFactory(address="old@example.com")
    partner = PartnerFactory()
    disclosed(email.client, partner=partner, group=False)
    with django_capture_on_commit_callbacks(execute=True):
        _edit(email, adviser, address="new@example.com")
    assert list(
        RecipientNotice.objects.filter(client=email.client).values_list(
            "recipient", "kind"
        )
    ) == [(partner.code, "rectification")]


def test_an_edit_of_a_field_nobody_received_notifies_nobody(
    django_capture_on_commit_callbacks,
):
    client = ClientFactory()
    disclosed(client, partner=PartnerFactory())
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        _edit(client, UserFactory(), birth_date=datetime.date(1980, 5, 17))
    assert callbacks == []
    assert not RecipientNotice.objects.exists()


def test_an_edit_of_a_client_only_the_group_received_notifies_nobody():
    client = ClientFactory()
    disclosed(client)  # the group: purchases under a pseudonym
    _edit(client, UserFactory(), first_name="Anne-Sophie")
    assert not RecipientNotice.objects.exists()


def test_an_edit_of_a_never_shared_client_notifies_nobody(
    django_capture_on_commit_callbacks,
):
    client = ClientFactory()
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        _edit(client, UserFactory(), last_name="Autre")
    assert callbacks == []
    assert not RecipientNotice.objects.exists()


def test_a_system_write_without_a_user_notifies_nobody():
    client = ClientFactory()
    disclosed(client, partner=PartnerFactory())
    client.last_name = "Système"
    client.save()
    assert not RecipientNotice.objects.exists()


def test_a_recalled_disclosure_is_not_told_again():
    client = ClientFactory()
    partner = PartnerFactory()
    (row,) = disclosed(client, partner=partner, group=False)
    row.recalled_in = row.last_batch
    row.save()
    _edit(client, UserFactory(), last_name="Rappelé")
    assert not RecipientNotice.objects.exists()


def test_edits_under_a_rectification_request_are_told_once_under_the_request(
    django_capture_on_commit_callbacks,
):
    officer = UserFactory()
    client = ClientFactory()
    partner = PartnerFactory()
    disclosed(client, partner=partner)
    request = dsr.request_open(
        acting_user=officer,
        client=client,
        kind=DataSubjectRequest.Kind.RECTIFICATION,
        channel="email",
        received_on=timezone.localdate(),
    )
    request = dsr.request_verify_identity(
        acting_user=officer, request=request, method="known_email"
    )
    _edit(client, officer, last_name="Rectifié")
    assert not RecipientNotice.objects.exists()
    with django_capture_on_commit_callbacks(execute=True):
        dsr.rectification_link_edits(acting_user=officer, request=request)
    assert set(RecipientNotice.objects.values_list("recipient", "reference")) == {
        ("group", f"request#{request.pk}"),
        (partner.code, f"request#{request.pk}"),
    }
