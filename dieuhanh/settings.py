"""Django settings, read from the environment (see README for every variable).

SQLite under ``var/`` by default (WAL mode), PostgreSQL with ``DATABASE_URL``.
DEBUG is off unless ``DIEUHANH_DEBUG`` says otherwise.
"""

from __future__ import annotations

import secrets
from pathlib import Path

import dj_database_url
from django.utils.translation import gettext_lazy as _

from dieuhanh.lib.env import env_bool, env_int, env_list, env_path, env_secret, env_str

PACKAGE_DIR = Path(__file__).resolve().parent
BASE_DIR = PACKAGE_DIR.parent
VAR_DIR = env_path("DIEUHANH_VAR", BASE_DIR / "var")

DEBUG = env_bool("DIEUHANH_DEBUG", False)
SECRET_KEY = env_secret("SECRET_KEY") or ""
if not SECRET_KEY:
    # A per-machine key kept under var/: sessions survive restarts without a
    # secret ever being committed. Production sets SECRET_KEY.
    _key_file = VAR_DIR / "secret_key"
    try:
        VAR_DIR.mkdir(parents=True, exist_ok=True)
        if not _key_file.exists():
            _key_file.write_text(secrets.token_urlsafe(50), encoding="utf-8")
            _key_file.chmod(0o600)
        SECRET_KEY = _key_file.read_text(encoding="utf-8").strip()
    except OSError:
        SECRET_KEY = secrets.token_urlsafe(50)

ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", ["127.0.0.1", "localhost", "[::1]", "testserver"])
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", [])

INSTALLED_APPS = [
    # Before django.contrib.auth: its changepassword and createsuperuser commands are replaced by
    # audited ones of the same name (the first app that has a command wins).
    "dieuhanh.accounts",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "dieuhanh.web",
    "dieuhanh.orgs",
    "dieuhanh.documents",
    "dieuhanh.tasks",
    "dieuhanh.reports",
    "dieuhanh.evaluation",
    "dieuhanh.drafts",
    "dieuhanh.api",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_otp.plugins.otp_static",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "dieuhanh.accounts.request_meta.RequestMetaMiddleware",  # address and user agent for audit rows
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "dieuhanh.web.middleware.SecurityHeadersMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "dieuhanh.web.middleware.VietnameseFirstMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    # Before any middleware or view reads the body (CsrfViewMiddleware does, in process_view).
    "dieuhanh.web.limits.RequestBodyLimitMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "dieuhanh.accounts.middleware.IdleTimeoutMiddleware",
    "dieuhanh.accounts.gate.AccountGateMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
]

ROOT_URLCONF = "dieuhanh.urls"
WSGI_APPLICATION = "dieuhanh.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "dieuhanh.web.context.navigation",
                "dieuhanh.tasks.views_notifications.notifications_context",
            ],
        },
    },
]

# --- database -----------------------------------------------------------------
DATABASE_URL = env_str("DATABASE_URL")
if DATABASE_URL:
    DATABASES = {"default": dj_database_url.parse(DATABASE_URL, conn_max_age=env_int("DB_CONN_MAX_AGE", 60))}
else:
    VAR_DIR.mkdir(parents=True, exist_ok=True)
    DATABASES = {
        "default": {
            "ENGINE": "django.db.backends.sqlite3",
            "NAME": env_path("SQLITE_PATH", VAR_DIR / "dieuhanh.sqlite3"),
            # WAL lets readers proceed during a write; IMMEDIATE takes the write lock
            # at BEGIN so two writers queue instead of failing half-way.
            "OPTIONS": {
                "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA busy_timeout=5000;",
                "transaction_mode": "IMMEDIATE",
            },
        }
    }
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- accounts and security ------------------------------------------------------
AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = ["dieuhanh.accounts.backends.UnitAwareBackend"]
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "web:home"
LOGOUT_REDIRECT_URL = "accounts:login"
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 10}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
DIEUHANH_IDLE_MINUTES = env_int("DIEUHANH_IDLE_MINUTES", 60)
CSRF_FAILURE_VIEW = "dieuhanh.accounts.views.auth.csrf_failure"
# Login throttling (dieuhanh/accounts/lockout.py): a username from one address, an address across
# usernames, and a username from everywhere (which only slows down, never locks).
LOGIN_MAX_FAILURES = env_int("LOGIN_MAX_FAILURES", 5)
LOGIN_LOCKOUT_MINUTES = env_int("LOGIN_LOCKOUT_MINUTES", 15)
LOGIN_LOCKOUT_MAX_MINUTES = env_int("LOGIN_LOCKOUT_MAX_MINUTES", 24 * 60)
LOGIN_IP_MAX_FAILURES = env_int("LOGIN_IP_MAX_FAILURES", 20)
LOGIN_USERNAME_SLOW_AFTER = env_int("LOGIN_USERNAME_SLOW_AFTER", 30)
LOGIN_USERNAME_SLOW_SECONDS = env_int("LOGIN_USERNAME_SLOW_SECONDS", 30)
# Addresses of reverse proxies whose X-Forwarded-For is believed (e.g. "127.0.0.1" for nginx on the
# same machine; CIDR ranges allowed). Empty: the client address is REMOTE_ADDR, X-Forwarded-For ignored.
TRUSTED_PROXIES = env_list("TRUSTED_PROXIES", [])
PASSWORD_RESET_TIMEOUT = env_int("PASSWORD_RESET_TIMEOUT", 3600)  # seconds a reset link stays valid
# Roles that must use two-factor authentication (TOTP). Production default: administrators and the
# committees' leaders; the demo and the tests turn it off (an empty value).
TWO_FACTOR_REQUIRED_ROLES = env_list("TWO_FACTOR_REQUIRED_ROLES", ["quan_tri", "lanh_dao_ubnd"])
OTP_TOTP_ISSUER = env_str("OTP_TOTP_ISSUER", "Điều hành")
SESSION_COOKIE_AGE = env_int("SESSION_COOKIE_AGE", 8 * 3600)
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_SAMESITE = "Lax"
BEHIND_TLS = env_bool("BEHIND_TLS", False)
SESSION_COOKIE_SECURE = BEHIND_TLS
CSRF_COOKIE_SECURE = BEHIND_TLS
SECURE_SSL_REDIRECT = BEHIND_TLS and env_bool("SECURE_SSL_REDIRECT", True)
SECURE_HSTS_SECONDS = 31536000 if BEHIND_TLS else 0
SECURE_HSTS_INCLUDE_SUBDOMAINS = BEHIND_TLS
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https") if BEHIND_TLS else None
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
CONTENT_SECURITY_POLICY = (
    "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; "
    "form-action 'self'; frame-ancestors 'none'; base-uri 'self'; object-src 'none'"
)

