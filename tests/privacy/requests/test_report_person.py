"""The access report as the person reads it (issue 18, decision 0053): a
page-1 summary, sections a person recognises, one order in one place, who
consulted the record by role, no internal names, bounded tables; the JSON
and CSV files complete."""

import io
import json
import re
import zipfile
from datetime import UTC, datetime, timedelta

import pytest
from django.conf import settings

from clienteling.models import ContactEvent
from consents import registry
from consents.documents.languages import document_language
from consents.models import PaperFormSubmission
from core.models import AccessLogEntry
from core.roles import COMPLIANCE
from orders.models import Order, OrderLine, Payment
from privacy import report_render, reports
from tests.clienteling.factories import BoutiqueFactory, ClientFactory, UserFactory
from tests.consents.factories import grant
from tests.privacy.requests.builders import fill

pytestmark = pytest.mark.django_db

MODEL_LABEL = re.compile(r"\b(clienteling|consents|orders|privacy)\.[A-Z][A-Za-z]+\b")


def _html(client, language="en", time_zone="Europe/Paris") -> str:
    return reports.render_html(
        reports.build_document(client),
        language=document_language(language),
        time_zone=time_zone,
    )


def _order_block(html: str, number: str) -> str:
    """The <div class="order"> of one order."""
    start = html.index(f"Order {number}")
    start = html.rindex('<div class="order">', 0, start)
    return html[start : html.index("</div>", start)]


def test_page_one_summarises_holdings_purposes_recipients_transfers_and_rights():
    client, *_ = fill("Sujet")
    # Transfers come from the register's source (privacy.processors): a
    # boutique in London puts the United Kingdom under its adequacy decision.
    BoutiqueFactory(code="LDN", city="London", country="GB", language="en")

    html = _html(client)
    summary = html[html.index('<section class="summary"') : html.index("</section>")]

    assert "What we hold about you" in summary
    assert "email addresses: 1" in summary
    assert "Newsletters, invitations and news" in summary  # a purpose
    assert "Legitimate interest" in summary  # its basis
    assert "3 years after the last contact" in summary  # how long
    assert "Who receives it" in summary
    assert "Transfers outside the European Economic Area" in summary
    assert "United Kingdom" in summary
    assert "Adequacy decision" in summary
    for right in ("Access (Art. 15)", "Erasure (Art. 17)", "Objection (Art. 21)"):
        assert right in summary
    assert settings.PRIVACY_CONTROLLER["email"] in summary
    assert settings.PRIVACY_DPO["email"] in summary
    assert "CNIL" in summary
    assert "court" in summary
    # the house's branding: its name and logo travel with the file
    assert settings.HOUSE_NAME in html
    assert 'src="data:image/svg+xml;base64,' in html


def test_no_internal_ids_model_names_mime_types_or_digests():
    client, rows, *_ = fill("Sujet")
    submission = PaperFormSubmission.objects.filter(client=client).first()

    html = _html(client)

    assert not MODEL_LABEL.search(html), MODEL_LABEL.search(html)
    assert "application/pdf" not in html
    assert submission.scan_sha256 not in html
    assert submission.scan_name not in html
    # the keyed hashes that find an address on the suppression list
    for contact in (*client.emails.all(), *client.phones.all()):
        assert contact.digest, "the test client's contact rows carry a digest"
        assert contact.digest not in html
    assert "source_key" not in html
    assert "lapsing:" not in html
    # the paper form's services and fields by their names, not codes
    assert "newsletters_invitations" not in html
    assert "first_name" not in html
    for section in (
        "About you",
        "Your purchases and guarantees",
        "Your preferences and sizes",
        "Your contacts with the house",
        "Your consents",
    ):
        assert f">{section}</h2>" in html


def test_one_order_in_one_place_with_its_lines_payment_and_invoice():
    client, *_ = fill("Sujet")
    order = Order.objects.get(client=client)
    line = OrderLine.objects.select_related("product").get(order=order)
    payment = Payment.objects.get(order=order)

    html = _html(client)
    block = _order_block(html, order.number)

    assert line.product.name in block
    assert "Payments" in block
    assert "Cash" in block
    assert "Invoices" in block
    assert order.invoices.get().number in block
    assert "House guarantee" in block
    assert str(payment.amount).split(".")[0] in block.replace(",", "")
    # the order's rows are not laid out again elsewhere
    assert html.count(line.product.name) == 1


def test_who_consulted_the_record_by_role_and_purpose_not_by_name():
    client = ClientFactory()
    officer = UserFactory(
        role=COMPLIANCE, first_name="Odile", last_name="Officier", username="odile"
    )
    AccessLogEntry.objects.create(
        user=officer,
        action=AccessLogEntry.Action.VIEW,
        object_type="clienteling.client",
        object_id=str(client.pk),
    )

    document = reports.build_document(client)
    html = _html(client)

    assert document["consultations"][0]["role"] == "Compliance officer"
    section = html[html.index('id="consultations"') :]
    assert "Compliance officer" in section
    assert "Answering data-protection requests" in section
    assert "Opened a record" in section
    assert "Odile" not in html
    assert "odile" not in html


def test_french_report_has_french_sections_and_local_dates():
    client = ClientFactory(preferred_language="fr")
    # 00:30 in Paris on 6 December 2026 is still 5 December in UTC
    grant(client, registry.NEWSLETTERS, now=datetime(2026, 12, 5, 23, 30, tzinfo=UTC))

    html = _html(client, "fr")

    assert ">Vous concernant</h2>" in html
    assert ">Qui a consulté votre fiche</h2>" in html
    assert "En bref" in html
    assert "6 décembre 2026, 00:30" in html
    assert "5 décembre" not in html


def test_long_history_is_bounded_in_the_pages_and_complete_in_the_files():
    client = ClientFactory()
    start = datetime(2025, 1, 1, 9, 0, tzinfo=UTC)
    total = report_render.PDF_ROWS + 15
    ContactEvent.objects.bulk_create(
        ContactEvent(
            client=client,
            channel=ContactEvent.Channel.PHONE,
            direction=ContactEvent.Direction.INBOUND,
            subject=f"Appel-{n:03d}",
            occurred_at=start + timedelta(days=n),
        )
        for n in range(total)
    )

    document = reports.build_document(client)
    html = reports.render_html(document)
    content = reports.write_zip(document, portability=False)

    shown = re.findall(r"Appel-\d{3}", html)
    assert len(shown) == report_render.PDF_ROWS
    assert f"Appel-{total - 1:03d}" in shown  # the latest first
    assert "Appel-000" not in shown
    assert (
        f"The latest {report_render.PDF_ROWS} of {total} are shown here; the "
        "complete list is in the CSV files" in html
    )
    archive = zipfile.ZipFile(io.BytesIO(content))
    data = json.loads(archive.read("report.json"))
    assert len(data["contact_history"]) == total
    csv = archive.read("csv/contact-history.csv").decode()
    assert all(f"Appel-{n:03d}" in csv for n in range(total))


def test_a_french_order_block_reads_its_status_and_payment_method_in_french():
    from django.utils import translation

    client, *_ = fill("Sujet")
    order = Order.objects.filter(client=client).order_by("-pk").first()
    payment = Payment.objects.filter(order=order).first()

    html = _html(client, language="fr")

    block = html[html.index('<div class="order">') :]
    with translation.override("fr"):
        status = str(order.get_status_display())
        method = str(payment.get_method_display()) if payment else None
    with translation.override("en"):
        english = str(order.get_status_display())
    assert status in block
    assert status != english
    assert f"· {english} ·" not in block
    if method:
        assert method in block
