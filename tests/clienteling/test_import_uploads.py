"""The admin's import steps: only the uploader's own import, by its number.

django-import-export's confirm step opened, reported the first line of,
and deleted whatever file `import_file_name` named. Imports are now staged
(clienteling.staged_imports): the upload is stored under a name the server
draws, its row is the uploader's, and the confirm step names the import by
its number; no name a browser sends reaches the filesystem.
"""

import os
import tempfile
import time
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import TestCase
from django.urls import reverse
from django.utils import timezone

from clienteling import import_uploads, services, staged_imports
from clienteling.models import Client
from core import roles
from tests.clienteling import import_flow
from tests.clienteling.factories import BoutiqueFactory, UserFactory

pytestmark = pytest.mark.django_db

IMPORT_URL = "admin:clienteling_client_import"
CONFIRM_URL = "admin:clienteling_client_process_import"
CSV = (
    b"client_number,first_name,last_name,home_boutique,email\n"
    b"UP-0001,Aline,Marchal,PAR,aline@example.com\n"
)
# A file that must survive every refused confirm, named as an attacker
# would name it.
SECRET_LINE = "first_line_of_a_file_that_is_not_an_upload"


@pytest.fixture
def paris():
    return BoutiqueFactory(code="PAR")


def _manager(boutique):
    return UserFactory(role=roles.MANAGER, boutiques=[boutique])


def _pending_files() -> list[Path]:
    folder = import_uploads.folder()
    return sorted(folder.iterdir()) if folder.is_dir() else []


def _messages(response) -> list[str]:
    return [str(m) for m in response.context["messages"]]


@pytest.fixture
def victim_file():
    """A file in the system temp folder, where import-export kept uploads."""
    handle = tempfile.NamedTemporaryFile(  # noqa: SIM115 - removed below
        "w", prefix="tmp", delete=False, suffix=""
    )
    handle.write(SECRET_LINE + "\nsecond line\n")
    handle.close()
    path = Path(handle.name)
    yield path
    path.unlink(missing_ok=True)


def test_upload_check_then_confirm_imports_and_deletes_the_file(client, paris):
    client.force_login(_manager(paris))

    preview = import_flow.upload(client, CSV)

    assert preview.status_code == 200
    page = preview.content.decode()
    assert "Aline" in page
    assert "No problems found" in page
    assert not Client.objects.exists()  # nothing until confirmed
    (stored,) = _pending_files()
    # The stored name is the server's own, not the uploaded file's.
    assert import_uploads._FILE_ID.fullmatch(stored.name)
    assert stored.name not in page
    assert stored.read_bytes() == CSV

    done = import_flow.confirm(client, import_flow.last_import().pk)

    assert "1 client imported." in done.content.decode()
    assert Client.objects.filter(client_number="UP-0001").exists()
    assert _pending_files() == []
    staged = import_flow.last_import()
    assert (staged.rows, staged.problem_count, staged.created) == (1, 0, 1)
    assert staged.apply_job.status == "done"


def test_another_users_import_is_not_found_and_left_alone(client, paris):
    client.force_login(_manager(paris))
    import_flow.upload(client, CSV)
    staged = import_flow.last_import()
    (stored,) = _pending_files()

    client.force_login(_manager(paris))
    page = client.get(
        reverse("admin:clienteling_client_import_status", args=[staged.pk])
    )
    confirm = client.post(reverse(CONFIRM_URL), {"staged_import": staged.pk})

    assert page.status_code == 404
    assert confirm.status_code == 404
    assert stored.read_bytes() == CSV
    assert not Client.objects.exists()


def test_an_import_confirms_once(client, paris):
    client.force_login(_manager(paris))
    import_flow.upload(client, CSV)
    staged = import_flow.last_import()
    import_flow.confirm(client, staged.pk)

    again = client.post(reverse(CONFIRM_URL), {"staged_import": staged.pk}, follow=True)

    assert "This import has already been confirmed." in _messages(again)
    assert Client.objects.count() == 1


