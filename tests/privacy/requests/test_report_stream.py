"""The access report streamed model by model into its zip (decision 0108)
writes the same files as the document built whole: report.json byte for
byte (its generation time aside), every CSV, the HTML in English and in
French, and the same staff-note flags."""

import io
import json
import re
import zipfile
from datetime import UTC, datetime, timedelta

import pytest

from clienteling.models import ContactEvent
from consents.documents.languages import document_language
from core import data_map
from privacy import report_render, reports
from tests.clienteling.factories import ClientFactory, UserFactory
from tests.orders.factories import ProductFactory, order
from tests.privacy.requests.builders import fill

pytestmark = pytest.mark.django_db
GENERATED = re.compile(r'"generated_at": "[^"]*"')


def _whole(client, language):
    document = reports.build_document(client)
    flags = reports.flag_other_clients(document, client)
    # write_zip renders its PDF from this same HTML: compared without it
    html = reports.render_html(document, language=language, time_zone="Europe/Paris")
    archive = zipfile.ZipFile(
        io.BytesIO(reports.write_zip(document, portability=False, language=language))
    )
    return archive, html, flags


def _streamed(client, language):
    target = io.BytesIO()
    result = reports.write_report(
        client, target, language=language, time_zone="Europe/Paris"
    )
    archive = zipfile.ZipFile(target)
    return archive, archive.read("report.html").decode(), result


def _same_files(client, language_code):
    language = document_language(language_code)
    whole, whole_html, flags = _whole(client, language)
    streamed, streamed_html, result = _streamed(client, language)

    assert sorted(streamed.namelist()) == sorted(whole.namelist())
    for name in whole.namelist():
        if name in ("report.html", "report.pdf"):
            continue
        mine, theirs = streamed.read(name).decode(), whole.read(name).decode()
        if name == "report.json":
            mine, theirs = GENERATED.sub("", mine), GENERATED.sub("", theirs)
        assert mine == theirs, name
    assert streamed_html == whole_html
    assert streamed.read("report.pdf").startswith(b"%PDF")
    assert result["flags"] == flags
    assert result["record_types"] == len(data_map.client_models())
    return json.loads(streamed.read("report.json"))


@pytest.mark.parametrize("language_code", ["en", "fr"])
def test_a_client_in_every_model_gets_the_same_files(language_code):
    client, *_ = fill("Flux")

    data = _same_files(client, language_code)

    assert data["client_number"] == client.client_number


def test_a_long_history_and_many_orders_get_the_same_files():
    """Beyond the view's bounds: more contacts than PDF_ROWS (its tables and
    contact history keep only the latest), more orders than PDF_ORDERS."""
    client = ClientFactory()
    staff = UserFactory()
    other = ClientFactory(first_name="Odile", last_name="Autre")
    start = datetime(2025, 1, 1, 9, 0, tzinfo=UTC)
    total = report_render.PDF_ROWS + 7
    ContactEvent.objects.bulk_create(
        ContactEvent(
            client=client,
            channel=ContactEvent.Channel.PHONE,
            direction=ContactEvent.Direction.INBOUND,
            subject=f"Appel-{n:03d}",
            summary=f"Venue avec Odile Autre, client {other.client_number}.",
            staff=staff,
            # out of id order: the history is sorted by date
            occurred_at=start + timedelta(days=(n * 7) % total),
        )
        for n in range(total)
    )
    product = ProductFactory()
    for _ in range(report_render.PDF_ORDERS + 2):
        order(client=client, products=[product, product])

    data = _same_files(client, "fr")

    assert len(data["contact_history"]) == total
    assert data["models"]["orders.Order"]["count"] == report_render.PDF_ORDERS + 2


def test_a_client_with_nothing_but_a_record_gets_the_same_files():
    _same_files(ClientFactory(), "en")


def test_an_order_longer_than_the_view_and_a_case_on_its_first_line():
    """The view keeps only the orders it shows and their latest PDF_ROWS
    lines (issue 18: the heavy client's 2,000 lines and guarantees were
    held whole for the PDF); a case on the guarantee of a line it leaves
    out is still shown under its order, and the counts are the whole's."""
    from orders import services as orders_services
    from orders.models import Guarantee, OrderLine

    client = ClientFactory()
    product = ProductFactory()
    for _ in range(2):
        order(client=client, products=[product] * 3, status="invoiced")
    long = order(
        client=client,
        products=[product] * (report_render.PDF_ROWS + 3),
        status="invoiced",
    )
    first = OrderLine.objects.filter(order=long).order_by("pk").first()
    orders_services.case_open(
        acting_user=None,
        client=client,
        boutique=client.home_boutique,
        kind="cleaning",
        piece_description="Bague de la première ligne",
        guarantee=Guarantee.objects.get(order_line=first),
    )

    data = _same_files(client, "fr")

    streamed = reports._Streamed(client)
    try:
        view = streamed.view()
    finally:
        streamed.close()
    held = [
        record
        for section in view["categories"]
        for record in section["records"]
        if record["model"] in ("orders.OrderLine", "orders.Order")
    ]
    lines = {r["id"] for r in held if r["model"] == "orders.OrderLine"}
    assert {r["id"] for r in held if r["model"] == "orders.Order"} == {long.pk}
    assert len(lines) == report_render.PDF_ROWS
    assert first.pk not in lines
    assert data["models"]["orders.OrderLine"]["count"] == report_render.PDF_ROWS + 9
    # the case is shown in its order's block, as in the whole document's
    html = reports.render_html(view, language=document_language("en"))
    assert "After-sales and complaints" in html
