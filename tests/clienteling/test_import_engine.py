"""The set-based import engine against django-import-export's row engine.

The same file through both must give the same clients, emails, phones and
history rows (every column but ids and timestamps), and the same problems
for a bad file, with nothing written.
"""

import csv
import io

import pytest
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from clienteling import csv_files, imports, services
from clienteling.exceptions import ImportRefused
from clienteling.models import Client, ClientEmail, ClientPhone
from tests.clienteling.factories import BoutiqueFactory, ClientFactory, adviser

pytestmark = pytest.mark.django_db

HEADER = [
    "client_number",
    "title",
    "first_name",
    "last_name",
    "birth_date",
    "nationality",
    "civil_status",
    "preferred_language",
    "home_boutique",
    "email",
    "mobile",
    "landline",
]
HISTORY_IGNORED = {"id", "history_id", "history_date", "created_at", "updated_at"}


def _csv(rows, header=HEADER) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(header)
    writer.writerows(rows)
    return out.getvalue().encode("utf-8")


def _row(n: int, **overrides) -> list[str]:
    row = {
        "client_number": f"IMP-{n:04d}",
        "title": "",
        "first_name": f"Prénom{n}",
        "last_name": f"Nom{n}",
        "birth_date": "1980-05-17",
        "nationality": "FR",
        "civil_status": "",
        "preferred_language": "fr",
        "home_boutique": "PAR",
        "email": f"imported{n}@example.com",
        "mobile": f"01 99 00 {n // 100:02d} {n % 100:02d}",
        "landline": "",
    }
    row.update(overrides)
    return [row[h] for h in HEADER]


# Every shape of valid row the import accepts.
VARIED_ROWS = [
    _row(1),
    _row(2, title="mrs", civil_status="married", nationality="GB"),
    _row(3, client_number="imp-0003", home_boutique=" PAR "),
    _row(4, email="  Mixed.Case@Example.com ", mobile="+33 1 99 00 00 04"),
    _row(5, mobile="", landline="0033 1 99 00 00 05"),
    _row(6, landline="+44 20 7946 0006"),
    _row(7, email="", mobile="", birth_date="", nationality=""),
    _row(8, preferred_language="", first_name=" Spaced ", last_name="Name "),
    _row(9, title="dr", civil_status="civil_partnership", preferred_language="ja"),
]


@pytest.fixture
def paris():
    return BoutiqueFactory(code="PAR")


class _Rollback(Exception):
    pass


def _snapshot() -> dict:
    """Every imported row and history row, ids replaced by client numbers."""
    numbers = dict(Client.objects.values_list("id", "client_number"))

    def rows(model, ignored):
        out = []
        for values in model.objects.values():
            for key in ("client_id", "id"):
                if key in values and key not in ignored:
                    values[key] = numbers.get(values[key], values[key])
            out.append({k: v for k, v in values.items() if k not in ignored})
        return sorted(out, key=repr)

    base_ignored = {"created_at", "updated_at"}
    return {
        "clients": rows(Client, base_ignored | {"id"}),
        "emails": rows(ClientEmail, {"id"}),
        "phones": rows(ClientPhone, {"id"}),
        "client_history": rows(Client.history.model, HISTORY_IGNORED - {"id"}),
        "email_history": rows(ClientEmail.history.model, HISTORY_IGNORED),
        "phone_history": rows(ClientPhone.history.model, HISTORY_IGNORED),
    }


def _rolled_back(work):
    """Run `work`, return (its result, the snapshot), leave nothing."""
    outcome = {}
    try:
        with transaction.atomic():
            try:
                outcome["result"] = work()
            except ImportRefused as refused:
                outcome["result"] = refused.messages
            outcome["snapshot"] = _snapshot()
            raise _Rollback
    except _Rollback:
        pass
    return outcome["result"], outcome["snapshot"]


def _by_rows(data, user):
    return imports.import_row_by_row(csv_files.read_dataset(data), acting_user=user)


def _set_based(data, user):
    return services.clients_import(acting_user=user, data=data)


