"""gunicorn's configuration: `gunicorn -c config/gunicorn.conf.py`.

Started by `python -m config.serve` (make serve, the Procfile, the web
service of compose.yaml), which runs collectstatic first. Processes and
threads per host come from the environment (WEB_WORKERS, WEB_THREADS,
WEB_TIMEOUT, WEB_BIND), read by config.settings so a bad value stops
start-up with a message naming it. Logging is Django's LOGGING (JSON or
text, personal-data mask), for the master as well as the workers; the
request line is written by config.middleware.RequestLogMiddleware, so
gunicorn's own access log stays quiet. docs/decisions/0031.
"""

import copy
import os
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

from django.conf import settings  # noqa: E402 - after the path and module
from gunicorn.glogging import Logger  # noqa: E402


class QuietAccessLogger(Logger):
    """gunicorn's logger without its access line: RequestLogMiddleware
    writes the request line, with the request id and without the query."""

    def access(self, *args, **kwargs):
        return None


wsgi_app = "config.wsgi:application"
bind = os.environ.get("WEB_BIND", "127.0.0.1:8000")
workers = settings.WEB_WORKERS
# Threads: a request waiting on PostgreSQL does not hold up the process.
threads = settings.WEB_THREADS
worker_class = "gthread"
timeout = settings.WEB_TIMEOUT
graceful_timeout = 30
keepalive = 5
# A worker is replaced after this many requests (a slow leak cannot grow).
max_requests = 2000
max_requests_jitter = 200
# Heartbeat files in memory, not on a possibly slow disk.
worker_tmp_dir = "/dev/shm" if Path("/dev/shm").is_dir() else None  # noqa: S108
# Only the load balancers may say the request came over HTTPS.
forwarded_allow_ips = ",".join(sorted(settings.TRUSTED_PROXIES)) or "127.0.0.1"
proxy_allow_ips = forwarded_allow_ips

logger_class = QuietAccessLogger
logconfig_dict = copy.deepcopy(settings.LOGGING)
