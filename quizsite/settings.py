"""Settings for quizsite, read from the environment (12-factor).

Every value has a development default that needs nothing installed: SQLite in WAL mode for
the database and kombu's filesystem transport for the Celery broker, so `scripts/run` works on
a machine that has only Python.  Production sets DATABASE_URL, REDIS_URL, SECRET_KEY,
ALLOWED_HOSTS and DEBUG=0; with those, `manage.py check --deploy` is clean.
"""

from __future__ import annotations

import os
from pathlib import Path

import dj_database_url
import dj_email_url
from django.core.exceptions import ImproperlyConfigured
from kombu import Exchange, Queue

from quizsite import queues
from quizsite.environment import env_bool, env_int, env_list

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(os.environ.get("QUIZSITE_VAR_DIR", BASE_DIR / "var"))


DEBUG = env_bool("DEBUG", False)

# The fallback key is public, so `manage.py check --deploy` flags it (security.W009) until a
# deployment sets its own; a first run on a laptop needs none.
SECRET_KEY = os.environ.get("SECRET_KEY", "").strip() or (
    "django-insecure-development-only-key-do-not-use-in-production-0123456789"
)

ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", ["localhost", "127.0.0.1", "[::1]", "testserver"])
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", [])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "rest_framework",
    "rest_framework.authtoken",
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "django_htmx",
    "csp",
    "quizsite",
    "flashcards",
    "training",
    "quizzes",
    "frontend",
    # LTI 1.3: PyLTI1p3's platform and key tables, then the tool itself.
    "lti.library_app.PlatformRegistry",
    "lti",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "quizsite.errors.ApiBodyLimitMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "frontend.middleware.UserLanguageMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
]

ROOT_URLCONF = "quizsite.urls"
WSGI_APPLICATION = "quizsite.wsgi.application"
ASGI_APPLICATION = "quizsite.asgi.application"

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
            ],
        },
    },
]

# --- Database -------------------------------------------------------------------------------
_DEFAULT_SQLITE = VAR_DIR / "quizsite.sqlite3"
DATABASE_URL = os.environ.get("DATABASE_URL", f"sqlite:///{_DEFAULT_SQLITE}")
DATABASES = {"default": dj_database_url.parse(DATABASE_URL, conn_max_age=60)}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # WAL lets the web server read while the worker writes; IMMEDIATE transactions take the
    # write lock up front so two writers queue instead of failing with "database is locked".
    DATABASES["default"]["CONN_MAX_AGE"] = 0
    DATABASES["default"]["OPTIONS"] = {
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
        "init_command": (
            "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA busy_timeout=20000;"
        ),
    }
else:
    DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Cache ------------------------------------------------------------------------------------
REDIS_URL = os.environ.get("REDIS_URL", "").strip()
if REDIS_URL:
    CACHES = {
        "default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": REDIS_URL}
    }
else:
    # The database cache is shared between the web process and the worker, which the
    # per-user demo rate limits need; local memory would give each process its own count.
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.db.DatabaseCache",
            "LOCATION": "quizsite_cache",
        }
    }

# --- Auth -------------------------------------------------------------------------------------
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
# The test suite creates hundreds of users and its server subprocesses must verify their
# passwords: there, and only there, a fast hasher replaces PBKDF2.
if env_bool("QUIZSITE_FAST_PASSWORD_HASHING", False):
    PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
AUTH_USER_MODEL = "flashcards.User"
# Django's database sessions and ModelBackend, each with the per-request read written out as
# one fixed statement (the study page pays for both on every rating; see their docstrings).
SESSION_ENGINE = "quizsite.sessions"
AUTHENTICATION_BACKENDS = ["flashcards.auth_backends.ModelBackend"]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "dashboard"
LOGOUT_REDIRECT_URL = "home"

# --- i18n -------------------------------------------------------------------------------------
LANGUAGE_CODE = "en"
LANGUAGES = [("en", "English"), ("pt-br", "Português (Brasil)"), ("da", "Dansk")]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True

# --- Static files -----------------------------------------------------------------------------
STATIC_URL = "static/"
STATIC_ROOT = Path(os.environ.get("STATIC_ROOT", BASE_DIR / "staticfiles"))
MEDIA_URL = "media/"
MEDIA_ROOT = Path(os.environ.get("MEDIA_ROOT", VAR_DIR / "media"))
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "django.contrib.staticfiles.storage.StaticFilesStorage"
            if DEBUG
            else "quizsite.storage.ManifestStaticFilesStorage"
        )
    },
}
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = DEBUG

