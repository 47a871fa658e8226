"""The job protocol under real faults, with the protocol's test kind.

Each app drills its own kinds with the same four drills (tests.core.drills).
"""

import pytest

from core import jobs
from core.jobs import files
from tests.core import kinds
from tests.core.drills import DrillCase, DrillTests

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def _start():
    return jobs.enqueue(kind="tests.count", label="Counting to 6", params={"n": 6})


def _check_once(job):
    assert kinds.effects(job) == 1
    path = jobs.result_path(job)
    assert path.read_text() == "".join(f"{i}\n" for i in range(1, 7))
    assert [p.name for p in files.job_dir(job.pk).iterdir()] == ["count.txt"]


CASE = DrillCase(kind="tests.count", start=_start, check_once=_check_once)


class TestDrills(DrillTests):
    @pytest.fixture
    def case(self):
        return CASE
