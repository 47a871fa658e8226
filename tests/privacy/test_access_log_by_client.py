"""The access-log export for one client covers every access to the
client's data, not only to their record (decision 0097)."""

import pytest
from django.utils import timezone

from consents import registry
from core.models import AccessLogEntry
from core.services import access_log_record
from privacy import accountability
from tests.clienteling.factories import (
    ClientFactory,
    EmailFactory,
    UserFactory,
    compliance,
)
from tests.consents.factories import grant
from tests.orders.factories import OrderFactory
from tests.privacy.factories import RecipientNoticeFactory

pytestmark = pytest.mark.django_db


def _logged_rows(client_obj) -> set[tuple[str, str]]:
    today = timezone.localdate()
    query = accountability.access_log_query(
        client_number=client_obj.client_number, start=today, end=today
    )
    return set(query.rows().values_list("object_type", "object_id"))


def test_the_export_by_client_covers_their_orders_contacts_consents_and_notices():
    adviser = UserFactory()
    person, other = ClientFactory(), ClientFactory()
    duplicate = ClientFactory()
    duplicate.status = duplicate.Status.MERGED
    duplicate.merged_into = person
    duplicate.save()
    order, others_order = OrderFactory(client=person), OrderFactory(client=other)
    email = EmailFactory(client=person)
    consent = grant(person, registry.PARTNER_SHARING)
    notice = RecipientNoticeFactory(client=person)
    for target in (person, duplicate, order, email, consent, notice):
        access_log_record(acting_user=adviser, action="view", target=target)
    for target in (other, others_order):
        access_log_record(acting_user=adviser, action="view", target=target)

    rows = _logged_rows(person)

    expected = {
        (t._meta.label_lower, str(t.pk))
        for t in (person, duplicate, order, email, consent, notice)
    }
    assert rows == expected
    assert ("orders.order", str(others_order.pk)) not in rows


def test_the_csv_for_a_client_names_the_related_records_and_is_logged():
    officer = compliance()
    person = ClientFactory()
    order = OrderFactory(client=person)
    access_log_record(acting_user=UserFactory(), action="view", target=order)
    today = timezone.localdate()
    query = accountability.access_log_query(
        client_number=person.client_number, start=today, end=today
    )
    body = accountability.access_log_csv(
        acting_user=officer, query=query, filters="client_number=x"
    ).decode()
    lines = body.strip().splitlines()
    assert len(lines) == 2
    assert f"order {order.pk}" in lines[1].lower()
    assert (
        AccessLogEntry.objects.get(object_type=accountability.ACCESS_LOG_LABEL).count
        == 1
    )