@pytest.mark.parametrize("importer", ["system", "adviser"])
def test_both_engines_write_the_same_rows_and_history(paris, importer):
    user = adviser(paris) if importer == "adviser" else None
    data = _csv(VARIED_ROWS)

    by_rows, by_rows_snapshot = _rolled_back(lambda: _by_rows(data, user))
    set_based, set_based_snapshot = _rolled_back(lambda: _set_based(data, user))

    assert [c.client_number for c in set_based] == [c.client_number for c in by_rows]
    assert set_based_snapshot == by_rows_snapshot
    snapshot = set_based_snapshot
    assert len(snapshot["clients"]) == len(VARIED_ROWS)
    assert len(snapshot["client_history"]) == len(VARIED_ROWS)
    assert len(snapshot["email_history"]) == len(snapshot["emails"]) == 8
    assert len(snapshot["phone_history"]) == len(snapshot["phones"]) == 9
    for history in ("client_history", "email_history", "phone_history"):
        assert {h["history_type"] for h in snapshot[history]} == {"+"}
        assert {h["history_user_id"] for h in snapshot[history]} == {
            user.pk if user else None
        }
        assert {h["history_change_reason"] for h in snapshot[history]} == {None}
    assert not Client.objects.exists()
    assert not Client.history.exists()


def test_the_set_based_engine_stamps_history_and_timestamps_with_one_now(paris):
    now = timezone.now()

    created = services.clients_import(
        acting_user=None, data=_csv(VARIED_ROWS[:3]), now=now
    )

    histories = [
        Client.history.model,
        ClientEmail.history.model,
        ClientPhone.history.model,
    ]
    for model in histories:
        assert set(model.objects.values_list("history_date", flat=True)) == {now}
    assert {c.created_at for c in Client.objects.all()} == {now}
    assert {c.updated_at for c in Client.objects.all()} == {now}
    assert set(Client.history.values_list("created_at", flat=True)) == {now}
    assert [c.pk for c in created] == sorted(c.pk for c in created)
    assert {c.pk: c.client_number for c in created} == dict(
        Client.objects.values_list("pk", "client_number")
    )


def test_the_new_clients_are_found_by_search_as_saved_ones_are(paris):
    services.clients_import(acting_user=None, data=_csv(VARIED_ROWS))

    assert list(Client.objects.matching("+33199000004")) == [
        Client.objects.get(client_number="IMP-0004")
    ]
    assert Client.objects.matching("mixed.case@example.com").count() == 1
    assert Client.objects.matching("Prénom9").count() == 1


@pytest.mark.parametrize(
    "writer",
    [
        "orm",
        pytest.param("postgresql", marks=pytest.mark.postgres),
    ],
)
def test_each_writer_gives_the_row_engines_rows(paris, writer):
    write = {"orm": imports._write_orm, "postgresql": imports._write_postgresql}
    data = _csv(VARIED_ROWS)
    user = adviser(paris)

    def set_based():
        clients = imports.validate(csv_files.read_dataset(data), acting_user=user)
        write[writer](clients, acting_user=user, now=timezone.now())
        return clients

    _, by_rows = _rolled_back(lambda: _by_rows(data, user))
    _, written = _rolled_back(set_based)

    assert written == by_rows


# --- Problems: the same messages, nothing written ---------------------------

BAD_ROWS = [
    _row(1),
    _row(2, email="not-an-email"),
    _row(3, mobile="12", landline="abc"),
    _row(4, birth_date="2999-01-01", nationality="XX"),
    _row(5, birth_date="17/05/1980"),
    _row(6, home_boutique="NOPE"),
    _row(7, first_name="", last_name=""),
    _row(8, title="sir", civil_status="complicated", preferred_language="xx"),
    _row(9, client_number="no spaces allowed"),
    _row(10, first_name="x" * 101),
    _row(11, mobile="01 99 00 00 11", landline="+33 1 99 00 00 11"),
    _row(12, email=f"{'a' * 250}@example.com"),
    _row(13, birth_date="1850-01-01", email="also bad", home_boutique=""),
]


