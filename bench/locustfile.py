"""The locust users of `make loadtest` (bench/loadtest.py starts locust).

Each user signs in through the real forms (password, then a TOTP code
computed from the authenticator key bench/loadtest.py gave its account),
then browses as an adviser does: home (the admin index), a search of the
client list, a client's page (the card), a page of the client list. Sign-in is
counted under its own names and left out of the page figures.
"""

import hashlib
import hmac
import itertools
import os
import random
import struct
import time

from locust import HttpUser, between, task

USERS = int(os.environ["LOADTEST_USERS"])
PASSWORD = os.environ["LOADTEST_PASSWORD"]
FIRST_ID, LAST_ID = (int(n) for n in os.environ["LOADTEST_CLIENT_IDS"].split(":"))
NAMES = int(os.environ.get("LOADTEST_NAMES", "50000"))
# Seconds a user waits between two pages (bench/loadtest.py --wait).
WAIT = tuple(float(n) for n in os.environ.get("LOADTEST_WAIT", "0.5:1.5").split(":"))
_numbers = itertools.count()


def totp_key(username: str) -> bytes:
    """The same derivation as bench/loadtest.py's accounts."""
    return bytes.fromhex(
        hashlib.sha256(f"loadtest:{username}".encode()).hexdigest()[:40]
    )


def totp(key: bytes, at: float | None = None) -> str:
    """RFC 6238, 30-second steps, 6 digits (django-otp's defaults)."""
    counter = struct.pack(">Q", int((at or time.time()) // 30))
    digest = hmac.new(key, counter, hashlib.sha1).digest()
    offset = digest[-1] & 0x0F
    code = struct.unpack(">I", digest[offset : offset + 4])[0] & 0x7FFFFFFF
    return f"{code % 1_000_000:06d}"


class Adviser(HttpUser):
    wait_time = between(*WAIT)

    def on_start(self):
        username = f"loadtest-{next(_numbers) % USERS:02d}"
        self.client.get("/admin/login/", name="sign-in: form")
        self.client.post(
            "/admin/login/",
            {
                "username": username,
                "password": PASSWORD,
                "csrfmiddlewaretoken": self.client.cookies.get("csrftoken", ""),
            },
            name="sign-in: password",
        )
        with self.client.post(
            "/admin/login/verify/",
            {
                "otp_token": totp(totp_key(username)),
                "csrfmiddlewaretoken": self.client.cookies.get("csrftoken", ""),
            },
            name="sign-in: code",
            catch_response=True,
        ) as response:
            if not response.url.endswith("/admin/"):
                response.failure(f"{username} was not signed in")

    def _page(self, path: str, name: str):
        with self.client.get(path, name=name, catch_response=True) as response:
            if response.status_code != 200:
                response.failure(f"{response.status_code}")
            elif "/admin/login/" in response.url:
                response.failure("signed out")

    @task(2)
    def home(self):
        self._page("/admin/", "home")

    @task(3)
    def search(self):
        self._page(
            f"/admin/clienteling/client/?q=Last{random.randrange(NAMES)}", "search"
        )

    @task(3)
    def client_page(self):
        client = random.randint(FIRST_ID, LAST_ID)
        # The client's page is the card (the list's rows open it), not the
        # edit form behind its "Edit" button (decision 0109).
        self._page(f"/admin/clienteling/client/{client}/", "client page")

    @task(2)
    def client_list(self):
        self._page(
            f"/admin/clienteling/client/?p={random.randint(1, 20)}", "client list"
        )