# --- i18n: Vietnamese first -------------------------------------------------------
LANGUAGE_CODE = "vi"
LANGUAGES = [("vi", _("Tiếng Việt")), ("en", _("English"))]
LOCALE_PATHS = [PACKAGE_DIR / "locale"]
USE_I18N = True
TIME_ZONE = env_str("TIME_ZONE", "Asia/Ho_Chi_Minh")
USE_TZ = True
DATE_INPUT_FORMATS = ["%d/%m/%Y", "%d-%m-%Y", "%Y-%m-%d"]
FORMAT_MODULE_PATH = ["dieuhanh.formats"]

# --- files ------------------------------------------------------------------------
STATIC_URL = "/static/"
STATIC_ROOT = env_path("STATIC_ROOT", VAR_DIR / "static")
STATIC_ROOT.mkdir(parents=True, exist_ok=True)  # WhiteNoise warns about a missing root
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedStaticFilesStorage"},
}
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = False
MEDIA_ROOT = env_path("MEDIA_ROOT", VAR_DIR / "media")
MEDIA_URL = "/media/"  # never served directly: attachments go through permission checks
# One limit for every uploaded file: the forms, the API and the request-body cap all read it.
UPLOAD_MAX_BYTES = max(env_int("UPLOAD_MAX_BYTES", 25 * 1024 * 1024), 1)
DATA_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
# The request-body cap (dieuhanh.web.limits), checked before anything is read or written:
# a logged-in user's body may hold one upload plus the form's other fields
# (UPLOAD_MAX_BYTES + REQUEST_FIELDS_MAX_BYTES); a caller who is not logged in only ever
# posts small forms (login, password reset).
REQUEST_FIELDS_MAX_BYTES = 1024 * 1024
ANONYMOUS_BODY_MAX_BYTES = env_int("ANONYMOUS_BODY_MAX_BYTES", 64 * 1024)
FILE_UPLOAD_HANDLERS = [
    "dieuhanh.web.limits.BoundedUploadHandler",
    "django.core.files.uploadhandler.MemoryFileUploadHandler",
    "django.core.files.uploadhandler.TemporaryFileUploadHandler",
]

# --- tasks ------------------------------------------------------------------------
# "trước ngày X": strict (the last allowed day is the day before X) unless a province reads it inclusively.
TASKS_BEFORE_INCLUSIVE = env_bool("TASKS_BEFORE_INCLUSIVE", False)
TASKS_REMIND_DAYS_BEFORE = env_int("TASKS_REMIND_DAYS_BEFORE", 3)       # working days
TASKS_ACK_WITHIN_DAYS = env_int("TASKS_ACK_WITHIN_DAYS", 2)             # working days to acknowledge
TASKS_ESCALATE_UNIT_HEAD_DAYS = env_int("TASKS_ESCALATE_UNIT_HEAD_DAYS", 3)
TASKS_ESCALATE_LEADER_DAYS = env_int("TASKS_ESCALATE_LEADER_DAYS", 7)
# Overdue work is chased on its first overdue working day, then every so many working days.
TASKS_OVERDUE_REPEAT_DAYS = env_int("TASKS_OVERDUE_REPEAT_DAYS", 5)
# Read notifications older than this are deleted by the worker (unread ones are kept).
NOTIFICATIONS_KEEP_MONTHS = env_int("NOTIFICATIONS_KEEP_MONTHS", 12)

# --- drafts: PKCS#12 certificates that sign rendered PDFs (dieuhanh/drafts/signing.py). Entries
# "user:<username>=<file.p12>=<ENV VAR holding the passphrase>" and "unit:<unit code>=…", ";"-separated.
DRAFTS_SIGNING_CERTS = env_str("DIEUHANH_SIGNING_CERTS", "")

SITE_URL = env_str("SITE_URL", "")  # public address used in e-mail links, e.g. https://dieuhanh.example.gov.vn

# --- email ------------------------------------------------------------------------
EMAIL_BACKEND = env_str("EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend")
EMAIL_HOST = env_str("EMAIL_HOST", "localhost")
EMAIL_PORT = env_int("EMAIL_PORT", 25)
EMAIL_HOST_USER = env_str("EMAIL_HOST_USER")
EMAIL_HOST_PASSWORD = env_secret("EMAIL_HOST_PASSWORD", "") or ""
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", False)
DEFAULT_FROM_EMAIL = env_str("DEFAULT_FROM_EMAIL", "dieuhanh@localhost")

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env_str("LOG_LEVEL", "WARNING")},
}