def test_both_engines_name_the_same_problems_and_write_nothing(paris):
    data = _csv(BAD_ROWS)

    by_rows, by_rows_snapshot = _rolled_back(lambda: _by_rows(data, None))
    set_based, set_based_snapshot = _rolled_back(lambda: _set_based(data, None))

    assert set_based == by_rows
    assert set_based[:3] == [
        "Row 2, column email: 'not-an-email' is not a valid email address.",
        "Row 3, column mobile: '12' is not a valid phone number.",
        "Row 3, column landline: 'abc' is not a valid phone number.",
    ]
    assert (
        "Row 11, column landline: +33199000011 is already the mobile number."
        in set_based
    )
    assert not any(m.startswith("Row 1,") for m in set_based)
    assert all(not rows for rows in set_based_snapshot.values())


@pytest.mark.parametrize(
    ("rows", "existing", "message"),
    [
        (
            [_row(1), _row(2), _row(3, client_number="IMP-0001")],
            [],
            "Row 3, column client_number: IMP-0001 repeats row 1.",
        ),
        (
            [_row(1), _row(2)],
            ["IMP-0002"],
            "Row 2, column client_number: client IMP-0002 already exists; "
            "imports create clients and never overwrite one.",
        ),
    ],
)
def test_duplicate_client_numbers_refuse_the_file_in_both_engines(
    paris, rows, existing, message
):
    for number in existing:
        ClientFactory(client_number=number, home_boutique=paris)
    data = _csv(rows)

    by_rows, _ = _rolled_back(lambda: _by_rows(data, None))
    set_based, snapshot = _rolled_back(lambda: _set_based(data, None))

    assert set_based == by_rows == [message]
    assert len(snapshot["clients"]) == len(snapshot["client_history"]) == len(existing)
    assert not snapshot["emails"]


def test_a_boutique_the_importer_does_not_work_in_refuses_the_file(paris):
    london = BoutiqueFactory(code="LON")
    user = adviser(paris)
    data = _csv([_row(1), _row(2, home_boutique=london.code), _row(3)])

    by_rows, _ = _rolled_back(lambda: _by_rows(data, user))
    set_based, snapshot = _rolled_back(lambda: _set_based(data, user))

    assert (
        set_based == by_rows == ["Row 2, column home_boutique: you do not work in LON."]
    )
    assert all(not rows for rows in snapshot.values())


def test_bad_email_on_row_57_of_100_writes_nothing_anywhere(paris):
    rows = [_row(n) for n in range(1, 101)]
    rows[56] = _row(57, email="not-an-email")

    with pytest.raises(ImportRefused) as refused:
        services.clients_import(acting_user=adviser(paris), data=_csv(rows))

    assert refused.value.messages == [
        "Row 57, column email: 'not-an-email' is not a valid email address."
    ]
    for model in (Client, ClientEmail, ClientPhone):
        assert not model.objects.exists()
        assert not model.history.exists()


def test_a_number_taken_while_the_file_is_checked_is_named(paris, monkeypatch):
    # Each batch is checked, then written: someone else creates row 2's
    # client in between.
    write_batch = imports._write_batch

    def someone_else_creates_row_2_then_write(clients, **kwargs):
        ClientFactory(client_number="IMP-0002", home_boutique=paris)
        return write_batch(clients, **kwargs)

    monkeypatch.setattr(imports, "_write_batch", someone_else_creates_row_2_then_write)

    with pytest.raises(ImportRefused) as refused:
        services.clients_import(acting_user=None, data=_csv([_row(1), _row(2)]))

    assert refused.value.messages == [
        "Row 2, column client_number: client IMP-0002 already exists; "
        "imports create clients and never overwrite one."
    ]
    # The other client was created inside the import's transaction here
    # (in real life: another one): it is rolled back with the import.
    assert not Client.objects.filter(client_number="IMP-0001").exists()
    assert not ClientEmail.objects.exists()
    assert not Client.history.filter(client_number="IMP-0001").exists()


