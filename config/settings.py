"""Écrin settings: one module, driven by the environment (django-environ).

Every variable is listed in README.md ("Configuration"). The embedded
default is a SQLite file and no broker (Celery runs tasks in-process), so a
bare machine can run the demo; PostgreSQL and Redis are switched on with
DATABASE_URL and CELERY_BROKER_URL. A malformed or unknown value stops
start-up with an ImproperlyConfigured naming the variable.
"""

import re
from datetime import timedelta
from decimal import Decimal, InvalidOperation
from pathlib import Path

import environ
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent.parent

env = environ.Env()
environ.Env.read_env(BASE_DIR / ".env", overwrite=False)

_TRUE = {"1", "true", "yes", "on"}
_FALSE = {"0", "false", "no", "off", ""}


def _bool(name: str, default: bool) -> bool:
    """Read a strict boolean: a typo must not silently mean False."""
    raw = env.str(name, default=str(default)).strip().lower()
    if raw in _TRUE:
        return True
    if raw in _FALSE:
        return False
    raise ImproperlyConfigured(
        f"{name}={raw!r} is not a boolean: use one of 1/0, true/false, yes/no, on/off."
    )


def _choice(name: str, default: str, choices: tuple[str, ...]) -> str:
    value = env.str(name, default=default).strip().lower()
    if value not in choices:
        raise ImproperlyConfigured(
            f"{name}={value!r} is not allowed: use one of {', '.join(choices)}."
        )
    return value


def _int(name: str, default: int, minimum: int = 0) -> int:
    raw = env.str(name, default=str(default)).strip()
    try:
        value = int(raw)
    except ValueError:
        raise ImproperlyConfigured(f"{name}={raw!r} is not a whole number.") from None
    if value < minimum:
        raise ImproperlyConfigured(f"{name}={value} must be at least {minimum}.")
    return value


def _colour(name: str, default: str) -> str:
    value = env.str(name, default=default).strip()
    if not re.fullmatch(r"#[0-9a-fA-F]{6}", value):
        raise ImproperlyConfigured(f"{name}={value!r} is not a colour like #1b2a4a.")
    return value


def _rates(name: str, default: dict[str, str]) -> dict[str, Decimal]:
    """Currency rates as "GBP=1.17,USD=0.92": each overrides its default."""
    rates = {code: Decimal(rate) for code, rate in default.items()}
    raw = env.str(name, default="").strip()
    for item in filter(None, (part.strip() for part in raw.split(","))):
        code, _, rate = item.partition("=")
        code = code.strip().upper()
        try:
            value = Decimal(rate.strip())
        except InvalidOperation:
            value = Decimal(0)
        if not re.fullmatch(r"[A-Z]{3}", code) or not value.is_finite() or value <= 0:
            raise ImproperlyConfigured(
                f"{name}: {item!r} is not a currency rate like GBP=1.17 "
                "(a three-letter code and a positive number)."
            )
        rates[code] = value
    return rates


def _database(name: str, default: str) -> dict:
    raw = env.str(name, default=default)
    scheme = raw.split("://", 1)[0] if "://" in raw else ""
    engines = {
        "sqlite": "django.db.backends.sqlite3",
        "postgres": "django.db.backends.postgresql",
        "postgresql": "django.db.backends.postgresql",
    }
    if scheme not in engines:
        # The URL may hold a password: name the variable and the scheme only.
        raise ImproperlyConfigured(
            f"{name} is malformed (scheme {scheme or 'missing'!r}): expected "
            "sqlite:///path/to/file.sqlite3 or postgres://user@host:5432/name."
        )
    try:
        config = environ.Env.db_url_config(raw)
    except Exception as exc:  # noqa: BLE001 - environ raises several types
        raise ImproperlyConfigured(
            f"{name} is malformed: {type(exc).__name__}."
        ) from None
    if config.get("ENGINE") != engines[scheme] or not config.get("NAME"):
        raise ImproperlyConfigured(f"{name} is malformed: no database name.")
    return config


# --- Environment -----------------------------------------------------------

ENVIRONMENT = _choice(
    "ECRIN_ENVIRONMENT", "demo", ("demo", "test", "staging", "production")
)
DEBUG = _bool("DEBUG", False)
_IS_DEPLOYED = ENVIRONMENT in ("staging", "production")

