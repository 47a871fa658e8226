"""Erasure against the real orders app: holds, kept invoices, erased texts."""

import pytest
from django.core.exceptions import ValidationError

from orders import services as order_services
from orders.models import Complaint
from privacy import erasure
from privacy.models import ErasureJob
from tests.orders.factories import ClientFactory

pytestmark = pytest.mark.django_db


def test_an_open_complaint_refuses_the_erasure_naming_it():
    client = ClientFactory()
    complaint = order_services.complaint_open(
        acting_user=None,
        client=client,
        channel="email",
        category="product_quality",
        description="Clasp broke",
    )

    with pytest.raises(ValidationError) as refused:
        erasure.erasure_request(acting_user=None, client=client)

    assert f"complaint#{complaint.pk}" in " ".join(refused.value.messages)
    assert not ErasureJob.objects.exists()


def test_once_the_complaint_is_closed_the_erasure_may_be_requested():
    client = ClientFactory()
    complaint = order_services.complaint_open(
        acting_user=None,
        client=client,
        channel="email",
        category="product_quality",
        description="Clasp broke",
    )
    Complaint.objects.filter(pk=complaint.pk).update(
        status=Complaint.Status.RESOLVED, resolution="Repaired"
    )

    job = erasure.erasure_request(acting_user=None, client=client)

    assert job.pk
