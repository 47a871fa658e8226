"""The admin's import confirm step: only the uploader's own pending upload.

django-import-export's confirm step opened, reported the first line of,
and deleted whatever file `import_file_name` named. The confirm step now
takes an opaque token bound to the user who uploaded the file.
"""

import os
import tempfile
import time
from datetime import timedelta
from pathlib import Path

import pytest
from django.urls import reverse
from django.utils import timezone

from clienteling import import_uploads, services
from clienteling.models import Client
from core import roles
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


def _upload(client, data=CSV, name="clients.csv"):
    from django.core.files.uploadedfile import SimpleUploadedFile

    return client.post(
        reverse(IMPORT_URL),
        {
            "import_file": SimpleUploadedFile(name, data, "text/csv"),
            "format": "0",
            "resource": "0",
        },
    )


def _confirm(client, token):
    return client.post(
        reverse(CONFIRM_URL),
        {
            "import_file_name": token,
            "original_file_name": "clients.csv",
            "format": "0",
            "resource": "0",
        },
        follow=True,
    )


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


def test_upload_then_confirm_imports_and_deletes_the_pending_file(client, paris):
    client.force_login(_manager(paris))

    preview = _upload(client)

    assert preview.status_code == 200
    token = preview.context["confirm_form"].initial["import_file_name"]
    (stored,) = _pending_files()
    # The stored name is the server's own, not the uploaded file's.
    assert import_uploads._FILE_ID.fullmatch(stored.name)
    assert "clients" not in token
    assert stored.read_bytes() == CSV

    done = _confirm(client, token)

    assert done.status_code == 200
    assert Client.objects.filter(client_number="UP-0001").exists()
    assert _pending_files() == []


def test_another_users_upload_is_refused_and_left_alone(client, paris):
    client.force_login(_manager(paris))
    token = _upload(client).context["confirm_form"].initial["import_file_name"]
    (stored,) = _pending_files()

    client.force_login(_manager(paris))
    response = _confirm(client, token)

    assert import_uploads.REFUSED in _messages(response)
    assert stored.read_bytes() == CSV
    assert not Client.objects.exists()


def test_a_token_confirms_once(client, paris):
    client.force_login(_manager(paris))
    token = _upload(client).context["confirm_form"].initial["import_file_name"]
    _confirm(client, token)

    again = _confirm(client, token)

    assert import_uploads.REFUSED in _messages(again)
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
        pytest.param(
            lambda victim, pending: f"../../../../../../{victim}", id="deep-dot-dot"
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
    _upload(client)
    (pending,) = _pending_files()
    client.force_login(_manager(paris))

    # when the confirm step is sent a name instead of a token
    response = _confirm(client, name_of(victim_file, pending))

    # then it is refused, with no file read, named or deleted
    shown = " ".join(_messages(response))
    assert "Upload the file again" in shown
    assert SECRET_LINE not in response.content.decode()
    assert victim_file.read_text().startswith(SECRET_LINE)
    assert pending.read_bytes() == CSV
    assert not Client.objects.exists()


def test_an_expired_upload_is_refused_and_its_file_deleted(client, paris, monkeypatch):
    client.force_login(_manager(paris))
    token = _upload(client).context["confirm_form"].initial["import_file_name"]
    monkeypatch.setattr(import_uploads, "UPLOAD_MAX_AGE", timedelta(seconds=-1))

    response = _confirm(client, token)

    assert "has expired" in " ".join(_messages(response))
    assert _pending_files() == []
    assert not Client.objects.exists()


def test_someone_elses_expired_upload_is_not_deleted(client, paris, monkeypatch):
    client.force_login(_manager(paris))
    token = _upload(client).context["confirm_form"].initial["import_file_name"]
    monkeypatch.setattr(import_uploads, "UPLOAD_MAX_AGE", timedelta(seconds=-1))
    client.force_login(_manager(paris))

    _confirm(client, token)

    assert len(_pending_files()) == 1


def test_a_preview_with_errors_still_leaves_its_file_to_the_sweep(client, paris):
    client.force_login(_manager(paris))
    bad = CSV.replace(b"aline@example.com", b"not-an-email")

    preview = _upload(client, data=bad)

    assert "confirm_form" not in preview.context
    assert len(_pending_files()) == 1


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

    preview = _upload(client)

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