@pytest.mark.parametrize(
    "name_of",
    [
        pytest.param(lambda victim, pending: victim.name, id="temp-file-name"),
        pytest.param(lambda victim, pending: str(victim), id="absolute-path"),
        pytest.param(
            lambda victim, pending: f"../{victim.parent.name}/{victim.name}",
            id="dot-dot",
        ),
        pytest.param(lambda victim, pending: pending.name, id="pending-file-id"),
        pytest.param(lambda victim, pending: str(pending), id="pending-file-path"),
        pytest.param(lambda victim, pending: "", id="empty"),
    ],
)
def test_a_name_or_path_is_refused_and_touches_no_file(
    client, paris, victim_file, name_of
):
    # given a pending upload of someone else and a file in the temp folder
    other = _manager(paris)
    client.force_login(other)
    import_flow.upload(client, CSV)
    (pending,) = _pending_files()
    client.force_login(_manager(paris))

    # when the confirm step is sent a name instead of an import's number
    response = client.post(
        reverse(CONFIRM_URL),
        {"staged_import": name_of(victim_file, pending)},
        follow=True,
    )

    # then it is refused, with no file read, named or deleted
    shown = " ".join(_messages(response))
    assert "Upload the file again" in shown
    assert SECRET_LINE not in response.content.decode()
    assert victim_file.read_text().startswith(SECRET_LINE)
    assert pending.read_bytes() == CSV
    assert not Client.objects.exists()


def test_an_expired_upload_cannot_be_confirmed(client, paris):
    client.force_login(_manager(paris))
    import_flow.upload(client, CSV)
    staged = import_flow.last_import()
    for path in _pending_files():  # the upload sweep took it
        path.unlink()

    response = client.post(
        reverse(CONFIRM_URL), {"staged_import": staged.pk}, follow=True
    )

    assert staged_imports.GONE in _messages(response)
    assert not Client.objects.exists()


def test_a_file_with_problems_is_deleted_once_checked(client, paris):
    client.force_login(_manager(paris))
    bad = CSV.replace(b"aline@example.com", b"not-an-email")

    preview = import_flow.upload(client, bad)

    assert "1 problem" in preview.content.decode()
    assert "Confirm import" not in preview.content.decode()
    assert _pending_files() == []


def test_an_abandoned_import_deletes_its_file(client, paris):
    client.force_login(_manager(paris))
    import_flow.upload(client, CSV)
    staged = import_flow.last_import()

    with TestCase.captureOnCommitCallbacks(execute=True):  # the file goes on commit
        response = client.post(
            reverse("admin:clienteling_client_import_abandon", args=[staged.pk]),
            follow=True,
        )

    assert "nothing was imported" in " ".join(_messages(response))
    assert _pending_files() == []
    refused = client.post(
        reverse(CONFIRM_URL), {"staged_import": staged.pk}, follow=True
    )
    assert staged_imports.GONE in _messages(refused)
    assert not Client.objects.exists()


def test_the_sweep_deletes_abandoned_uploads_only(paris):
    manager = _manager(paris)
    services.import_upload_store(acting_user=manager, data=b"old")
    (old,) = _pending_files()
    services.import_upload_store(acting_user=manager, data=b"new")
    (fresh,) = [p for p in _pending_files() if p != old]
    stray = import_uploads.folder() / "notes.txt"
    stray.write_text("not an upload")
    now = timezone.now()
    two_hours_ago = time.time() - import_uploads.UPLOAD_MAX_AGE.total_seconds() - 60
    os.utime(old, (two_hours_ago, two_hours_ago))

    removed = services.import_uploads_sweep(now=now)

    assert removed == 1
    assert not old.exists()
    assert fresh.read_bytes() == b"new"
    assert stray.exists()


def test_the_sweep_runs_every_hour():
    from django_celery_beat.models import PeriodicTask

    task = PeriodicTask.objects.get(name="clienteling.sweep_import_uploads")

    assert task.enabled
    assert task.crontab.hour == "*"


def test_an_upload_over_the_limit_is_refused_before_it_is_stored(
    client, paris, monkeypatch
):
    monkeypatch.setattr(import_uploads, "UPLOAD_MAX_BYTES", 10)
    client.force_login(_manager(paris))

    preview = client.post(
        reverse(IMPORT_URL),
        {"import_file": SimpleUploadedFile("clients.csv", CSV, "text/csv")},
    )

    assert "the limit is" in str(preview.context["form"].errors["import_file"])
    assert _pending_files() == []


def test_no_admin_keeps_django_import_exports_own_file_steps():
    # Its upload step writes to the temp folder under a name the browser
    # sends back, and its confirm step opens whatever name comes back.
    from django.contrib import admin
    from import_export.admin import ImportMixin

    importing = [a for a in admin.site._registry.values() if isinstance(a, ImportMixin)]

    assert importing, "the client admin imports"
    for model_admin in importing:
        kind = type(model_admin)
        assert kind.process_import is not ImportMixin.process_import, kind
        assert kind.write_to_tmp_storage is not ImportMixin.write_to_tmp_storage