# --- Security (production values switch on when DEBUG is off) --------------------------------
SECURE_CONTENT_TYPE_NOSNIFF = True
X_FRAME_OPTIONS = "DENY"
SESSION_COOKIE_HTTPONLY = True
SECURE_REFERRER_POLICY = "same-origin"
# Behind a TLS-terminating proxy, production sets SECURE_SSL_REDIRECT=1; it stays off by default
# so that plain-HTTP development servers and the test client are not redirected.
SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", False)
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_REDIRECT_EXEMPT = [r"^healthz$"]
SESSION_COOKIE_SECURE = env_bool("SECURE_COOKIES", not DEBUG)
CSRF_COOKIE_SECURE = env_bool("SECURE_COOKIES", not DEBUG)
SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 0 if DEBUG else 31536000)
SECURE_HSTS_INCLUDE_SUBDOMAINS = SECURE_HSTS_SECONDS > 0
SECURE_HSTS_PRELOAD = SECURE_HSTS_SECONDS > 0

# Content-Security-Policy on every page (django-csp).  Scripts only from this site: the
# pages carry no inline script and no event-handler attribute, and htmx needs no eval for
# the attributes used here.  Inline styles stay allowed: matplotlib's SVG figures carry a
# <style> element and htmx adds one for its indicators.  MathML needs nothing.  Images may
# be data: URLs (the digit canvas).  The SVG figure endpoint sends its own stricter policy.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'", "'unsafe-inline'"],
        "img-src": ["'self'", "data:"],
        "font-src": ["'self'"],
        "connect-src": ["'self'"],
        "object-src": ["'none'"],
        "base-uri": ["'self'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
    }
}

# --- Client addresses and throttles ------------------------------------------------------
# X-Forwarded-For is believed only as far as the configured proxies reach: with neither
# setting (the default) the address is the socket's, and a client cannot choose its own.
TRUSTED_PROXY_COUNT = env_int("TRUSTED_PROXY_COUNT", 0)
TRUSTED_PROXIES = env_list("TRUSTED_PROXIES", [])
# Sign-in (page and token endpoint) and sign-up attempts, per client address and per
# account name, over SIGN_IN_WINDOW_SECONDS.  Failed sign-ins count; sign-ups count all.
SIGN_IN_FAILURES_PER_ACCOUNT = env_int("SIGN_IN_FAILURES_PER_ACCOUNT", 10, minimum=1)
SIGN_IN_FAILURES_PER_ADDRESS = env_int("SIGN_IN_FAILURES_PER_ADDRESS", 50, minimum=1)
SIGN_IN_WINDOW_SECONDS = env_int("SIGN_IN_WINDOW_SECONDS", 900, minimum=1)
SIGN_UPS_PER_ADDRESS = env_int("SIGN_UPS_PER_ADDRESS", 20, minimum=1)

# --- Email and accounts (issue 22) -----------------------------------------------------------
# EMAIL_URL (dj-email-url: smtp://user:pw@host:587?tls=True, console://, file:////abs/dir) wins;
# else EMAIL_HOST and friends select SMTP; else emails are written as files under var/mail/,
# so a first run needs no mail server (`scripts/run` says where they go).
EMAIL_URL = os.environ.get("EMAIL_URL", "").strip()
_url = dj_email_url.parse(EMAIL_URL) if EMAIL_URL else {}
_env = os.environ.get
_kind = "smtp" if EMAIL_URL or _env("EMAIL_HOST", "").strip() else "filebased"
EMAIL_BACKEND = _url.get("EMAIL_BACKEND") or f"django.core.mail.backends.{_kind}.EmailBackend"
EMAIL_HOST = (
    _url.get("EMAIL_HOST") if EMAIL_URL else _env("EMAIL_HOST", "").strip()
) or "localhost"
EMAIL_PORT = (_url.get("EMAIL_PORT") if EMAIL_URL else None) or env_int("EMAIL_PORT", 25, minimum=1)
EMAIL_HOST_USER = (_url.get("EMAIL_HOST_USER") if EMAIL_URL else _env("EMAIL_HOST_USER")) or ""
EMAIL_HOST_PASSWORD = (
    _url["EMAIL_HOST_PASSWORD"] if EMAIL_URL else _env("EMAIL_HOST_PASSWORD")
) or ""
EMAIL_USE_TLS = _url["EMAIL_USE_TLS"] if EMAIL_URL else env_bool("EMAIL_USE_TLS", False)
EMAIL_USE_SSL = _url["EMAIL_USE_SSL"] if EMAIL_URL else env_bool("EMAIL_USE_SSL", False)
EMAIL_TIMEOUT = (_url.get("EMAIL_TIMEOUT") if EMAIL_URL else None) or env_int("EMAIL_TIMEOUT", 30)
_file = _url.get("EMAIL_FILE_PATH")
EMAIL_FILE_PATH = str(BASE_DIR / _file) if _file else str(VAR_DIR / "mail")
DEFAULT_FROM_EMAIL = _env("DEFAULT_FROM_EMAIL", "").strip() or "quizsite <noreply@localhost>"
SERVER_EMAIL = DEFAULT_FROM_EMAIL
# How long a password-reset link, an email-verification link and an instructor invitation last.
PASSWORD_RESET_TIMEOUT = env_int("PASSWORD_RESET_TIMEOUT", 3 * 3600, minimum=60)
EMAIL_VERIFICATION_MAX_AGE = env_int("EMAIL_VERIFICATION_MAX_AGE", 3 * 24 * 3600, minimum=60)
INSTRUCTOR_INVITATION_DAYS = env_int("INSTRUCTOR_INVITATION_DAYS", 7, minimum=1)
# Password-reset requests per client address and per email address typed, in the window.
PASSWORD_RESETS_PER_ADDRESS = env_int("PASSWORD_RESETS_PER_ADDRESS", 20, minimum=1)
PASSWORD_RESETS_PER_EMAIL = env_int("PASSWORD_RESETS_PER_EMAIL", 5, minimum=1)

