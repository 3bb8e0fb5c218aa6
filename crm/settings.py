"""Settings for the CRM.

Everything comes from environment variables with defaults for the embedded mode (SQLite,
eager Celery, DEBUG on). Set ``CRM_ENV=production`` for a real deployment: the secret key and
allowed hosts must then be given, DEBUG is off and the security settings are on.
"""

import os
from datetime import timedelta
from pathlib import Path

import dj_database_url
from csp.constants import NONE, SELF, UNSAFE_INLINE
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(os.environ.get("CRM_VAR_DIR", BASE_DIR / "var"))


def env_bool(name, default=False):
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_list(name, default=""):
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


PRODUCTION = os.environ.get("CRM_ENV", "development") == "production"
DEFAULT_SECRET_KEY = "embedded-mode-only-not-for-production"  # noqa: S105

SECRET_KEY = os.environ.get("SECRET_KEY", DEFAULT_SECRET_KEY)
DEBUG = env_bool("DJANGO_DEBUG", default=not PRODUCTION)
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", "" if PRODUCTION else "127.0.0.1,localhost,testserver")
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS")

if PRODUCTION:
    if SECRET_KEY == DEFAULT_SECRET_KEY or len(SECRET_KEY) < 32:
        raise ImproperlyConfigured("Set SECRET_KEY (at least 32 characters) in production.")
    if DEBUG:
        raise ImproperlyConfigured("DJANGO_DEBUG must be off in production.")
    if not ALLOWED_HOSTS:
        raise ImproperlyConfigured("Set ALLOWED_HOSTS in production.")
    if "*" in ALLOWED_HOSTS:
        raise ImproperlyConfigured("ALLOWED_HOSTS must name the site's host names in production, not '*'.")

# Django's own admin site bypasses the CRM's rules, data scopes and operation log: it is routed
# only when asked for (always in the embedded mode, in production only with this setting).
CRM_ENABLE_DJANGO_ADMIN = env_bool("CRM_ENABLE_DJANGO_ADMIN", default=not PRODUCTION)

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django_htmx",
    "django_filters",
    "rest_framework",
    "rest_framework.authtoken",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "auditlog",
    "axes",
    "crm.core",
    "crm.accounts",
    "crm.dictionary",
    "crm.customers",
    "crm.catalog",
    "crm.sales",
    "crm.service",
    "crm.reports",
    "crm.devtools",
    "crm.audit",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "csp.middleware.CSPMiddleware",
    "django_permissions_policy.PermissionsPolicyMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "crm.core.middleware.SessionTimeoutMiddleware",
    "crm.core.middleware.NoStoreMiddleware",
    "crm.accounts.middleware.UserLanguageMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "crm.audit.middleware.AuditlogMiddleware",
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "crm.urls"
WSGI_APPLICATION = "crm.wsgi.application"
ASGI_APPLICATION = "crm.asgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "crm" / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.debug",
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "crm.core.context_processors.navigation",
            ],
        },
    },
]

