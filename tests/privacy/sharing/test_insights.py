"""Insights back from the group: linked only under a current consent."""

import pytest
from django.core.exceptions import ValidationError

from privacy import pseudonyms
from privacy.models import GroupInsight, InsightImport
from privacy.sharing import exports, insights
from tests.privacy.sharing.helpers import NOW, consent, fake_purchases, person, withdraw

pytestmark = pytest.mark.django_db

HEADER = "pseudonym,segment_codes,preferred_categories,house_affinity\n"


@pytest.fixture(autouse=True)
def _group_key(settings):
    settings.SHARING_KEYS = {"group": [("2026a", "a" * 40)]}
    settings.SHARING_DEMO_KEYS = False


def _file(*lines: str) -> bytes:
    return (HEADER + "".join(f"{line}\n" for line in lines)).encode()


def _line(pseudonym, segments="HJ-COLLECTOR", categories="ring|bracelet"):
    return f"{pseudonym},{segments},{categories},maison-a:0.82|maison-b:0.4"


def _shared(*clients):
    for client in clients:
        consent(client)
    exports.group_export_run(acting_user=None, now=NOW, purchases=fake_purchases())


def _import(data, batch_id="G-2026-07"):
    return insights.insights_import(
        acting_user=None, batch_id=batch_id, data=data, now=NOW.replace(month=7)
    )


def test_insights_link_to_consenting_clients_and_withdrawn_ones_are_dropped():
    # given three clients shared with the group, one of whom then withdrew
    stays, leaves, other = person(1), person(2), person(3)
    _shared(stays, leaves, other)
    withdraw(leaves, at=NOW.replace(month=6, day=20))
    key = pseudonyms.current_key("group")
    unknown = "f" * 64

    # when insights come back for all of them plus an unknown pseudonym
    record = _import(
        _file(
            _line(key.pseudonym(stays.pk)),
            _line(key.pseudonym(leaves.pk)),
            _line(unknown),
        )
    )

    # then
    assert (record.rows_total, record.rows_linked) == (3, 1)
    assert (record.dropped_withdrawn, record.dropped_unknown) == (1, 1)
    insight = GroupInsight.objects.get()
    assert insight.client == stays
    assert insight.segment_codes == ["HJ-COLLECTOR"]
    assert insight.preferred_categories == ["ring", "bracelet"]
    assert insight.house_affinity == {"maison-a": 0.82, "maison-b": 0.4}
    assert not GroupInsight.objects.filter(client=leaves).exists()


def test_a_withdrawal_after_the_import_hides_and_purges_the_insight():
    client = person(1)
    _shared(client)
    _import(_file(_line(pseudonyms.current_key("group").pseudonym(client.pk))))
    withdraw(client, at=NOW.replace(month=7, day=20))

    assert (
        insights.client_group_insight(client=client, now=NOW.replace(month=8)) is None
    )
    exports.group_export_run(
        acting_user=None, now=NOW.replace(month=8), purchases=fake_purchases()
    )
    assert not GroupInsight.objects.exists()


def test_insights_keyed_under_the_previous_key_still_link(settings):
    client = person(1)
    _shared(client)
    old = pseudonyms.current_key("group").pseudonym(client.pk)
    settings.SHARING_KEYS = {"group": [("2026b", "b" * 40), ("2026a", "a" * 40)]}

    assert _import(_file(_line(old))).rows_linked == 1


def test_re_importing_a_batch_is_refused_and_changes_nothing():
    client = person(1)
    _shared(client)
    key = pseudonyms.current_key("group")
    _import(_file(_line(key.pseudonym(client.pk), segments="FIRST")))

    with pytest.raises(ValidationError, match="G-2026-07 was already imported"):
        _import(_file(_line(key.pseudonym(client.pk), segments="SECOND")))

    assert InsightImport.objects.count() == 1
    assert GroupInsight.objects.get().segment_codes == ["FIRST"]


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (
            b"pseudonym,segment_codes,preferred_categories,house_affinity,email\n",
            "unknown columns: 'email'",
        ),
        (b"pseudonym,segment_codes\n", "missing columns: preferred_categories"),
        (_file(_line("not-a-pseudonym")), "line 3: malformed pseudonym"),
        (_file(_line("A" * 64)), "line 3: malformed pseudonym"),
        (
            _file(_line("e" * 64), _line("e" * 64)),
            "line 4: duplicated row, pseudonym already on line 3",
        ),
        (_file(f"{'e' * 64},X,ring,maison-a:1.7"), "not between 0 and 1"),
        (_file(f"{'e' * 64},X,ring"), "line 3: wrong number of fields"),
        ("\ufeffpseudonym,é".encode("latin-1", "replace") + b"\xff", "not UTF-8"),
        (b"", "The file is empty"),
        (b"PK\x03\x04workbook", "spreadsheet workbook (XLSX or ODS), not a CSV"),
        (
            HEADER.rstrip("\n").encode() + b",pseudonym\n",
            "appearing twice: 'pseudonym'",
        ),
        (_file(f"{'e' * 64},{'X' * 20_000},ring,"), "Line 3 is 20,071 characters"),
        # A quoted field over many short lines, longer than csv's limit.
        (
            _file(f'{"e" * 64},"{("X" * 9_000 + chr(10)) * 20}",ring,'),
            "not readable as CSV",
        ),
    ],
)
def test_a_bad_file_is_refused_whole_and_nothing_is_written(data, message):
    client = person(1)
    _shared(client)
    good = _line(pseudonyms.current_key("group").pseudonym(client.pk))
    if data.startswith(HEADER.encode()):
        # a valid first row (line 2): the bad rows follow it
        data = HEADER.encode() + good.encode() + b"\n" + data[len(HEADER) :]

    with pytest.raises(ValidationError) as raised:
        _import(data)

    assert message in " ".join(raised.value.messages)
    assert InsightImport.objects.count() == 0
    assert GroupInsight.objects.count() == 0


def test_an_import_with_no_group_key_is_refused(settings):
    settings.SHARING_KEYS = {}

    with pytest.raises(ValidationError, match="SHARING_KEYS"):
        _import(_file(_line("e" * 64)))

    assert InsightImport.objects.count() == 0
