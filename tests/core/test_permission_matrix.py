from pathlib import Path

import pytest

from core.management.commands.permission_matrix import render

DOC = Path(__file__).resolve().parents[2] / "docs" / "permissions.md"


@pytest.mark.django_db
def test_the_written_permission_matrix_matches_the_code():
    assert DOC.read_text(encoding="utf-8") == render(), (
        "docs/permissions.md is stale: run "
        "`manage.py permission_matrix > docs/permissions.md`"
    )