SECRET_KEY = env.str("SECRET_KEY", default="")
if not SECRET_KEY:
    if _IS_DEPLOYED:
        raise ImproperlyConfigured(
            f"SECRET_KEY is required when ECRIN_ENVIRONMENT={ENVIRONMENT}: "
            "set it to a long random value (python -c 'import secrets; "
            "print(secrets.token_urlsafe(50))')."
        )
    # Only for demo and test: a fixed key makes no secret of anything real.
    SECRET_KEY = "ecrin-demo-only-not-a-secret-" + "x" * 32  # noqa: S105

ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["localhost", "127.0.0.1"])
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])
CSRF_FAILURE_VIEW = "config.views.csrf_failure"

# --- Applications ----------------------------------------------------------

# The project's own apps, bottom of the dependency chain first.
PROJECT_APPS = ["core", "clienteling", "consents", "orders", "privacy", "segments"]

INSTALLED_APPS = [
    "config.apps.EcrinAdminConfig",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.postgres",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_otp.plugins.otp_static",
    "axes",
    "simple_history",
    "import_export",
    "django_celery_beat",
    "django_celery_results",
    "django_countries",
    "phonenumber_field",
    "rest_framework",
    "drf_spectacular",
    *PROJECT_APPS,
]

MIDDLEWARE = [
    # Serving (docs/decisions/0031): the request id and the request log
    # first; whitenoise right after SecurityMiddleware, as it asks.
    "config.middleware.RequestLogMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "config.middleware.SecurityHeadersMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    # The browser's Accept-Language (or English) until the user is known...
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",
    # ...then the user's own language and their boutique's time zone.
    "core.localisation.StaffLocaleMiddleware",
    "config.middleware.SessionLifetimeMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "simple_history.middleware.HistoryRequestMiddleware",
    # Last, as django-axes asks.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "config.context_processors.house",
                "core.context_processors.finished_jobs",
            ],
        },
    },
]

# --- Database --------------------------------------------------------------

DATABASES = {
    "default": _database("DATABASE_URL", f"sqlite:///{BASE_DIR / 'db.sqlite3'}"),
}
# Serving (docs/decisions/0032): behind PgBouncer in transaction mode a
# connection is not ours between transactions, so no server-side cursors
# (QuerySet.iterator() then reads the whole result at once). Workers that
# stream large exports should connect directly instead.
_PGBOUNCER_TRANSACTION = _bool("DATABASE_PGBOUNCER_TRANSACTION", False)
if _PGBOUNCER_TRANSACTION:
    DATABASES["default"]["DISABLE_SERVER_SIDE_CURSORS"] = True
# Persistent connections (decision 0109): a web thread keeps its connection
# for this many seconds instead of opening one per request (a PostgreSQL
# backend started and authenticated for every page). Checked before reuse,
# so a restarted server costs one failed check, not a 500. 0 behind
# PgBouncer in transaction mode (docs/operations/scaling.md).
DATABASES["default"]["CONN_MAX_AGE"] = _int(
    "DATABASE_CONN_MAX_AGE", 0 if _PGBOUNCER_TRANSACTION else 60
)
DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
# PostgreSQL's JIT compiles a query's expressions before running it: at 1M
# clients that cost 150-190 ms on each heavy dashboard or segment query, more
# than it saved (decision 0122). Off for Écrin's connections. Behind PgBouncer
# in transaction mode a startup option may be refused: set it on the role
# there (ALTER ROLE ecrin_app SET jit = off; docs/operations/scaling.md).
if (
    DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql"
    and not _PGBOUNCER_TRANSACTION
):
    _options = DATABASES["default"].setdefault("OPTIONS", {})
    _options["options"] = f"{_options.get('options', '')} -c jit=off".strip()
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
IS_POSTGRES = DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql"
# The PostgreSQL role web processes and workers connect as: it is granted
# rows, never ownership (core.dbroles, docs/decisions/0011).
DATABASE_APP_ROLE = env.str("DATABASE_APP_ROLE", default="ecrin_app").strip()
if not re.fullmatch(r"[a-z_][a-z0-9_]{0,62}", DATABASE_APP_ROLE):
    raise ImproperlyConfigured(
        f"DATABASE_APP_ROLE={DATABASE_APP_ROLE!r} is not a role name: use "
        "lower-case letters, digits and underscores (e.g. ecrin_app)."
    )

