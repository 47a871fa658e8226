"""The demo pages, against the SQLite demo database `seed_demo` filled.

Collected only inside tests/test_demo_on_sqlite.py's subprocess (the
ECRIN_DEMO_PAGES variable, see tests/conftest.py), which points
DATABASE_URL at that database: the tests read the demo rows as they are,
each in a transaction rolled back at its end.
"""

import pytest


@pytest.fixture(scope="session")
def django_db_setup():
    """The seeded demo database itself: no test database is created."""


@pytest.fixture(autouse=True)
def _fast_password_hashing():
    """The demo users' passwords are hashed with the real hasher."""


@pytest.fixture(autouse=True)
def _private_storage():
    """The demo's scans and files stay where seed_demo wrote them."""