# Database: embedded SQLite unless DATABASE_URL names another (PostgreSQL in production).
DATABASES = {
    "default": dj_database_url.config(
        default=f"sqlite:///{VAR_DIR / 'crm.sqlite3'}",
        conn_max_age=0,
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql" and env_bool("DB_POOL"):
    # Django's own psycopg pool; conn_max_age must stay 0 with it.
    DATABASES["default"].setdefault("OPTIONS", {})["pool"] = True
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    DATABASES["default"].setdefault("OPTIONS", {}).update(
        {"timeout": 20, "transaction_mode": "IMMEDIATE", "init_command": "PRAGMA journal_mode=WAL;"}
    )

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = [
    # Axes first so a locked-out login is refused before the password is checked.
    "axes.backends.AxesStandaloneBackend",
    "crm.accounts.backends.RoleBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 8}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "accounts:login"

# Login lockout: ten failures in a row for one username from one address, fifteen minutes.
AXES_FAILURE_LIMIT = int(os.environ.get("AXES_FAILURE_LIMIT", 10))
AXES_COOLOFF_TIME = timedelta(minutes=int(os.environ.get("AXES_COOLOFF_MINUTES", 15)))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_CALLABLE = "crm.accounts.views.locked_out"
AXES_USERNAME_FORM_FIELD = "username"
# Failures count against the account, whether its username or its mobile number was typed.
AXES_USERNAME_CALLABLE = "crm.accounts.backends.lockout_username"
AXES_VERBOSE = False
# Behind a reverse proxy, the number of proxies in front of the app: the client address is then
# read from X-Forwarded-For, so the lockout is per user and address, not per proxy.
# Without a proxy the header is ignored, so a client cannot dodge the lockout by forging it.
AXES_IPWARE_PROXY_COUNT = int(os.environ.get("AXES_PROXY_COUNT", 0)) or None
AXES_IPWARE_META_PRECEDENCE_ORDER = (
    ["HTTP_X_FORWARDED_FOR", "REMOTE_ADDR"] if AXES_IPWARE_PROXY_COUNT else ["REMOTE_ADDR"]
)

# Churn warning: a customer with no order for this many months gets a warning (R-LOST-1).
CRM_CHURN_MONTHS = int(os.environ.get("CRM_CHURN_MONTHS", 6))

# Internationalisation
LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", "简体中文"), ("en", "English")]
LOCALE_PATHS = [BASE_DIR / "crm" / "locale"]
TIME_ZONE = os.environ.get("TIME_ZONE", "Asia/Shanghai")
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = Path(os.environ.get("STATIC_ROOT", BASE_DIR / "staticfiles"))
STATICFILES_DIRS = [BASE_DIR / "crm" / "static"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "whitenoise.storage.CompressedManifestStaticFilesStorage"
            if PRODUCTION
            else "django.contrib.staticfiles.storage.StaticFilesStorage"
        )
    },
}
WHITENOISE_USE_FINDERS = not PRODUCTION  # serve app static files without collectstatic when embedded
MEDIA_URL = "media/"
MEDIA_ROOT = Path(os.environ.get("MEDIA_ROOT", VAR_DIR / "media"))

# Cache and sessions: Redis when REDIS_URL is set (shared by every app server), else local memory.
REDIS_URL = os.environ.get("REDIS_URL", "")
if REDIS_URL:
    CACHES = {"default": {"BACKEND": "django_redis.cache.RedisCache", "LOCATION": REDIS_URL}}
    SESSION_ENGINE = "django.contrib.sessions.backends.cached_db"
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

# Celery: a broker when configured; otherwise tasks run in-process (eager).
CELERY_BROKER_URL = os.environ.get("CELERY_BROKER_URL", "")
CELERY_RESULT_BACKEND = os.environ.get("CELERY_RESULT_BACKEND", "") or None
CELERY_TASK_ALWAYS_EAGER = not CELERY_BROKER_URL
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_TIMEZONE = TIME_ZONE
# Scheduled jobs: each also exists as a management command (see docs/operations.md).
CELERY_BEAT_SCHEDULE = {
    "open-churn-warnings": {"task": "crm.customers.tasks.open_churn_warnings", "schedule": timedelta(hours=24)},
    "clear-expired-sessions": {
        "task": "crm.accounts.tasks.clear_expired_sessions",
        "schedule": timedelta(hours=24),
    },
}

# REST API
# API tokens older than this many days are refused (401) and replaced on the next
# POST /api/v1/auth/token/; 0 keeps them until revoked.
API_TOKEN_MAX_AGE_DAYS = int(os.environ.get("API_TOKEN_MAX_AGE_DAYS", 90))

REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        # Token first: its challenge makes an unauthenticated call answer 401, not 403.
        "crm.accounts.authentication.ExpiringTokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": [
        "rest_framework.permissions.IsAuthenticated",
        "crm.core.api_settings.RolePermissions",
    ],
    "DEFAULT_FILTER_BACKENDS": [
        "crm.core.filters.CrmFilterBackend",  # refuses ill-typed filter values; an unknown id finds nothing
        "rest_framework.filters.OrderingFilter",
        "rest_framework.filters.SearchFilter",
    ],
    # Bodies are JSON: the schema's types can be checked (a form sends every value as text).
    # 400, not 500, for JSON nested too deeply.
    "DEFAULT_PARSER_CLASSES": ["crm.core.api_settings.JSONParser"],
    "TEST_REQUEST_DEFAULT_FORMAT": "json",
    "DEFAULT_PAGINATION_CLASS": "crm.core.api_settings.StandardPagination",
    "PAGE_SIZE": 20,
    "DEFAULT_SCHEMA_CLASS": "crm.core.schema.CrmAutoSchema",
    "EXCEPTION_HANDLER": "crm.core.api.exception_handler",
}
SPECTACULAR_SETTINGS = {
    "TITLE": "CRM API",
    "DESCRIPTION": _("REST API of the CRM. Every endpoint applies the caller's permissions and data scope."),
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    # The schema describes every endpoint: only signed-in users (or token holders) read it.
    "SERVE_PERMISSIONS": ["rest_framework.permissions.IsAuthenticated"],
    "COMPONENT_SPLIT_REQUEST": True,
    # Swagger UI served from our own static files (no CDN).
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
}