AUTH_USER_MODEL = "clienteling.User"
AUTHENTICATION_BACKENDS = [
    # First, so a locked-out username+address is refused before checking.
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
LOGIN_URL = "admin:login"

AUTH_PASSWORD_VALIDATORS = [
    {
        "NAME": "django.contrib.auth.password_validation."
        "UserAttributeSimilarityValidator"
    },
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 12},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

# --- Internationalisation --------------------------------------------------

# The staff interface speaks these (docs/decisions/0029): the user's own
# language (User.language), else the browser's Accept-Language, else English.
LANGUAGE_CODE = "en"
LANGUAGES = [("en", "English"), ("fr", "Français")]
# A project catalogue for config/ and templates/; each app has its own
# <app>/locale/ found through APP_DIRS-like discovery.
LOCALE_PATHS = [BASE_DIR / "locale"]
# Dates, times and numbers per language: config/formats/<lang>/formats.py.
FORMAT_MODULE_PATH = ["config.formats"]
TIME_ZONE = env.str("TIME_ZONE", default="Europe/Paris")
USE_I18N = True
USE_TZ = True

PHONENUMBER_DEFAULT_REGION = env.str("PHONENUMBER_DEFAULT_REGION", default="FR")
PHONENUMBER_DB_FORMAT = "E164"

# Reverting to an old version from the history page would bypass the
# services and their validation: history is for reading.
SIMPLE_HISTORY_REVERT_DISABLED = True

# django-import-export: importing and exporting need their own permissions
# (<app>.import_<model>, <app>.export_<model>), not just "change".
IMPORT_EXPORT_IMPORT_PERMISSION_CODE = "import"
IMPORT_EXPORT_EXPORT_PERMISSION_CODE = "export"
IMPORT_EXPORT_SKIP_ADMIN_LOG = False

# --- Static and media ------------------------------------------------------

STATIC_URL = "static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT = Path(env.str("STATIC_ROOT", default=str(BASE_DIR / "var" / "static")))
# Uploaded scans live outside any web root and are served only through
# permission-checked views.
PRIVATE_STORAGE_ROOT = Path(
    env.str("PRIVATE_STORAGE_ROOT", default=str(BASE_DIR / "var" / "private"))
)

# --- Serving: static files, proxies, gunicorn (docs/decisions/0031) --------

# Served by whitenoise from STATIC_ROOT with hashed, compressed names and a
# year's cache (collectstatic runs in the start-up path, config.serve). Off
# (the embedded default in demo and test), files are served from the
# source folders under their plain names, with no cache, and no
# collectstatic is needed.
STATIC_MANIFEST = _bool("STATIC_MANIFEST", _IS_DEPLOYED)
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"
        if STATIC_MANIFEST
        else "django.contrib.staticfiles.storage.StaticFilesStorage"
    },
}
WHITENOISE_USE_FINDERS = not STATIC_MANIFEST
WHITENOISE_AUTOREFRESH = not STATIC_MANIFEST
# Hashed names are cached for ten years (immutable) by whitenoise itself;
# this is for the few unhashed names (favicon-like), kept short.
WHITENOISE_MAX_AGE = 3600 if STATIC_MANIFEST else 0
# Behind a load balancer that terminates TLS: the header it sets, e.g.
# X-Forwarded-Proto (its value must then be "https" for a secure request).
# Only ever set it when every request reaches us through that balancer.
_PROXY_SSL_HEADER = env.str("SECURE_PROXY_SSL_HEADER", default="").strip()
if _PROXY_SSL_HEADER:
    if not re.fullmatch(r"[A-Za-z][A-Za-z0-9-]{0,63}", _PROXY_SSL_HEADER):
        raise ImproperlyConfigured(
            f"SECURE_PROXY_SSL_HEADER={_PROXY_SSL_HEADER!r} is not a header "
            "name: use e.g. X-Forwarded-Proto."
        )
    SECURE_PROXY_SSL_HEADER = (
        "HTTP_" + _PROXY_SSL_HEADER.upper().replace("-", "_"),
        "https",
    )
# gunicorn (config/gunicorn.conf.py): processes and threads per web host.
WEB_WORKERS = _int("WEB_WORKERS", 2, minimum=1)
WEB_THREADS = _int("WEB_THREADS", 4, minimum=1)
WEB_TIMEOUT = _int("WEB_TIMEOUT", 60, minimum=5)
# Readiness (/health/ready): beat's last tick must be at most this old.
HEALTH_BEAT_MAX_AGE = _int("HEALTH_BEAT_MAX_AGE", 300, minimum=30)
# Seconds the readiness check waits for a Celery worker to answer a ping.
HEALTH_WORKER_TIMEOUT = _int("HEALTH_WORKER_TIMEOUT", 2, minimum=1)

# --- Celery ----------------------------------------------------------------

CELERY_BROKER_URL = env.str("CELERY_BROKER_URL", default="")
if CELERY_BROKER_URL and not re.match(r"^(redis|rediss|memory)://", CELERY_BROKER_URL):
    raise ImproperlyConfigured(
        "CELERY_BROKER_URL is malformed: expected redis://host:6379/0."
    )