# --- REST framework ---------------------------------------------------------------------------
REST_FRAMEWORK = {
    # Token first: DRF answers 401 with `WWW-Authenticate: Token` only when the first class
    # names a challenge; session first made a bad or missing token a 403.  The browser's
    # session still works (second class); its CSRF failures stay 403.
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "flashcards.authentication.TokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PARSER_CLASSES": [
        "quizsite.api_errors.JSONParser",
        "rest_framework.parsers.FormParser",
        "rest_framework.parsers.MultiPartParser",
    ],
    "DEFAULT_RENDERER_CLASSES": [
        "quizsite.api_errors.JSONRenderer",
        "rest_framework.renderers.BrowsableAPIRenderer",
    ],
    "EXCEPTION_HANDLER": "quizsite.api_errors.exception_handler",
    # A safety net for throttles that use DRF's own get_ident: never the raw header.
    "NUM_PROXIES": TRUSTED_PROXY_COUNT,
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_PAGINATION_CLASS": "rest_framework.pagination.PageNumberPagination",
    "PAGE_SIZE": 50,
    "DEFAULT_FILTER_BACKENDS": [
        "django_filters.rest_framework.DjangoFilterBackend",
        "rest_framework.filters.SearchFilter",
        "rest_framework.filters.OrderingFilter",
    ],
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "TEST_REQUEST_DEFAULT_FORMAT": "json",
}
SPECTACULAR_SETTINGS = {
    "TITLE": "quizsite API",
    "DESCRIPTION": "Question sets, study, quizzes and live PyTorch demos.",
    "VERSION": "1",
    "SERVE_INCLUDE_SCHEMA": False,
    "COMPONENT_SPLIT_REQUEST": True,
    # Swagger UI and Redoc from the site's own static files (drf-spectacular-sidecar), so the
    # docs work with no internet and under a Content-Security-Policy of 'self'.
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "POSTPROCESSING_HOOKS": [
        "drf_spectacular.hooks.postprocess_schema_enums",
        "quizsite.api_schema.document_error_responses",
    ],
}

# --- Celery -----------------------------------------------------------------------------------
CELERY_BROKER_DIR = Path(os.environ.get("CELERY_BROKER_DIR", VAR_DIR / "broker"))
if REDIS_URL:
    CELERY_BROKER_URL = REDIS_URL
    CELERY_RESULT_BACKEND = REDIS_URL
    CELERY_BROKER_TRANSPORT_OPTIONS: dict[str, object] = {"visibility_timeout": 3600}
