"""Settings for the mentoring programme, read from the environment.

Every secret comes from an environment variable or from a file named by
``<NAME>_FILE``. There are no production defaults for secrets: start-up fails
and names each one that is missing. ``make run`` writes a development ``.env``
with freshly generated keys.
"""

from pathlib import Path

import environ
from django.core.exceptions import ImproperlyConfigured
from django.utils.csp import CSP

BASE_DIR = Path(__file__).resolve().parent.parent

env = environ.FileAwareEnv()
_env_file = env.str("DJANGO_ENV_FILE", default=str(BASE_DIR / ".env"))
if _env_file and Path(_env_file).is_file():
    # Values already in the environment win over the file.
    environ.Env.read_env(_env_file)

DEBUG = env.bool("DJANGO_DEBUG", default=False)

REQUIRED_SECRETS = ("SECRET_KEY", "FIELD_ENCRYPTION_KEYS", "BLIND_INDEX_KEY")
_missing = [name for name in REQUIRED_SECRETS if not env.str(name, default="").strip()]
if _missing:
    raise ImproperlyConfigured(
        "Missing required secret settings: "
        + ", ".join(_missing)
        + ". Set each as an environment variable, or set <NAME>_FILE to the path of a file "
        "that contains it. For development, 'make run' writes a .env file with new keys."
    )

SECRET_KEY = env.str("SECRET_KEY").strip()
# Comma-separated Fernet keys: the first encrypts, every key decrypts.
FIELD_ENCRYPTION_KEYS = [
    key.strip() for key in env.str("FIELD_ENCRYPTION_KEYS").split(",") if key.strip()
]
BLIND_INDEX_KEY = env.str("BLIND_INDEX_KEY").strip()

# The address of the site as applicants see it, used in links sent by e-mail.
SITE_URL = env.str("SITE_URL", default="http://127.0.0.1:8000" if DEBUG else "")
if not SITE_URL:
    raise ImproperlyConfigured(
        "Missing setting SITE_URL: set it to the public address of the site, "
        "for example https://mentoring.example.org."
    )

ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["127.0.0.1", "localhost"] if DEBUG else [])
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "bootstrap",
    "crispy_forms",
    "crispy_bootstrap5",
    "django_countries",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "axes",
    "django_tasks_db",
    "programme.core",
    "programme.applications",
    "programme.letters",
    "programme.vetting",
    "programme.matching",
    "programme.feedback",
    "programme.meetings",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "django.middleware.csp.ContentSecurityPolicyMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    # Last, as django-axes requires, so it sees every failed sign-in.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "mentoring.urls"
WSGI_APPLICATION = "mentoring.wsgi.application"

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
                "programme.core.context_processors.programme",
            ],
        },
    },
]

# SQLite by default; DATABASE_URL (postgres://...) selects PostgreSQL through psycopg 3.
DATABASES = {
    "default": env.db_url("DATABASE_URL", default=f"sqlite:///{BASE_DIR / 'db.sqlite3'}"),
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    DATABASES["default"]["OPTIONS"] = {
        # IMMEDIATE takes the write lock when a transaction starts, so two writers
        # queue instead of failing halfway with "database is locked".
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
        "init_command": (
            "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA foreign_keys=ON;"
        ),
    }
DATABASES["default"]["ATOMIC_REQUESTS"] = False
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# Staff sign-in: a password and a TOTP code (django-otp), with lockout after
# repeated failures (django-axes), counted per user name and client address.
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
AXES_FAILURE_LIMIT = env.int("AXES_FAILURE_LIMIT", default=5)
AXES_COOLOFF_TIME = env.float("AXES_COOLOFF_HOURS", default=0.5)
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
# A plain page, sent with status 429, that says how long to wait and whom to contact.
AXES_LOCKOUT_TEMPLATE = "axes/lockout.html"
# NOTE: axes counts failures per REMOTE_ADDR (django-ipware is not installed).
# Behind a reverse proxy that is the proxy's address, so the failures of every
# client for one user name add up.

# Shown as the account's name in authenticator apps.
OTP_TOTP_ISSUER = env.str("OTP_TOTP_ISSUER", default="Mentoring programme")
# The admin never shows a TOTP secret or QR code. `manage.py add_totp_device` prints them.
OTP_ADMIN_HIDE_SENSITIVE_DATA = True
# Development only: sign staff in without a TOTP code. A system check fails
# when this is on while DJANGO_DEBUG is off.
STAFF_TOTP_RELAXED = env.bool("STAFF_TOTP_RELAXED", default=False)

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 12},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LANGUAGE_CODE = "en-gb"
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "static"]

CRISPY_ALLOWED_TEMPLATE_PACKS = "bootstrap5"
CRISPY_TEMPLATE_PACK = "bootstrap5"