# No broker configured (the embedded default): tasks run in-process so the
# demo works on a bare machine; nothing else changes.
CELERY_TASK_ALWAYS_EAGER = not CELERY_BROKER_URL
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_RESULT_BACKEND = "django-db"
CELERY_RESULT_EXTENDED = False
CELERY_TASK_SERIALIZER = "json"
CELERY_RESULT_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_BEAT_SCHEDULER = "django_celery_beat.schedulers:DatabaseScheduler"
# Beat saves each task's last run as soon as it sends it (rather than every
# three minutes): /health/ready reads the sweeper's last run as beat's tick.
CELERY_BEAT_SYNC_EVERY = 1
# Workers and beat keep Django's LOGGING (its masking filter on the root's
# handlers) instead of replacing the root's handlers with their own;
# config.celery connects setup_logging for the same reason.
CELERY_WORKER_HIJACK_ROOT_LOGGER = False
CELERY_TIMEZONE = TIME_ZONE
# A message taken by a worker that then dies outright (SIGKILL, lost host)
# comes back to the queue after this long; kombu's default is an hour. The
# job protocol does not wait for it: its sweeper resumes the job from the
# database once the job's lease runs out (core/jobs/README.md).
CELERY_BROKER_TRANSPORT_OPTIONS = {"visibility_timeout": 300}

# --- Long jobs (core.jobs) -------------------------------------------------

# A running job renews its lease each time it reports progress; a job whose
# lease ran out has lost its worker. The sweeper runs every
# JOBS_SWEEP_SECONDS: it resumes such jobs (or fails them visibly after
# their kind's attempts), and sends again jobs queued for longer than
# JOBS_REQUEUE_AFTER_SECONDS whose message the broker lost.
JOBS_LEASE_SECONDS = env.int("JOBS_LEASE_SECONDS", default=90)
JOBS_SWEEP_SECONDS = env.int("JOBS_SWEEP_SECONDS", default=60)
JOBS_REQUEUE_AFTER_SECONDS = env.int("JOBS_REQUEUE_AFTER_SECONDS", default=300)
for _name in ("JOBS_LEASE_SECONDS", "JOBS_SWEEP_SECONDS", "JOBS_REQUEUE_AFTER_SECONDS"):
    if globals()[_name] < 1:
        raise ImproperlyConfigured(f"{_name} must be a whole number of seconds >= 1.")
# Fault drills only (tests/core/drills.py): "kind:seconds" makes a worker
# pause that long after each progress report of that kind of job.
JOBS_DRILL_PAUSE = env.str("JOBS_DRILL_PAUSE", default="")
if JOBS_DRILL_PAUSE and ENVIRONMENT not in ("test", "demo"):
    raise ImproperlyConfigured(
        "JOBS_DRILL_PAUSE is for fault drills only: unset it when "
        f"ECRIN_ENVIRONMENT={ENVIRONMENT}."
    )

# --- House branding --------------------------------------------------------

HOUSE_NAME = env.str("HOUSE_NAME", default="Maison Écrin")
HOUSE_LOGO = env.str("HOUSE_LOGO", default="ecrin/logo.svg")
HOUSE_PRIMARY_COLOUR = _colour("HOUSE_PRIMARY_COLOUR", "#1b2a4a")
HOUSE_ACCENT_COLOUR = _colour("HOUSE_ACCENT_COLOUR", "#b08d57")

# --- Who a person writes to about their data (the access report's page 1,
# the request letters; privacy/README.md) ------------------------------------

# The privacy contact's and the DPO's emails are PRIVACY_CONTROLLER's and
# PRIVACY_DPO's (below); transfers outside the EEA come from the boutiques
# and the transfer records (privacy.processors), one source for the
# register, the access report and the letters.
PRIVACY_POSTAL_ADDRESS = env.str(
    "PRIVACY_POSTAL_ADDRESS",
    default="Maison Écrin, Service clients, 12 place Vendôme, 75001 Paris, France",
)

# --- Security --------------------------------------------------------------

SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_SAMESITE = "Lax"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
# Secure cookies, the HTTPS redirect and HSTS are on in staging and
# production; each can be turned off for a plain-HTTP run on localhost
# (make serve says which are off when it starts).
SECURE_COOKIES = _bool("SECURE_COOKIES", _IS_DEPLOYED)
SESSION_COOKIE_SECURE = SECURE_COOKIES
CSRF_COOKIE_SECURE = SECURE_COOKIES
if _IS_DEPLOYED:
    SECURE_SSL_REDIRECT = _bool("SECURE_SSL_REDIRECT", True)
    # Load balancers probe over plain HTTP inside the network.
    SECURE_REDIRECT_EXEMPT = [r"^health/"]
    SECURE_HSTS_SECONDS = _int("SECURE_HSTS_SECONDS", 31536000)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True

