"""The admin's import flow, for tests: upload, the check job, the page.

Jobs run in-process (eager) when the request's transaction "commits":
inside a test's transaction that is the end of the capture below.
Not a test module.
"""

from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import TestCase
from django.urls import reverse

from clienteling.models import StagedImport

IMPORT_URL = "admin:clienteling_client_import"
CONFIRM_URL = "admin:clienteling_client_process_import"


def upload(client, data: bytes, *, what: str = "clients", name: str = "clients.csv"):
    """Upload a file, run its check, return the import's page."""
    with TestCase.captureOnCommitCallbacks(execute=True):
        response = client.post(
            reverse(IMPORT_URL),
            {"import_file": SimpleUploadedFile(name, data, "text/csv"), "what": what},
        )
    if response.status_code != 302:
        return response
    return client.get(response.url)


def confirm(client, staged_id):
    """Confirm an import, run its write, return the import's page."""
    with TestCase.captureOnCommitCallbacks(execute=True):
        response = client.post(reverse(CONFIRM_URL), {"staged_import": staged_id})
    return client.get(response.url) if response.status_code == 302 else response


def last_import() -> StagedImport:
    return StagedImport.objects.select_related("validation_job", "apply_job").latest(
        "pk"
    )
