"""Helpers shared by test modules."""

from contextlib import contextmanager

from django.db import connection
from django.test.utils import CaptureQueriesContext


def get_counting_queries(client, url: str, **kwargs):
    """GET a page and return (response, number of SQL queries it ran)."""
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url, **kwargs)
    return response, len(queries.captured_queries)


def current_totp(username: str) -> str:
    """The code the user's authenticator app would show now."""
    from django_otp.oath import TOTP
    from django_otp.plugins.otp_totp.models import TOTPDevice

    device = TOTPDevice.objects.get(user__username=username, confirmed=True)
    totp = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
    return f"{totp.token():0{device.digits}d}"


def admin_login(page, live_server_url: str, username: str, password: str) -> None:
    """Sign in through the real forms: password, then the TOTP code."""
    page.goto(f"{live_server_url}/admin/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", password)
    page.click("input[type=submit]")
    page.wait_for_url("**/admin/login/verify/")
    page.fill("#id_otp_token", current_totp(username))
    page.click("#otp-form input[type=submit]")
    page.wait_for_url(lambda url: "/login/" not in url)


@contextmanager
def connected_as(role: str):
    """Run the block's ORM work on a fresh connection as another database role.

    PostgreSQL only, with data committed beforehand (transactional_db): the
    role connects to the same test database without a password (trust on
    127.0.0.1, or PGPASSWORD / ~/.pgpass). The suite's own connection comes
    back when the block ends, whatever happened in it.
    """
    saved = connection.settings_dict["USER"], connection.settings_dict["PASSWORD"]
    connection.close()
    connection.settings_dict["USER"], connection.settings_dict["PASSWORD"] = role, ""
    try:
        yield
    finally:
        connection.close()
        connection.settings_dict["USER"], connection.settings_dict["PASSWORD"] = saved