SESSION_IDLE_TIMEOUT = _int("SESSION_IDLE_TIMEOUT", 30 * 60, minimum=60)
SESSION_ABSOLUTE_LIFETIME = _int("SESSION_ABSOLUTE_LIFETIME", 12 * 3600, minimum=300)
SESSION_COOKIE_AGE = SESSION_ABSOLUTE_LIFETIME

# Fernet keys for encrypted fields, newest first (rotation: prepend a new
# key, run manage.py rotate_field_keys, then drop the old one).
FIELD_ENCRYPTION_KEYS = env.list("FIELD_ENCRYPTION_KEYS", default=[])
if not FIELD_ENCRYPTION_KEYS:
    if _IS_DEPLOYED:
        raise ImproperlyConfigured(
            f"FIELD_ENCRYPTION_KEYS is required when ECRIN_ENVIRONMENT="
            f"{ENVIRONMENT}: generate one with python -c 'from "
            "cryptography.fernet import Fernet; print(Fernet.generate_key()"
            ".decode())'."
        )
    import base64
    import hashlib

    # Demo and test only: derived from the (demo) SECRET_KEY.
    FIELD_ENCRYPTION_KEYS = [
        base64.urlsafe_b64encode(
            hashlib.sha256(("fields:" + SECRET_KEY).encode()).digest()
        ).decode()
    ]

# Brute force: failures are counted per username AND address, so a
# colleague behind the same boutique address is not locked out.
AXES_FAILURE_LIMIT = _int("AXES_FAILURE_LIMIT", 5, minimum=1)
AXES_COOLOFF_TIME = timedelta(minutes=_int("AXES_COOLOFF_MINUTES", 15, minimum=1))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_CLIENT_IP_CALLABLE = "config.security.client_ip"
AXES_LOCKOUT_TEMPLATE = "registration/locked_out.html"
AXES_VERBOSE = False
# Only these direct peers may set X-Forwarded-For (the load balancer).
TRUSTED_PROXIES = frozenset(env.list("TRUSTED_PROXIES", default=[]))

OTP_TOTP_ISSUER = HOUSE_NAME
# Failed second-factor attempts are throttled per device (django-otp).
OTP_TOTP_THROTTLE_FACTOR = 1
# A signed password but no second factor yet: minutes to finish signing in.
LOGIN_PENDING_SECONDS = 300
DEFAULT_FROM_EMAIL = env.str("DEFAULT_FROM_EMAIL", default="ecrin@example.com")
# The mail backend (EMAIL_URL) is read at the end of this module: see "Mail".

# --- Logging ---------------------------------------------------------------

# json (one object per line, for a log platform) or text; every line has
# the request id (docs/decisions/0031).
LOG_FORMAT = _choice("LOG_FORMAT", "json" if _IS_DEPLOYED else "text", ("json", "text"))
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {
        "personal_data": {"()": "config.logging.PersonalDataFilter"},
        "request_id": {"()": "config.logging.RequestIdFilter"},
    },
    "formatters": {
        "text": {
            "format": "%(asctime)s %(levelname)s %(name)s [%(request_id)s] %(message)s"
        },
        "json": {"()": "config.logging.JsonFormatter"},
    },
    "handlers": {
        "console": {
            "class": "logging.StreamHandler",
            "formatter": LOG_FORMAT,
            "filters": ["personal_data", "request_id"],
        }
    },
    "root": {"handlers": ["console"], "level": env.str("LOG_LEVEL", default="INFO")},
    # Django's defaults give django and django.server handlers of their own,
    # which the masking filter would not reach (request lines carry client
    # searches); gunicorn's access and error logs likewise, and redis-py
    # adds a stdout handler to "push_response" unless the logger exists
    # (its pub/sub messages are Celery's results). All go to the root's
    # handlers. config.logging says why; tests/test_logging.py checks that
    # no logger of any process has an unmasked handler.
    "loggers": {
        name: {"handlers": [], "level": "INFO", "propagate": True}
        for name in (
            "django",
            "django.server",
            "gunicorn.access",
            "gunicorn.error",
            "push_response",
        )
    },
}

# --- Privacy and scale knobs -----------------------------------------------