# Mail: Django 6.1's MAILERS. The backend is SMTP unless MAIL_BACKEND names another.
DEFAULT_FROM_EMAIL = env.str("DEFAULT_FROM_EMAIL", default="mentoring@example.org")
SERVER_EMAIL = env.str("SERVER_EMAIL", default=DEFAULT_FROM_EMAIL)
MAILERS = {
    "default": {
        "BACKEND": env.str("MAIL_BACKEND", default="django.core.mail.backends.smtp.EmailBackend"),
        "OPTIONS": {},
    },
}
if MAILERS["default"]["BACKEND"].endswith("smtp.EmailBackend"):
    MAILERS["default"]["OPTIONS"] = {
        "host": env.str("MAIL_HOST", default="localhost"),
        "port": env.int("MAIL_PORT", default=25),
        "username": env.str("MAIL_USER", default=""),
        "password": env.str("MAIL_PASSWORD", default=""),
        "use_tls": env.bool("MAIL_USE_TLS", default=False),
        "use_ssl": env.bool("MAIL_USE_SSL", default=False),
        "timeout": env.int("MAIL_TIMEOUT", default=30),
    }

# Background work: django.tasks stored in the database; `manage.py db_worker` runs it.
TASKS = {
    "default": {
        "BACKEND": env.str("TASKS_BACKEND", default="django_tasks_db.DatabaseBackend"),
    },
}
# Letters: attempts before a letter counts as failed, and the first retry's
# delay in seconds, doubled for each later attempt.
LETTER_MAX_ATTEMPTS = env.int("LETTER_MAX_ATTEMPTS", default=5)
LETTER_RETRY_BASE_SECONDS = env.int("LETTER_RETRY_BASE_SECONDS", default=60)

# Security headers and cookies. SECURE_TRANSPORT=false serves plain HTTP, for
# development and for tests against a local server; production leaves it on.
SECURE_TRANSPORT = env.bool("SECURE_TRANSPORT", default=not DEBUG)
SECURE_SSL_REDIRECT = SECURE_TRANSPORT
SESSION_COOKIE_SECURE = SECURE_TRANSPORT
CSRF_COOKIE_SECURE = SECURE_TRANSPORT
SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=31536000 if SECURE_TRANSPORT else 0)
SECURE_HSTS_INCLUDE_SUBDOMAINS = SECURE_TRANSPORT
SECURE_HSTS_PRELOAD = SECURE_TRANSPORT
if env.bool("BEHIND_TLS_PROXY", default=False):
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
SESSION_COOKIE_AGE = 60 * 60 * 8
CSRF_COOKIE_HTTPONLY = True
CSRF_COOKIE_SAMESITE = "Lax"

# No inline script or style anywhere: everything comes from our own static files.
SECURE_CSP = {
    "default-src": [CSP.SELF],
    "script-src": [CSP.SELF],
    "style-src": [CSP.SELF],
    # Bootstrap draws form icons as data: SVG images from its stylesheet.
    "img-src": [CSP.SELF, "data:"],
    "font-src": [CSP.SELF],
    "connect-src": [CSP.SELF],
    "form-action": [CSP.SELF],
    "object-src": [CSP.NONE],
    "base-uri": [CSP.NONE],
    "frame-ancestors": [CSP.NONE],
}

DATA_UPLOAD_MAX_MEMORY_SIZE = 256 * 1024
DATA_UPLOAD_MAX_NUMBER_FIELDS = 200
FILE_UPLOAD_MAX_MEMORY_SIZE = 256 * 1024

# Public application forms: the shortest plausible time to fill one in, and how
# many submissions one client address may make per hour.
APPLICATION_MIN_FILL_SECONDS = env.int("APPLICATION_MIN_FILL_SECONDS", default=5)
APPLICATION_RATE_LIMIT_PER_HOUR = env.int("APPLICATION_RATE_LIMIT_PER_HOUR", default=10)
# How long the link in the acknowledgement e-mail confirms an address.
ADDRESS_CONFIRMATION_MAX_AGE_DAYS = env.int("ADDRESS_CONFIRMATION_MAX_AGE_DAYS", default=30)

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env.str("LOG_LEVEL", default="INFO")},
    "loggers": {
        # Django's own configuration gives "django" a console handler too, so
        # without this each of its lines (and the task worker's) prints twice.
        "django": {
            "handlers": ["console"],
            "level": env.str("LOG_LEVEL", default="INFO"),
            "propagate": False,
        },
        # WeasyPrint reports every rendering step at INFO.
        "weasyprint": {"level": "WARNING"},
        "fontTools": {"level": "WARNING"},
    },
}