def test_two_imports_in_one_transaction(paris):
    with transaction.atomic():
        services.clients_import(acting_user=None, data=_csv([_row(1)]))
        services.clients_import(acting_user=None, data=_csv([_row(2)]))

    assert Client.objects.count() == Client.history.count() == 2


def test_generated_client_numbers_are_unique_and_valid(paris):
    rows = [_row(n, client_number="") for n in range(1, 51)]

    created = services.clients_import(acting_user=None, data=_csv(rows))

    numbers = [c.client_number for c in created]
    assert len(set(numbers)) == 50
    assert all(n.startswith("EC") and len(n) == 12 for n in numbers)
    assert Client.history.filter(client_number__in=numbers).count() == 50


@pytest.mark.postgres
def test_the_query_count_does_not_grow_with_the_file(paris):
    user = adviser(paris)

    def queries(rows: int) -> int:
        data = _csv([_row(n) for n in range(1, rows + 1)])
        with CaptureQueriesContext(connection) as captured:
            _rolled_back(lambda: _set_based(data, user))
        return len(captured)

    queries(1)  # the importer's permissions, cached on the user after this

    assert queries(20) == queries(400)


@pytest.mark.postgres
def test_postgresql_writes_through_copy(paris, monkeypatch):
    copied = []
    original = imports._write_postgresql

    def spy(clients, **kwargs):
        copied.append(len(clients))
        return original(clients, **kwargs)

    monkeypatch.setattr(imports, "_write_postgresql", spy)

    services.clients_import(acting_user=None, data=_csv([_row(1), _row(2)]))

    assert copied == [2]


# --- The admin's screens: preview by the resource, confirm by the engine ------


def _preview(client, paris, data):
    # The upload is checked by a job (clienteling.jobs); confirm names the
    # checked import by its number.
    from django.contrib.auth.models import Permission

    from tests.clienteling import import_flow

    user = adviser(paris)
    user.user_permissions.add(Permission.objects.get(codename="import_client"))
    client.force_login(user)
    response = import_flow.upload(client, data)
    assert response.status_code == 200
    return user, {"staged_import": import_flow.last_import().pk}


def test_admin_confirm_imports_through_the_engine(client, paris, monkeypatch):
    # The write job writes with the set-based engine; the importer is on
    # the history rows (no admin log entry per client any more: a
    # 100,000-row import would write 100,000 of them).
    from django.test import TestCase
    from django.urls import reverse

    engine_calls = []
    engine = imports._write_batch

    def spy(clients, **kwargs):
        engine_calls.append(len(clients))
        return engine(clients, **kwargs)

    monkeypatch.setattr(imports, "_write_batch", spy)
    user, confirm = _preview(client, paris, _csv([_row(1), _row(2)]))
    assert not Client.objects.exists()

    with TestCase.captureOnCommitCallbacks(execute=True):
        response = client.post(
            reverse("admin:clienteling_client_process_import"), confirm, follow=True
        )
    response = client.get(response.redirect_chain[-1][0])

    assert engine_calls == [2]
    assert "2 clients imported." in response.text
    imported = Client.objects.filter(client_number__in=["IMP-0001", "IMP-0002"])
    assert imported.count() == 2
    assert set(Client.history.values_list("history_user", flat=True)) == {user.pk}
    assert ClientEmail.objects.count() == ClientEmail.history.count() == 2


@pytest.mark.django_db(transaction=True)
def test_admin_confirm_refuses_a_number_taken_since_the_preview(client, paris):
    # The write job checks the file again and fails with a sentence for
    # staff (no client's data in a job's error): nothing is written.
    from django.urls import reverse

    from core import roles

    roles.sync_roles()  # a transactional test before may have flushed them
    _, confirm = _preview(client, paris, _csv([_row(1), _row(2)]))
    ClientFactory(client_number="IMP-0002", home_boutique=paris)

    response = client.post(
        reverse("admin:clienteling_client_process_import"), confirm, follow=True
    )

    assert "The file no longer passes the checks (1 problem(s)" in response.text
    assert "clients imported" not in response.text
    assert not Client.objects.filter(client_number="IMP-0001").exists()
    assert not ClientEmail.objects.exists()
