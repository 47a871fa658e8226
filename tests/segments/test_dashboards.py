"""Dashboards: pages under each role, pickers, bad input, CSV export."""

import csv
import io

import pytest
from django.urls import reverse

from core import roles
from tests.clienteling.factories import (
    BoutiqueFactory,
    ClientFactory,
    UserFactory,
    adviser,
    compliance,
    customer_service,
)

pytestmark = pytest.mark.django_db

MANAGER = "admin:segments_dashboard_manager"
ADVISER = "admin:segments_dashboard_adviser"
COMPLIANCE = "admin:segments_dashboard_compliance"
CLIENTS = "admin:segments_dashboard_clients"


@pytest.fixture
def paris():
    return BoutiqueFactory(name="Paris")


def manager(*boutiques):
    return UserFactory(role=roles.MANAGER, boutiques=list(boutiques))


def test_manager_sees_the_boutique_dashboard(client, paris):
    client.force_login(manager(paris))

    page = client.get(reverse(MANAGER))

    assert page.status_code == 200
    assert "Sales per adviser (EUR at budget rates)" in page.text
    assert 'src="/static/vendor/chartjs/4.6.2/chart.umd.min.js"' in page.text
    assert "<script>" not in page.text  # no inline script


def test_manager_switches_boutique(client, paris):
    munich = BoutiqueFactory(name="Munich")
    client.force_login(manager(paris, munich))

    page = client.get(reverse(MANAGER), {"boutique": munich.pk})

    assert page.status_code == 200
    assert page.context["boutique"] == munich


def test_a_boutique_not_ones_own_is_refused_with_a_message(client, paris):
    other = BoutiqueFactory(name="Tokyo")
    client.force_login(manager(paris))

    page = client.get(reverse(MANAGER), {"boutique": other.pk})

    assert "This boutique is not one of yours" in page.text
    assert page.context["boutique"] == paris


def test_a_reversed_period_is_refused_with_a_message(client, paris):
    client.force_login(manager(paris))

    page = client.get(reverse(MANAGER), {"start": "2026-06-01", "end": "2026-01-01"})

    assert "The end of the period is before its start." in page.text


@pytest.mark.parametrize("role", [roles.ADVISER, roles.MANAGER])
def test_advisers_and_managers_see_their_own_dashboard(client, paris, role):
    user = UserFactory(role=role, boutiques=[paris])
    ClientFactory(home_boutique=paris, primary_adviser=user)
    client.force_login(user)

    page = client.get(reverse(ADVISER))

    assert page.status_code == 200
    assert "My book" in page.text


def test_compliance_sees_the_compliance_dashboard(client):
    client.force_login(compliance())

    page = client.get(reverse(COMPLIANCE))

    assert page.status_code == 200
    assert "On time, and days left on the legal clock" in page.text


@pytest.mark.parametrize(
    ("url", "who"),
    [
        (MANAGER, "adviser"),
        (MANAGER, "service"),
        (COMPLIANCE, "adviser"),
        (ADVISER, "compliance"),
        (CLIENTS, "service"),
    ],
)
def test_dashboards_refused_to_roles_without_them(client, paris, url, who):
    user = {
        "adviser": lambda: adviser(paris),
        "service": customer_service,
        "compliance": compliance,
    }[who]()
    client.force_login(user)

    assert client.get(reverse(url)).status_code == 403


def test_clients_behind_an_advisers_bar(client, paris):
    alice = adviser(paris, first_name="Alice", last_name="Adviser")
    hers = ClientFactory(home_boutique=paris, primary_adviser=alice)
    other = ClientFactory(home_boutique=paris)
    elsewhere = ClientFactory(primary_adviser=alice)  # another boutique
    client.force_login(manager(paris))

    page = client.get(reverse(CLIENTS), {"boutique": paris.pk, "adviser": alice.pk})

    assert page.status_code == 200
    assert hers.client_number in page.text
    assert other.client_number not in page.text
    assert elsewhere.client_number not in page.text


def test_csv_export_is_formula_safe(client, paris):
    hostile = adviser(paris, first_name="=HYPERLINK(1)", last_name="")
    ClientFactory(home_boutique=paris, primary_adviser=hostile)
    from tests.clienteling.factories import ContactFactory

    ContactFactory(client=ClientFactory(home_boutique=paris), staff=hostile)
    client.force_login(manager(paris))

    response = client.get(reverse(MANAGER), {"format": "csv"})

    assert response["Content-Type"].startswith("text/csv")
    rows = list(csv.reader(io.StringIO(response.content.decode())))
    assert rows[0] == ["figure", "row", "column", "value"]
    cells = [cell for row in rows[1:] for cell in row]
    assert "'=HYPERLINK(1)" in cells
    assert "=HYPERLINK(1)" not in cells
