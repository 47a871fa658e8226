import json

import pytest
from django.core.management import CommandError, call_command

from clienteling import services
from clienteling.exceptions import ImportRefused
from clienteling.models import SelectionItem, WebEvent
from tests.clienteling.factories import ClientFactory

pytestmark = pytest.mark.django_db


def _row(client, n, **overrides):
    return {
        "external_id": f"web-{n}",
        "client_number": client.client_number,
        "kind": "product_view",
        "product_reference": "JOS-R-001",
        "occurred_at": "2026-11-20T10:00:00+01:00",
        **overrides,
    }


def test_events_import_once_and_update_the_selection():
    client = ClientFactory(cookie_consent="accepted")
    rows = [
        _row(client, 1),
        _row(client, 2, kind="selection_added", product_reference="BML-B-014"),
    ]

    first = services.web_events_import(rows=rows)
    second = services.web_events_import(rows=rows)

    assert (first.created, first.already_known) == (2, 0)
    assert (second.created, second.already_known) == (0, 2)
    assert WebEvent.objects.count() == 2
    assert list(SelectionItem.objects.values_list("product_reference", flat=True)) == [
        "BML-B-014"
    ]


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"client_number": "EC0000000000"}, "Row 2: no client has the number"),
        ({"kind": "purchase"}, "Row 2: kind 'purchase' is not one of"),
        ({"occurred_at": "yesterday"}, "Row 2: occurred_at is not an ISO 8601"),
        ({"occurred_at": "2026-11-20T10:00:00"}, "Row 2: occurred_at has no time zone"),
        ({"email": "x@example.com"}, "Row 2: unknown field(s) email"),
    ],
)
def test_a_bad_row_writes_nothing(overrides, message):
    client = ClientFactory(cookie_consent="accepted")

    with pytest.raises(ImportRefused) as refused:
        services.web_events_import(rows=[_row(client, 1), _row(client, 2, **overrides)])

    assert any(m.startswith(message) for m in refused.value.messages)
    assert not WebEvent.objects.exists()


def test_the_command_reads_json_lines(tmp_path, capsys):
    client = ClientFactory(cookie_consent="accepted")
    path = tmp_path / "events.jsonl"
    path.write_text("\n".join(json.dumps(_row(client, n)) for n in range(3)))

    call_command("import_web_events", str(path))

    out = capsys.readouterr().out
    assert "3 event(s) imported, 0 already known, 0 not stored" in out


def test_the_command_refuses_a_broken_file(tmp_path):
    path = tmp_path / "events.jsonl"
    path.write_text("{not json")

    with pytest.raises(CommandError, match="Cannot read"):
        call_command("import_web_events", str(path))


def test_the_import_stores_only_what_each_clients_cookie_choice_allows():
    """The file import obeys the cookie choices as the API does (decision
    0076): all accepted stores everything; refused all, or no choice,
    stores nothing; a customised choice stores the categories it allows
    (statistics off, preferences on: the selection change, not the view)."""
    from consents.models import CookieChoice
    from tests.consents.factories import WebsiteClientFactory

    accepted = ClientFactory(cookie_consent="accepted")
    refused = ClientFactory(cookie_consent="refused")
    unknown = ClientFactory()
    customised = ClientFactory(cookie_consent="customised")
    CookieChoice.objects.create(
        client=customised,
        website_client=WebsiteClientFactory(),
        preferences=True,
        statistics=False,
        advertising=False,
        decided_at="2026-11-01T10:00:00+01:00",
    )
    rows = [
        _row(accepted, 1),
        _row(refused, 2),
        _row(unknown, 3),
        _row(customised, 4),
        _row(customised, 5, kind="selection_added", product_reference="BML-B-014"),
    ]

    result = services.web_events_import(rows=rows)

    assert (result.created, result.already_known, result.not_allowed) == (2, 0, 3)
    assert set(WebEvent.objects.values_list("external_id", flat=True)) == {
        "web-1",
        "web-5",
    }
