"""Health data is absent for roles without its permission, on every path."""

import pytest
from django.urls import reverse

from clienteling.models import MetalAllergy
from tests.clienteling.factories import ClientFactory, customer_service
from tests.clienteling.test_admin import _form_data

pytestmark = pytest.mark.django_db


def test_a_post_with_allergy_rows_from_customer_service_is_ignored(client):
    target = ClientFactory(last_name="Before")
    client.force_login(customer_service())
    url = reverse("admin:clienteling_client_change", args=[target.pk])
    data = _form_data(client.get(url))
    data.update(
        {
            "last_name": "After",
            "allergies-TOTAL_FORMS": "1",
            "allergies-INITIAL_FORMS": "0",
            "allergies-0-metal": "nickel",
            "allergies-0-severity": "severe",
        }
    )

    response = client.post(url, data)

    assert response.status_code == 302
    target.refresh_from_db()
    assert target.last_name == "After"  # the rest of the form was saved
    assert not MetalAllergy.objects.exists()  # the forged rows were not


def test_the_client_export_has_no_health_column():
    from clienteling.resources import ClientResource

    columns = {f.column_name for f in ClientResource().get_export_fields()}

    assert not {"allergies", "metal", "notes"} & columns
