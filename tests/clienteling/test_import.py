"""Client import: all or nothing, every problem named by row and column."""

import csv
import io

import pytest

from clienteling import services
from clienteling.exceptions import ImportRefused
from clienteling.models import Client, ClientEmail, ClientPhone
from tests.clienteling import import_flow
from tests.clienteling.factories import BoutiqueFactory, ClientFactory, adviser

pytestmark = pytest.mark.django_db

HEADER = [
    "client_number",
    "first_name",
    "last_name",
    "birth_date",
    "nationality",
    "preferred_language",
    "home_boutique",
    "email",
    "mobile",
]


def _csv(rows, header=HEADER) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(header)
    writer.writerows(rows)
    return out.getvalue().encode("utf-8")


def _row(n: int, **overrides) -> list[str]:
    row = {
        "client_number": f"IMP-{n:04d}",
        "first_name": f"Prénom{n}",
        "last_name": f"Nom{n}",
        "birth_date": "1980-05-17",
        "nationality": "FR",
        "preferred_language": "fr",
        "home_boutique": "PAR",
        "email": f"imported{n}@example.com",
        "mobile": f"01 99 00 {n // 100:02d} {n % 100:02d}",
    }
    row.update(overrides)
    return [row[h] for h in HEADER]


@pytest.fixture
def paris():
    return BoutiqueFactory(code="PAR")


def test_valid_file_creates_clients_with_email_and_normalised_phone(paris):
    created = services.clients_import(
        acting_user=None, data=_csv([_row(n) for n in range(1, 4)])
    )

    assert len(created) == 3
    first = Client.objects.get(client_number="IMP-0001")
    assert first.source == Client.Source.IMPORT
    assert first.emails.get().address == "imported1@example.com"
    assert first.phones.get().number.as_e164 == "+33199000001"
    assert first.history.count() == 1


def test_bad_row_57_of_100_writes_nothing_and_names_row_57(paris):
    rows = [_row(n) for n in range(1, 101)]
    rows[56] = _row(57, email="not-an-email")

    with pytest.raises(ImportRefused) as refused:
        services.clients_import(acting_user=None, data=_csv(rows))

    assert refused.value.messages == [
        "Row 57, column email: 'not-an-email' is not a valid email address."
    ]
    assert not Client.objects.exists()
    assert not ClientEmail.objects.exists()
    assert not ClientPhone.objects.exists()
    assert not Client.history.exists()


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"mobile": "12"}, "Row 2, column mobile: '12' is not a valid phone number."),
        (
            {"birth_date": "2999-01-01"},
            "Row 2, column birth_date: This date is in the future.",
        ),
        ({"nationality": "XX"}, "Row 2, column nationality:"),
        (
            {"home_boutique": "NOPE"},
            "Row 2, column home_boutique: No boutique has the code 'NOPE'.",
        ),
        ({"first_name": ""}, "Row 2, column first_name: This field cannot be blank."),
    ],
)
def test_each_kind_of_bad_value_is_named(paris, overrides, message):
    data = _csv([_row(1), _row(2, **overrides), _row(3)])

    with pytest.raises(ImportRefused) as refused:
        services.clients_import(acting_user=None, data=data)

    assert any(m.startswith(message) for m in refused.value.messages), (
        refused.value.messages
    )
    assert not Client.objects.exists()


def test_unknown_column_is_refused(paris):
    data = _csv([_row(1) + ["x"]], header=[*HEADER, "shoe_size"])

    with pytest.raises(ImportRefused, match="Unknown column: shoe_size"):
        services.clients_import(acting_user=None, data=data)

    assert not Client.objects.exists()


def test_duplicate_client_number_in_the_file_is_refused(paris):
    data = _csv([_row(1), _row(2, client_number="IMP-0001")])

    with pytest.raises(ImportRefused) as refused:
        services.clients_import(acting_user=None, data=data)

    assert refused.value.messages == [
        "Row 2, column client_number: IMP-0001 repeats row 1."
    ]
    assert not Client.objects.exists()


def test_existing_client_number_is_refused_not_overwritten(paris):
    existing = ClientFactory(client_number="IMP-0002", first_name="Original")

    with pytest.raises(ImportRefused, match="IMP-0002 already exists"):
        services.clients_import(acting_user=None, data=_csv([_row(1), _row(2)]))

    existing.refresh_from_db()
    assert existing.first_name == "Original"
    assert Client.objects.count() == 1


def test_wrong_encoding_is_refused(paris):
    data = _csv([_row(1, first_name="Hélène")]).decode().encode("latin-1")

    with pytest.raises(ImportRefused, match="not UTF-8"):
        services.clients_import(acting_user=None, data=data)

    assert not Client.objects.exists()


def test_an_adviser_cannot_import_into_another_boutique(paris):
    london = BoutiqueFactory(code="LON")
    user = adviser(paris)

    with pytest.raises(ImportRefused, match="you do not work in LON"):
        services.clients_import(
            acting_user=user, data=_csv([_row(1), _row(2, home_boutique=london.code)])
        )

    assert not Client.objects.exists()


def test_blank_client_numbers_are_generated(paris):
    created = services.clients_import(
        acting_user=None,
        data=_csv([_row(1, client_number=""), _row(2, client_number="")]),
    )

    assert len(created) == 2
    assert all(c.client_number.startswith("EC") for c in created)


def test_only_the_required_columns_are_enough(paris):
    data = _csv(
        [["Ada", "Test", "PAR"]], header=["first_name", "last_name", "home_boutique"]
    )

    created = services.clients_import(acting_user=None, data=data)

    assert [c.last_name for c in created] == ["Test"]
    assert not ClientEmail.objects.exists()


def test_import_records_the_importer_in_history(paris):
    user = adviser(paris)

    services.clients_import(acting_user=user, data=_csv([_row(1)]))

    assert Client.history.get().history_user == user


def test_admin_import_screen_applies_the_same_rules(client, paris):
    from django.contrib.auth.models import Permission
    from django.core.files.uploadedfile import SimpleUploadedFile

    london = BoutiqueFactory(code="LON")
    user = adviser(paris)
    user.user_permissions.add(Permission.objects.get(codename="import_client"))
    client.force_login(user)
    upload = SimpleUploadedFile(
        "clients.csv", _csv([_row(1), _row(2, home_boutique=london.code)])
    )

    # The upload is checked by a job; its page shows the problems.
    response = import_flow.upload(client, upload.read())

    assert response.status_code == 200
    assert "you do not work in LON" in response.text
    assert not Client.objects.exists()