ADMIN_LIST_PER_PAGE = _int("ADMIN_LIST_PER_PAGE", 50, minimum=1)
# The access log's own retention (CNIL recommends 6 months to 1 year for
# access traces; a year covers a complaint made within the year).
ACCESS_LOG_RETENTION_DAYS = _int("ACCESS_LOG_RETENTION_DAYS", 365, minimum=30)
# The erasure replay log (ids and scope only, no personal data): kept
# outside the database so erasures made after a backup can be re-applied
# to a restored copy (manage.py replay_erasures). Back it up separately.
ERASURE_REPLAY_LOG = Path(
    env.str(
        "ERASURE_REPLAY_LOG", default=str(BASE_DIR / "var" / "erasure-replay.jsonl")
    )
)
# An export of more clients than this needs the compliance role
# (clienteling.export_client), and every export is logged with its count.
# Lifetime value is kept in euros: a sale in another currency counts at
# the house's budget rate (euros for one unit), set yearly by finance.
# docs/decisions/0104.
BUDGET_RATES_EUR = _rates(
    "BUDGET_RATES_EUR",
    {
        "EUR": "1",
        "GBP": "1.17",
        "CHF": "1.06",
        "USD": "0.92",
        "JPY": "0.0061",
        "CNY": "0.127",
        "HKD": "0.118",
        "SGD": "0.69",
        "AED": "0.25",
    },
)

# Art. 30(1)(a) and 33(3)(b): the controller and the data protection
# officer, named in the register of processing and in breach notifications.
# The defaults are the demo's fictional house; a deployment sets its own.
PRIVACY_CONTROLLER = {
    "name": env.str("PRIVACY_CONTROLLER_NAME", default="Maison Écrin SAS (demo)"),
    "address": env.str(
        "PRIVACY_CONTROLLER_ADDRESS", default="12 place Vendôme, 75001 Paris, France"
    ),
    "email": env.str(
        "PRIVACY_CONTROLLER_EMAIL", default="privacy@maison-ecrin.example"
    ),
}
# Art. 27: a controller established in the EU names none; set it when
# the house has one (empty: "not applicable").
PRIVACY_REPRESENTATIVE = env.str("PRIVACY_REPRESENTATIVE", default="")
PRIVACY_DPO = {
    "name": env.str("PRIVACY_DPO_NAME", default="Data protection officer (demo)"),
    "email": env.str("PRIVACY_DPO_EMAIL", default="dpo@maison-ecrin.example"),
    "phone": env.str("PRIVACY_DPO_PHONE", default="+33 1 99 00 00 00"),
}

BULK_EXPORT_COMPLIANCE_THRESHOLD = _int(
    "BULK_EXPORT_COMPLIANCE_THRESHOLD", 100, minimum=0
)

# The suppression list stores HMAC-SHA256 digests of emails and phones under
# this key; changing it orphans every entry, so it is set once per
# installation and kept secret like SECRET_KEY.
SUPPRESSION_HASH_KEY = env.str("SUPPRESSION_HASH_KEY", default="")
if not SUPPRESSION_HASH_KEY:
    if _IS_DEPLOYED:
        raise ImproperlyConfigured(
            f"SUPPRESSION_HASH_KEY is required when ECRIN_ENVIRONMENT="
            f"{ENVIRONMENT}: set it to a long random value and never change it "
            "(python -c 'import secrets; print(secrets.token_urlsafe(50))')."
        )
    # Demo and test only: derived from the (demo) secret key.
    SUPPRESSION_HASH_KEY = "suppression:" + SECRET_KEY
# Largest accepted scan of a signed paper form, in bytes.
CONSENT_SCAN_MAX_BYTES = _int("CONSENT_SCAN_MAX_BYTES", 10 * 1024 * 1024, minimum=1)
# Days an outreach list (names and addresses of the eligible clients) can be
# downloaded; the sweep (every ten minutes) then deletes the file. Long
# enough to send a campaign, short enough that a list does not long outlive
# the objections, withdrawals and erasures recorded after it was built.
OUTREACH_LIST_DOWNLOAD_DAYS = _int("OUTREACH_LIST_DOWNLOAD_DAYS", 7, minimum=1)

# --- Website intake API (consents.api, decision 0075) ---------------------

