"""Erasure against the real orders app: holds, kept invoices, erased texts."""

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from orders import services as order_services
from orders.models import Complaint, Guarantee, Order
from privacy.erasure import jobs
from privacy.models import ErasureJob
from tests.clienteling.factories import compliance
from tests.orders.factories import ClientFactory, order
from tests.privacy.factories import run_erasure

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
        jobs.erasure_request(acting_user=None, client=client)

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

    job = jobs.erasure_request(acting_user=None, client=client)

    assert job.pk


def test_the_receipt_lists_the_invoice_and_guarantee_kept_and_until_when(client):
    buyer = ClientFactory()
    sold = order(client=buyer, status=Order.Status.INVOICED)
    invoice = sold.invoices.get()
    guarantee = Guarantee.objects.get(client=buyer)
    officer = compliance()
    job = jobs.erasure_request(acting_user=compliance(), client=buyer)
    jobs.erasure_approve(acting_user=officer, job=job)

    run_erasure(job)

    job.refresh_from_db()
    assert job.status == ErasureJob.Status.DONE
    assert job.holds == []
    assert job.receipt["retained"] == [
        {
            "kind": "invoice",
            "reference": f"orders.Invoice#{invoice.pk}",
            "until": invoice.retention_until.isoformat(),
            "categories": ["purchases"],
        },
        {
            "kind": "guarantee",
            "reference": f"orders.Guarantee#{guarantee.pk}",
            "until": max(guarantee.legal_end, guarantee.house_end).isoformat(),
            "categories": ["purchases"],
        },
    ]
    assert buyer.full_name not in str(job.receipt)
    client.force_login(officer)
    page = client.get(reverse("admin:privacy_erasurejob_receipt", args=[job.pk]))
    assert f"Invoice #{invoice.pk} until" in page.text  # by name, not label
    assert "orders.Invoice" not in page.text
