"""Helpers shared by test modules."""

from django.db import connection
from django.test.utils import CaptureQueriesContext


def get_counting_queries(client, url: str, **kwargs):
    """GET a page and return (response, number of SQL queries it ran)."""
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url, **kwargs)
    return response, len(queries.captured_queries)


def admin_login(page, live_server_url: str, username: str, password: str) -> None:
    """Log in through the admin login form in a Playwright page."""
    page.goto(f"{live_server_url}/admin/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", password)
    page.click("input[type=submit]")