REST_FRAMEWORK = {
    # Each view names its own authentication; nothing is open by default.
    "DEFAULT_AUTHENTICATION_CLASSES": [],
    "DEFAULT_PERMISSION_CLASSES": [],
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    "DEFAULT_PARSER_CLASSES": ["consents.api.parsers.CappedJSONParser"],
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "EXCEPTION_HANDLER": "consents.api.errors.exception_handler",
    "UNAUTHENTICATED_USER": None,
}
SPECTACULAR_SETTINGS = {
    "TITLE": "Écrin website intake API",
    "VERSION": "1",
    "DESCRIPTION": "Accounts, consents, cookie choices and web events from "
    "the house's websites (docs/decisions/0075).",
    "SERVE_INCLUDE_SCHEMA": False,
    "SCHEMA_PATH_PREFIX": "/api/v1",
}
# A call's body above this many bytes is refused (413) before it is read.
WEBSITE_API_MAX_BODY_BYTES = _int("WEBSITE_API_MAX_BODY_BYTES", 65536, minimum=1024)
# Calls per key per minute; the next one is answered 429 with Retry-After.
WEBSITE_API_CALLS_PER_MINUTE = _int("WEBSITE_API_CALLS_PER_MINUTE", 120, minimum=1)
# Hours an old key keeps working after a rotation, so the website can
# deploy the new one.
WEBSITE_API_KEY_GRACE_HOURS = _int("WEBSITE_API_KEY_GRACE_HOURS", 24, minimum=0)
# The rate-limit counters: Redis when a broker is configured (shared by
# every gunicorn worker), memory otherwise (the demo).
CACHES = {
    "default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"},
    "website_api": (
        {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": CELERY_BROKER_URL,
            "KEY_PREFIX": "website-api",
        }
        if CELERY_BROKER_URL.startswith("redis")
        else {
            "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
            "LOCATION": "website-api",
        }
    ),
}


def _cap(name: str, default: str) -> tuple[int, int]:
    """A contact-frequency cap as "2/30": at most 2 messages in 30 days."""
    raw = env.str(name, default=default).strip()
    count, _, days = raw.partition("/")
    try:
        value = (int(count), int(days))
    except ValueError:
        raise ImproperlyConfigured(
            f"{name}={raw!r} is not a cap like 2/30 (messages/days)."
        ) from None
    if value[0] < 1 or value[1] < 1:
        raise ImproperlyConfigured(f"{name}={raw!r}: both numbers must be at least 1.")
    return value


# Email campaigns (consents.campaigns, docs/decisions/0068): no client gets
# more than N marketing messages in D days, whichever adviser sends them.
OUTREACH_FREQUENCY_CAP = _cap("OUTREACH_FREQUENCY_CAP", "2/30")
# The public address the links in outreach messages point at (the one-click
# unsubscribe and the preference page live outside /admin/).
PUBLIC_BASE_URL = env.str("PUBLIC_BASE_URL", default="http://127.0.0.1:8000").rstrip(
    "/"
)
# The mailbox named in List-Unsubscribe's mailto: (read by the house).
OUTREACH_UNSUBSCRIBE_MAILTO = env.str(
    "OUTREACH_UNSUBSCRIBE_MAILTO", default="unsubscribe@maison-ecrin.example"
)
# Days an unsubscribe link works, and a preference-page link.
OUTREACH_UNSUBSCRIBE_DAYS = _int("OUTREACH_UNSUBSCRIBE_DAYS", 180, minimum=1)
OUTREACH_PREFERENCES_DAYS = _int("OUTREACH_PREFERENCES_DAYS", 30, minimum=1)

# --- Group and partner sharing (privacy.sharing) ----------------------------


def _sharing_keys(name: str) -> dict[str, list[tuple[str, str]]]:
    """Parse recipient:key_id:secret entries, newest key first per recipient.

    A recipient is "group" (the parent group) or a partner's code. Pseudonyms
    are HMAC-SHA256 of the client's id under the recipient's newest key;
    older keys are kept so insights and withdrawals keyed under them still
    resolve during a rotation.
    """
    keys: dict[str, list[tuple[str, str]]] = {}
    for entry in env.list(name, default=[]):
        parts = entry.strip().split(":", 2)
        if len(parts) != 3 or not all(parts):
            raise ImproperlyConfigured(
                f"{name} has an entry that is not recipient:key_id:secret "
                "(e.g. group:2026a:<at least 32 random characters>)."
            )
        recipient, key_id, secret = parts
        if not re.fullmatch(r"[a-z0-9][a-z0-9-]{0,49}", recipient):
            raise ImproperlyConfigured(
                f"{name}: recipient {recipient!r} must be 'group' or a partner "
                "code (lower-case letters, digits, dashes)."
            )
        if not re.fullmatch(r"[A-Za-z0-9][A-Za-z0-9_-]{0,19}", key_id):
            raise ImproperlyConfigured(
                f"{name}: key id {key_id!r} of {recipient} must be 1 to 20 "
                "letters, digits, dashes or underscores."
            )
        if len(secret) < 32:
            raise ImproperlyConfigured(
                f"{name}: the secret of {recipient}:{key_id} is shorter than "
                "32 characters."
            )
        if any(known == key_id for known, _ in keys.get(recipient, [])):
            raise ImproperlyConfigured(
                f"{name}: key id {key_id!r} appears twice for {recipient}."
            )
        keys.setdefault(recipient, []).append((key_id, secret))
    return keys


