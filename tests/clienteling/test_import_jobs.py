"""Imports as jobs (clienteling.jobs, staged_imports): the check keeps every
problem, the write is all or nothing and once, the pages speak staff."""

import json

import pytest
from django.core.exceptions import PermissionDenied
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from clienteling import import_uploads, services, staged_imports
from clienteling.models import Client, StagedImport, WebEvent
from core import jobs, roles
from core.models import Job
from tests.clienteling import import_flow
from tests.clienteling.factories import BoutiqueFactory, ClientFactory, UserFactory
from tests.test_staff_pages import ISO_TIMESTAMP, MODEL_LABEL, PYTHON_REPR

pytestmark = pytest.mark.django_db

HEADER = "client_number,first_name,last_name,home_boutique,email"


def _csv(rows: int, *, bad=()) -> bytes:
    lines = [HEADER] + [
        f"JB-{n:04d},Aline{n},Marchal,PAR,"
        + ("not-an-email" if n in bad else f"jb{n}@example.com")
        for n in range(1, rows + 1)
    ]
    return ("\n".join(lines) + "\n").encode()


@pytest.fixture
def manager(client):
    user = UserFactory(role=roles.MANAGER, boutiques=[BoutiqueFactory(code="PAR")])
    client.force_login(user)
    return user


def _status(client, staged, **query):
    return client.get(
        reverse("admin:clienteling_client_import_status", args=[staged.pk]), query
    )


def test_every_problem_is_listed_a_page_at_a_time(client, manager):
    page_one = import_flow.upload(client, _csv(160, bad=range(1, 151)))
    staged = import_flow.last_import()

    assert (staged.rows, staged.problem_count) == (160, 150)
    assert page_one.content.decode().count("is not a valid email") == 100
    assert "Page 1 of 2" in page_one.content.decode()
    page_two = _status(client, staged, page="2").content.decode()
    assert page_two.count("is not a valid email") == 50
    assert "<td>150</td><td>email</td>" in page_two
    assert not Client.objects.exists()
    assert import_uploads.read(staged.file_id) is None  # it cannot be confirmed


def test_the_import_page_shows_no_internals(client, manager):
    from html import unescape
    from re import sub

    page = import_flow.upload(client, _csv(3, bad={2})).content.decode()
    text = unescape(sub(r"<[^>]+>", " ", sub(r"(?s)<script.*?</script>", "", page)))

    assert not MODEL_LABEL.search(text), MODEL_LABEL.search(text)
    assert not PYTHON_REPR.search(text)
    assert not ISO_TIMESTAMP.search(text)


def test_the_progress_answer_is_the_job_rows(client, manager):
    import_flow.upload(client, _csv(3))
    staged = import_flow.last_import()

    answer = client.get(
        reverse("admin:clienteling_client_import_progress", args=[staged.pk])
    ).json()

    assert answer == {"finished": True, "percent": 100, "label": "Checked 3 of 3 rows"}


def test_a_repeated_write_writes_nothing_twice(client, manager):
    import_flow.upload(client, _csv(3))
    staged = import_flow.last_import()
    import_flow.confirm(client, staged.pk)
    staged.refresh_from_db()
    kind = jobs.get("clienteling.client_import_apply")

    # an attempt that finds the import written (a worker lost after the
    # commit) returns its counts and writes nothing
    again = kind.run(staged.apply_job, ctx=None)

    assert again == {"created": 3}
    assert Client.objects.count() == 3
    assert Client.history.count() == 3


@pytest.mark.django_db(transaction=True)
def test_a_number_taken_between_check_and_confirm_writes_nothing(client):
    roles.sync_roles()  # a transactional test before may have flushed them
    user = UserFactory(role=roles.MANAGER, boutiques=[BoutiqueFactory(code="PAR")])
    client.force_login(user)
    client.post(
        reverse("admin:clienteling_client_import"),
        {"import_file": SimpleUploadedFile("c.csv", _csv(3), "text/csv")},
    )
    staged = import_flow.last_import()
    ClientFactory(client_number="JB-0002")

    page = client.post(
        reverse("admin:clienteling_client_process_import"),
        {"staged_import": staged.pk},
        follow=True,
    ).content.decode()

    staged.refresh_from_db()
    assert staged.apply_job.status == Job.Status.FAILED
    assert "The file no longer passes the checks (1 problem(s)" in page
    assert Client.objects.count() == 1
    assert staged.created is None
    assert import_uploads.read(staged.file_id) is None


def test_website_activity_is_checked_then_imported(client, manager):
    customer = ClientFactory(client_number="WEB-1", cookie_consent="accepted")
    events = [
        {
            "external_id": f"e{n}",
            "client_number": "WEB-1",
            "kind": "product_view",
            "product_reference": "R1",
            "occurred_at": "2026-11-20T10:00:00+01:00",
        }
        for n in range(1, 4)
    ]
    bad = [*events, {**events[0], "external_id": "e9", "kind": "purchase"}]

    refused = import_flow.upload(
        client, "\n".join(json.dumps(e) for e in bad).encode(), what="web_events"
    ).content.decode()
    assert "kind &#x27;purchase&#x27; is not one of account_created" in refused
    assert not WebEvent.objects.exists()

    import_flow.upload(
        client, "\n".join(json.dumps(e) for e in events).encode(), what="web_events"
    )
    staged = import_flow.last_import()
    assert staged.what == StagedImport.What.WEB_EVENTS
    done = import_flow.confirm(client, staged.pk).content.decode()

    assert "3 events imported, 0 already known." in done
    assert WebEvent.objects.filter(client=customer).count() == 3


def test_only_the_uploader_confirms_through_the_service(manager):
    staged = services.import_start(acting_user=manager, what="clients", data=_csv(1))

    with pytest.raises(PermissionDenied, match=str(staged_imports.NOT_YOURS)):
        services.import_confirm(acting_user=UserFactory(), staged=staged)