MESSAGE_TAGS = {40: "danger"}
FILTERS_EMPTY_CHOICE_LABEL = _("All")

# Security: on in production, harmless in the embedded mode.
SESSION_COOKIE_HTTPONLY = True
# A sign-in lasts at most CRM_SESSION_HOURS, and ends after CRM_SESSION_IDLE_MINUTES without a
# request (crm.core.middleware.SessionTimeoutMiddleware).
SESSION_COOKIE_AGE = int(float(os.environ.get("CRM_SESSION_HOURS", 12)) * 3600)
CRM_SESSION_IDLE_SECONDS = int(float(os.environ.get("CRM_SESSION_IDLE_MINUTES", 120)) * 60)
LANGUAGE_COOKIE_HTTPONLY = True
LANGUAGE_COOKIE_SAMESITE = "Lax"
LANGUAGE_COOKIE_SECURE = PRODUCTION
CSRF_COOKIE_HTTPONLY = False
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
if PRODUCTION:
    SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", True)
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_HSTS_SECONDS = int(os.environ.get("SECURE_HSTS_SECONDS", 31536000))
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True

# Content-Security-Policy (django-csp): scripts, styles, fonts, images and requests only from the
# CRM itself; no inline or eval'd script (page behaviour is in static/crm/app.js, Alpine is its
# CSP build). Inline styles stay allowed: templates size bars and charts with style attributes,
# and ECharts, Tom Select and Swagger UI write styles of their own. See docs/architecture.md.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF, UNSAFE_INLINE],
        "img-src": [SELF, "data:"],
        "font-src": [SELF],
        "connect-src": [SELF],
        "object-src": [NONE],
        "base-uri": [SELF],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
    }
}
# Permissions-Policy (django-permissions-policy): the CRM uses no device or browser feature.
PERMISSIONS_POLICY = {
    feature: []
    for feature in (
        "accelerometer",
        "ambient-light-sensor",
        "autoplay",
        "camera",
        "display-capture",
        "encrypted-media",
        "fullscreen",
        "geolocation",
        "gyroscope",
        "magnetometer",
        "microphone",
        "midi",
        "payment",
        "picture-in-picture",
        "publickey-credentials-get",
        "screen-wake-lock",
        "serial",
        "usb",
        "xr-spatial-tracking",
    )
}

# Uploads: a real size limit (FILE_UPLOAD_MAX_MEMORY_SIZE only decides memory vs. disk).
CRM_MAX_UPLOAD_BYTES = int(os.environ.get("CRM_MAX_UPLOAD_MB", 20)) * 1024 * 1024
DATA_UPLOAD_MAX_MEMORY_SIZE = CRM_MAX_UPLOAD_BYTES
FILE_UPLOAD_HANDLERS = [
    "crm.core.uploads.UploadSizeLimitHandler",  # stores nothing of a file past CRM_MAX_UPLOAD_BYTES
    "django.core.files.uploadhandler.MemoryFileUploadHandler",
    "django.core.files.uploadhandler.TemporaryFileUploadHandler",
]
# Caps on what an uploaded spreadsheet may hold, checked while it is read (crm/core/spreadsheets.py).
IMPORT_MAX_ROWS = int(os.environ.get("CRM_IMPORT_MAX_ROWS", 200_000))
IMPORT_MAX_COLUMNS = int(os.environ.get("CRM_IMPORT_MAX_COLUMNS", 100))
IMPORT_MAX_CELL_CHARS = int(os.environ.get("CRM_IMPORT_MAX_CELL_CHARS", 32_767))
IMPORT_MAX_UNPACKED_BYTES = int(os.environ.get("CRM_IMPORT_MAX_UNPACKED_MB", 200)) * 1024 * 1024

AUDITLOG_INCLUDE_ALL_MODELS = False

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "WARNING")},
}