else:
    # kombu's filesystem transport: a broker made of two directories, so a first run needs no
    # server.  Fine for one machine; production uses Redis.
    CELERY_BROKER_URL = "filesystem://"
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "data_folder_in": str(CELERY_BROKER_DIR / "queue"),
        "data_folder_out": str(CELERY_BROKER_DIR / "queue"),
        "control_folder": str(CELERY_BROKER_DIR / "control"),
        "store_processed": False,
    }
    CELERY_RESULT_BACKEND = f"file://{CELERY_BROKER_DIR / 'results'}"
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TASK_SERIALIZER = "json"
CELERY_RESULT_SERIALIZER = "json"
CELERY_RESULT_EXPIRES = 3600
CELERY_TIMEZONE = "UTC"
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_SOFT_TIME_LIMIT = env_int("CELERY_TASK_SOFT_TIME_LIMIT", 300, minimum=1)
CELERY_TASK_TIME_LIMIT = env_int("CELERY_TASK_TIME_LIMIT", 360, minimum=1)
CELERY_TASK_DEFAULT_QUEUE = queues.DEFAULT_QUEUE
CELERY_TASK_QUEUES = tuple(Queue(name, Exchange(name), routing_key=name) for name in queues.QUEUES)
# Which queue each task goes to.  A demo run is sent to its own demo's queue (light demos to
# default, training to gpu); the route here is for a message sent without one.
CELERY_TASK_ROUTES = {
    queues.FIT_STUDY_PARAMETERS: {"queue": queues.GPU_QUEUE},
    queues.SWEEP_IMPORT_SESSIONS: {"queue": queues.DEFAULT_QUEUE},
    queues.CLOSE_ATTEMPT_AT_DEADLINE: {"queue": queues.DEFAULT_QUEUE},
    queues.RUN_DEMO: {"queue": queues.DEFAULT_QUEUE},
    queues.SWEEP_STALE_RUNS: {"queue": queues.DEFAULT_QUEUE},
    queues.SEND_LTI_GRADE: {"queue": queues.DEFAULT_QUEUE},
}
# What celery beat sends (`celery -A quizsite beat`, or `worker --beat` in the Procfile).
CELERY_BEAT_SCHEDULE = {
    "training: fail demo runs past their limit": {
        "task": queues.SWEEP_STALE_RUNS,
        "schedule": 30.0,
    },
    "flashcards: delete import uploads nobody confirmed within a day": {
        "task": queues.SWEEP_IMPORT_SESSIONS,
        "schedule": 3600.0,
    },
}
CELERY_TASK_ALWAYS_EAGER = env_bool("CELERY_TASK_ALWAYS_EAGER", False)
CELERY_WORKER_HIJACK_ROOT_LOGGER = False
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True

# --- Demos and data ---------------------------------------------------------------------------
MNIST_DIR = os.environ.get("MNIST_DIR", "").strip() or None
DEMO_DEVICE = os.environ.get("DEMO_DEVICE", "auto").strip().lower()
if DEMO_DEVICE not in {"auto", "cpu", "cuda"}:
    raise ImproperlyConfigured(f"DEMO_DEVICE must be auto, cpu or cuda, not {DEMO_DEVICE!r}")
CHECKPOINT_DIR = Path(os.environ.get("CHECKPOINT_DIR", VAR_DIR / "checkpoints"))
# What one user may ask of the workers: uncached demo runs a minute, runs queued at once, and
# synchronous digit predictions a minute.
DEMO_RUNS_PER_MINUTE = env_int("DEMO_RUNS_PER_MINUTE", 10, minimum=1)
DEMO_ACTIVE_RUNS_PER_USER = env_int("DEMO_ACTIVE_RUNS_PER_USER", 3, minimum=1)
DIGIT_PREDICTIONS_PER_MINUTE = env_int("DIGIT_PREDICTIONS_PER_MINUTE", 120, minimum=1)
# Torch threads in a web process that predicts digits: one keeps a busy server responsive.
DEMO_PREDICTION_THREADS = env_int("DEMO_PREDICTION_THREADS", 1)

# --- Imports ----------------------------------------------------------------------------------
IMPORT_MAX_BYTES = env_int("IMPORT_MAX_BYTES", 10 * 1024 * 1024, minimum=1)
# Largest JSON or form body the API reads (uploads: IMPORT_MAX_BYTES); larger is a JSON 413.
API_MAX_BODY_BYTES = env_int("API_MAX_BODY_BYTES", 2 * 1024 * 1024, minimum=1024)
IMPORT_MAX_QUESTIONS = env_int("IMPORT_MAX_QUESTIONS", 10_000, minimum=1)

# --- LTI 1.3 ----------------------------------------------------------------------------------
# How long the tool waits on a learning platform (its keys, OAuth2 tokens, grade posts).
LTI_HTTP_TIMEOUT_SECONDS = env_int("LTI_HTTP_TIMEOUT_SECONDS", 10, minimum=1)

# --- Logging ----------------------------------------------------------------------------------
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s: %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "INFO")},
    "loggers": {"django.db.backends": {"level": "WARNING"}},
}

for _directory in (VAR_DIR, MEDIA_ROOT, STATIC_ROOT):
    _directory.mkdir(parents=True, exist_ok=True)
if not REDIS_URL:
    for _sub in ("queue", "control", "results"):
        (CELERY_BROKER_DIR / _sub).mkdir(parents=True, exist_ok=True)