SHARING_KEYS = _sharing_keys("SHARING_KEYS")
if "group" not in SHARING_KEYS and _IS_DEPLOYED:
    raise ImproperlyConfigured(
        f"SHARING_KEYS is required when ECRIN_ENVIRONMENT={ENVIRONMENT}: set "
        "group:<key id>:<secret> (and one entry per partner), e.g. "
        "group:2026a:$(python -c 'import secrets; "
        "print(secrets.token_urlsafe(48))')."
    )
# Demo and test only, and only while no key is configured at all: each
# recipient gets a key derived from the (demo) SECRET_KEY.
SHARING_DEMO_KEYS = not SHARING_KEYS and not _IS_DEPLOYED
# Where export batches are written; empty means PRIVATE_STORAGE_ROOT/sharing.
SHARING_EXPORT_ROOT = env.str("SHARING_EXPORT_ROOT", default="")

# --- Mail --------------------------------------------------------------------

# Password-reset mail carries a sign-in link: a deployment must send it to an
# SMTP server, never print it to a log. The demo prints it to the console
# (that is how its users read the link); a test run collects it in memory.
_SMTP_SCHEMES = ("smtp", "smtps", "smtp+tls", "smtp+ssl")
_EMAIL_EXAMPLE = "smtp+tls://user:password@smtp.example.com:587"


def _email(name: str) -> dict:
    """EMAIL_URL: required SMTP in staging/production, console by default."""
    if env.str("EMAIL_BACKEND", default=""):
        raise ImproperlyConfigured(
            f"EMAIL_BACKEND is no longer read: set {name} instead (e.g. "
            f"{_EMAIL_EXAMPLE}, or consolemail:// for the demo)."
        )
    raw = env.str(name, default="").strip()
    if not raw and _IS_DEPLOYED:
        raise ImproperlyConfigured(
            f"{name} is required when ECRIN_ENVIRONMENT={ENVIRONMENT}: set it "
            f"to the SMTP server that sends password-reset mail, e.g. "
            f"{_EMAIL_EXAMPLE}."
        )
    raw = raw or "consolemail://"
    scheme = raw.split("://", 1)[0] if "://" in raw else ""
    allowed = _SMTP_SCHEMES if _IS_DEPLOYED else (*_SMTP_SCHEMES, "consolemail")
    if scheme not in allowed:
        # The URL may hold a password: name the variable and the scheme only.
        raise ImproperlyConfigured(
            f"{name} has scheme {scheme or 'missing'!r}, not allowed when "
            f"ECRIN_ENVIRONMENT={ENVIRONMENT}: use one of {', '.join(allowed)} "
            f"(e.g. {_EMAIL_EXAMPLE})."
        )
    try:
        config = environ.Env.email_url_config(raw)
    except Exception as exc:  # noqa: BLE001 - environ raises several types
        raise ImproperlyConfigured(
            f"{name} is malformed: {type(exc).__name__}."
        ) from None
    if scheme in _SMTP_SCHEMES and not config.get("EMAIL_HOST"):
        raise ImproperlyConfigured(f"{name} is malformed: no SMTP host.")
    return config


_EMAIL_CONFIG = _email("EMAIL_URL")
EMAIL_BACKEND = _EMAIL_CONFIG["EMAIL_BACKEND"]
EMAIL_HOST = _EMAIL_CONFIG.get("EMAIL_HOST") or "localhost"
EMAIL_PORT = _EMAIL_CONFIG.get("EMAIL_PORT") or 25
EMAIL_HOST_USER = _EMAIL_CONFIG.get("EMAIL_HOST_USER") or ""
EMAIL_HOST_PASSWORD = _EMAIL_CONFIG.get("EMAIL_HOST_PASSWORD") or ""
EMAIL_USE_TLS = bool(_EMAIL_CONFIG.get("EMAIL_USE_TLS"))
EMAIL_USE_SSL = bool(_EMAIL_CONFIG.get("EMAIL_USE_SSL"))
# Seconds before a password-reset request gives up on an unreachable server.
EMAIL_TIMEOUT = 30
