"""Zhengji settings.

Embedded defaults need no setting at all (SQLite in WAL mode under var/, local files, the
database task queue, a local-memory cache). Scale-out is by environment variables only; see
README "Configuration".
"""

from __future__ import annotations

import os
from pathlib import Path

import dj_database_url
from django.utils.translation import gettext_lazy as _
from whitenoise.compress import Compressor

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(os.environ.get("ZHENGJI_VAR_DIR", BASE_DIR / "var"))
VAR_DIR.mkdir(parents=True, exist_ok=True)


def env_bool(name: str, default: bool = False) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_list(name: str, default: str = "") -> list[str]:
    return [v.strip() for v in os.environ.get(name, default).split(",") if v.strip()]


# Production is anything with DEBUG off; DEBUG defaults on only for the embedded mode.
DEBUG = env_bool("DEBUG", default="SECRET_KEY" not in os.environ)
SECRET_KEY = os.environ.get("SECRET_KEY", "dev-insecure-zhengji-key-change-me-in-production-0123456789")
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", "127.0.0.1,localhost,testserver")
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS")
SITE_URL = os.environ.get("SITE_URL", "http://127.0.0.1:8000")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "rules.apps.AutodiscoverRulesConfig",
    "django_htmx",
    "template_partials",
    "csp",
    "treebeard",
    "django_tasks",
    "django_tasks_db",
    "ninja",
    "zhengji.common",
    "zhengji.orgs",
    "zhengji.accounts",
    "zhengji.campaigns",
    "zhengji.entries",
    "zhengji.activities",
    "zhengji.media",
    "zhengji.fingerprints",
    "zhengji.originality",
    "zhengji.reporting",
    "zhengji.review",
    "zhengji.public",
    "zhengji.stats",
    "zhengji.api",
    "zhengji.demo",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    # Before WhiteNoise, so static files carry the header too.
    "zhengji.common.middleware.PermissionsPolicyMiddleware",
    # POST /api/public/votes/entries/<id> answered without the rest of the stack (same contract;
    # see zhengji/public/votes_lean.py and docs/public-votes.md).
    "zhengji.public.votes_lean.LeanVoteMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "zhengji.common.middleware.RequestSanityMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "csp.middleware.CSPMiddleware",
    "zhengji.common.middleware.RequestContextMiddleware",
    "zhengji.api.middleware.ApiJsonErrorsMiddleware",
]

ROOT_URLCONF = "zhengji.urls"
WSGI_APPLICATION = "zhengji.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "zhengji" / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "zhengji.common.context_processors.site",
            ],
        },
    }
]

# --- Database -------------------------------------------------------------------------------
if os.environ.get("DATABASE_URL"):
    DATABASES = {"default": dj_database_url.parse(os.environ["DATABASE_URL"], conn_max_age=60)}
else:
    DATABASES = {
        "default": {
            "ENGINE": "django.db.backends.sqlite3",
            "NAME": os.environ.get("SQLITE_PATH", str(VAR_DIR / "zhengji.sqlite3")),
            "OPTIONS": {
                # WAL lets readers run while one writer commits; IMMEDIATE avoids lock upgrades
                # failing under concurrent writers.
                "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA busy_timeout=10000;",
                "transaction_mode": "IMMEDIATE",
            },
            # Tests use a file too (not shared-cache memory), so the live server's threads wait on
            # locks the way the embedded server does instead of failing with "table is locked".
            "TEST": {"NAME": str(VAR_DIR / "test-zhengji.sqlite3")},
            # Keep a worker's connection between requests (as on PostgreSQL): opening one runs the
            # pragmas above and closing the last one checkpoints the WAL — milliseconds a request.
            "CONN_MAX_AGE": int(os.environ.get("SQLITE_CONN_MAX_AGE", "60")),
        }
    }
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Cache, sessions, tasks ---------------------------------------------------------------------
REDIS_URL = os.environ.get("REDIS_URL", "")
if REDIS_URL:
    CACHES = {
        "default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": REDIS_URL}
    }
    SESSION_ENGINE = "django.contrib.sessions.backends.cache"
    RQ_QUEUES = {"default": {"URL": REDIS_URL}}
    TASKS = {"default": {"BACKEND": "django_tasks_rq.RQBackend", "QUEUES": ["default"]}}
    # Workers: `manage.py rqworker default --job-class django_tasks_rq.Job` (see docs/deployment.md).
    INSTALLED_APPS += ["django_rq", "django_tasks_rq"]
else:
    # Each worker's own memory: room for the anonymous pages of a few thousand works (Django's
    # default of 300 entries would evict the entry pages of a busy gallery before they are reused).
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache",
                          "OPTIONS": {"MAX_ENTRIES": int(os.environ.get("LOCMEM_MAX_ENTRIES", "5000"))}}}
    SESSION_ENGINE = "django.contrib.sessions.backends.db"
    TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default"]}}
if env_bool("TASKS_IMMEDIATE"):
    TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}

# --- Auth -----------------------------------------------------------------------------------
AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = [
    "rules.permissions.ObjectPermissionBackend",
    "django.contrib.auth.backends.ModelBackend",
]
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "accounts:centre"
LOGOUT_REDIRECT_URL = "public:home"
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 8}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
# Login throttling (zhengji/accounts/throttle.py, docs/security.md). Per account: after
# LOGIN_FREE_FAILURES wrong passwords in a row, each further one locks the account for a doubling
# delay from LOGIN_BACKOFF_SECONDS up to LOGIN_BACKOFF_MAX_SECONDS, except for a browser the owner
# logged in from before (the "known device" cookie, counted on its own). Per address, across
# accounts: LOGIN_ADDRESS_MAX_FAILURES per LOGIN_ADDRESS_WINDOW_SECONDS (a union office behind one
# NAT shares an address: raise it there, the per-account limit still holds).
LOGIN_FREE_FAILURES = int(os.environ.get("LOGIN_FREE_FAILURES", "5"))
LOGIN_BACKOFF_SECONDS = int(os.environ.get("LOGIN_BACKOFF_SECONDS", "30"))
LOGIN_BACKOFF_MAX_SECONDS = int(os.environ.get("LOGIN_BACKOFF_MAX_SECONDS", "300"))
LOGIN_FAILURE_MEMORY_SECONDS = int(os.environ.get("LOGIN_FAILURE_MEMORY_SECONDS", "86400"))
LOGIN_ADDRESS_MAX_FAILURES = int(os.environ.get("LOGIN_ADDRESS_MAX_FAILURES", "30"))
LOGIN_ADDRESS_WINDOW_SECONDS = int(os.environ.get("LOGIN_ADDRESS_WINDOW_SECONDS", "900"))
LOGIN_DEVICE_COOKIE = "zj_device"
LOGIN_DEVICE_COOKIE_DAYS = int(os.environ.get("LOGIN_DEVICE_COOKIE_DAYS", "180"))
LOGIN_THROTTLE_CLEANUP_INTERVAL = 3600  # the periodic job that drops rows no limit remembers

# One-time codes (SMS): single use, 10 minutes, rate limited.
SMS_BACKEND = os.environ.get("SMS_BACKEND", "zhengji.common.sms.FileSMSBackend")
SMS_FILE_DIR = VAR_DIR / "sms"
# The signature every SMS starts with (registered with the provider); common.sms.signed adds it.
SMS_SIGNATURE = os.environ.get("SMS_SIGNATURE", "【征集】")
OTP_CODE_TTL_SECONDS = 600
OTP_SEND_INTERVAL_SECONDS = 60
OTP_MAX_PER_HOUR = 5
OTP_MAX_ATTEMPTS = 5
EMAIL_BACKEND = os.environ.get("EMAIL_BACKEND", "django.core.mail.backends.filebased.EmailBackend")
EMAIL_FILE_PATH = VAR_DIR / "mail"
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "noreply@zhengji.local")

# --- i18n -----------------------------------------------------------------------------------
LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", "简体中文"), ("en", "English")]
LOCALE_PATHS = [BASE_DIR / "zhengji" / "locale"]
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True

# --- Static and media -----------------------------------------------------------------------
STATIC_URL = "/static/"
STATIC_ROOT = Path(os.environ.get("STATIC_ROOT", VAR_DIR / "static"))
STATICFILES_DIRS = [BASE_DIR / "zhengji" / "static"]
MEDIA_URL = "/media/"
MEDIA_ROOT = Path(os.environ.get("MEDIA_ROOT", VAR_DIR / "media"))
FILE_UPLOAD_MAX_MEMORY_SIZE = 2 * 1024 * 1024
DATA_UPLOAD_MAX_MEMORY_SIZE = 10 * 1024 * 1024
_static_backend = (
    "whitenoise.storage.CompressedManifestStaticFilesStorage"
    if not DEBUG and not env_bool("STATIC_NO_MANIFEST")
    else "django.contrib.staticfiles.storage.StaticFilesStorage"
)
# Source maps are fetched only by a developer's tools: brotli on the bundled ones (14 of the 44 MB
# collected) was most of collectstatic's time, for nothing a visitor downloads.
WHITENOISE_SKIP_COMPRESS_EXTENSIONS = (*Compressor.SKIP_COMPRESS_EXTENSIONS, "map")
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": _static_backend},
}
if os.environ.get("S3_BUCKET"):
    STORAGES["default"] = {
        "BACKEND": "storages.backends.s3.S3Storage",
        "OPTIONS": {
            "bucket_name": os.environ["S3_BUCKET"],
            "endpoint_url": os.environ.get("S3_ENDPOINT_URL") or None,
            "access_key": os.environ.get("S3_ACCESS_KEY_ID"),
            "secret_key": os.environ.get("S3_SECRET_ACCESS_KEY"),
            "region_name": os.environ.get("S3_REGION", "us-east-1"),
            "default_acl": None,
            "querystring_auth": True,
            "file_overwrite": False,
        },
    }

# --- Security -------------------------------------------------------------------------------
SESSION_COOKIE_HTTPONLY = True
CSRF_COOKIE_HTTPONLY = False  # htmx reads it to send X-CSRFToken
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
if not DEBUG:
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", True)
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_HSTS_SECONDS = int(os.environ.get("SECURE_HSTS_SECONDS", "31536000"))
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True

# Proxies whose X-Forwarded-For we believe (zhengji/common/context.py client_ip; docs/deployment.md).
# Addresses or networks, e.g. "127.0.0.1,10.0.0.0/8"; or the number of proxy hops in front of
# the web processes. Default: none, so the client is the connecting address and the header is ignored.
ZHENGJI_TRUSTED_PROXIES = env_list("ZHENGJI_TRUSTED_PROXIES")
ZHENGJI_TRUSTED_PROXY_HOPS = int(os.environ.get("ZHENGJI_TRUSTED_PROXY_HOPS", "0"))

# Browser features no page uses are switched off (common.middleware.PermissionsPolicyMiddleware).
PERMISSIONS_POLICY: dict[str, list[str]] = {
    feature: []
    for feature in ("accelerometer", "autoplay",
                    "camera", "display-capture", "geolocation", "gyroscope", "hid", "idle-detection",
                    "magnetometer", "microphone", "midi", "payment", "publickey-credentials-get",
                    "screen-wake-lock", "serial", "usb", "xr-spatial-tracking")
}
PERMISSIONS_POLICY["fullscreen"] = ["self"]  # video previews

CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "img-src": ["'self'", "data:", "blob:"],
        "media-src": ["'self'", "blob:"],
        "style-src": ["'self'"],
        "script-src": ["'self'"],
        "connect-src": ["'self'"] + env_list("CSP_CONNECT_EXTRA"),
        "frame-ancestors": ["'none'"],
        "form-action": ["'self'"],
    }
}

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "INFO")},
    # weasyprint narrates every PDF it lays out ("Step 7 - Adding PDF metadata") at INFO.
    "loggers": {"django.request": {"level": "ERROR"}, "weasyprint.progress": {"level": "WARNING"}},
}

# --- Zhengji --------------------------------------------------------------------------------
_ = _  # keep gettext_lazy importable for settings-level labels

# Intervals (seconds) of the periodic jobs that media registers in common.registry.periodic_jobs,
# enqueued by `manage.py scheduler` (started by `make run`; one instance in production, or cron).
UPLOAD_CLEANUP_INTERVAL = int(os.environ.get("UPLOAD_CLEANUP_INTERVAL", "3600"))
MEDIA_REQUEUE_INTERVAL = int(os.environ.get("MEDIA_REQUEUE_INTERVAL", "60"))

# --- accounts settings (sign-up, codes, 2FA) ---
INSTALLED_APPS += ["django_otp", "django_otp.plugins.otp_totp"]
OTP_TOTP_ISSUER = "Zhengji"
# Per-address limits on sending codes (a union office behind one NAT may want these looser).
OTP_IP_SEND_INTERVAL_SECONDS = int(os.environ.get("OTP_IP_SEND_INTERVAL_SECONDS", "60"))
OTP_IP_MAX_PER_HOUR = int(os.environ.get("OTP_IP_MAX_PER_HOUR", "5"))
# A password-checked login waits this long for the second factor.
TWO_FACTOR_PENDING_SECONDS = 300

# (end accounts)


# --- orgs settings ---
# Import files wait here between preview and apply: a private directory, never under MEDIA_ROOT
# (which DEBUG serves). With S3 configured they go to the (private) bucket instead, so any web
# process can apply what another one previewed.
ORGS_IMPORT_DIR = Path(os.environ.get("ORGS_IMPORT_DIR", VAR_DIR / "private" / "orgs-import"))
ORGS_IMPORT_MAX_ROWS = int(os.environ.get("ORGS_IMPORT_MAX_ROWS", "50000"))
ORGS_IMPORT_MAX_BYTES = int(os.environ.get("ORGS_IMPORT_MAX_BYTES", str(20 * 1024 * 1024)))
ORGS_IMPORT_KEEP_HOURS = 24  # unapplied uploads older than this are removed on the next upload
# (end orgs)


# --- campaigns settings ---
CAMPAIGN_BANNER_MAX_MB = int(os.environ.get("CAMPAIGN_BANNER_MAX_MB", "5"))
CAMPAIGN_BANNER_MAX_PIXELS = 40_000_000

# (end campaigns)


# --- entries settings ---
ENTRIES_MAX_AUTHORS = int(os.environ.get("ENTRIES_MAX_AUTHORS", "20"))
ENTRIES_SUMMARY_MAX_WORDS = int(os.environ.get("ENTRIES_SUMMARY_MAX_WORDS", "1000"))
# How often (seconds, at most) the entry form autosaves while the entrant types.
ENTRIES_AUTOSAVE_SECONDS = int(os.environ.get("ENTRIES_AUTOSAVE_SECONDS", "5"))

# (end entries)


# --- media settings (uploads, tus, processing) ---
# Processing (media-process): limits and rendition sizes; see docs/media.md.
MEDIA_MAX_IMAGE_PIXELS = int(os.environ.get("MEDIA_MAX_IMAGE_PIXELS", "150000000"))  # decompression bombs
# Memory one image decode may take: width × height × bytes per pixel of Pillow's mode (RGB/RGBA 4,
# 1-bit/grey/palette 1; HEIC 6, with libheif's planes), after JPEG's reduced decode (a 150 MP JPEG
# costs ~9 MB). 160 MiB admits a 150 MP 1-bit scan, a 42 MP RGBA PNG and a 28 MP HEIC, and keeps
# the worker under 300 MB (bench/media_memory_bench.py); 48 MP HEIC needs ~290 MiB.
MEDIA_IMAGE_DECODE_BYTES = int(os.environ.get("MEDIA_IMAGE_DECODE_BYTES", str(160 * 1024**2)))
# ZIP-based documents (DOCX, XLSX, PPTX, ODT), inspected at ingest (docs/media.md).
MEDIA_ZIP_MAX_TOTAL_BYTES = int(os.environ.get("MEDIA_ZIP_MAX_TOTAL_BYTES", str(256 * 1024**2)))
MEDIA_ZIP_MAX_MEMBERS = int(os.environ.get("MEDIA_ZIP_MAX_MEMBERS", "5000"))
MEDIA_ZIP_MAX_RATIO = int(os.environ.get("MEDIA_ZIP_MAX_RATIO", "100"))  # for members over 1 MiB
MEDIA_ZIP_MAX_DEPTH = int(os.environ.get("MEDIA_ZIP_MAX_DEPTH", "2"))  # 2: a chart's embedded workbook
# Virus scan of every ingested file: a dotted path to a callable (zhengji.media.scanning), or empty.
MEDIA_VIRUS_SCANNER = os.environ.get("MEDIA_VIRUS_SCANNER") or None
MEDIA_VIRUS_SCAN_FAIL_OPEN = env_bool("MEDIA_VIRUS_SCAN_FAIL_OPEN", False)  # accept when the scanner fails
# ClamAV (MEDIA_VIRUS_SCANNER = "zhengji.media.clamav.scan"): clamd on a unix socket, or TCP host and port.
MEDIA_CLAMD_SOCKET = os.environ.get("MEDIA_CLAMD_SOCKET") or None
MEDIA_CLAMD_HOST = os.environ.get("MEDIA_CLAMD_HOST") or None
MEDIA_CLAMD_PORT = int(os.environ.get("MEDIA_CLAMD_PORT", "3310"))
MEDIA_CLAMD_TIMEOUT = int(os.environ.get("MEDIA_CLAMD_TIMEOUT", "60"))
# clamd's StreamMaxLength (25 MiB by default): larger files are not sent and count as NOT scanned.
MEDIA_CLAMD_STREAM_MAX_BYTES = int(os.environ.get("MEDIA_CLAMD_STREAM_MAX_BYTES", str(25 * 1024**2)))
# A separate origin for file bytes ("https://files.example.org"; empty: served by the site itself).
MEDIA_ORIGIN = os.environ.get("MEDIA_ORIGIN", "").rstrip("/")
MEDIA_ORIGIN_URL_MAX_AGE = int(os.environ.get("MEDIA_ORIGIN_URL_MAX_AGE", str(6 * 3600)))  # signed file URLs
# On the media origin only file views answer (before WhiteNoise: no static files there either).
MIDDLEWARE.insert(MIDDLEWARE.index("zhengji.common.middleware.PermissionsPolicyMiddleware") + 1,
                  "zhengji.media.middleware.MediaOriginMiddleware")
if MEDIA_ORIGIN:  # the site's pages show pictures and play previews from there
    ALLOWED_HOSTS.append(MEDIA_ORIGIN.split("://", 1)[-1].split("/", 1)[0].split(":", 1)[0])
    for _directive in ("img-src", "media-src"):
        CONTENT_SECURITY_POLICY["DIRECTIVES"][_directive].append(MEDIA_ORIGIN)
MEDIA_FFPROBE_TIMEOUT = int(os.environ.get("MEDIA_FFPROBE_TIMEOUT", "60"))
MEDIA_FFMPEG_TIMEOUT = int(os.environ.get("MEDIA_FFMPEG_TIMEOUT", "3600"))
MEDIA_FFMPEG_THREADS = int(os.environ.get("MEDIA_FFMPEG_THREADS", "0"))  # 0: ffmpeg decides
# A queued (pending) file not started for this long is presumed lost and queued again.
MEDIA_PROCESSING_STALE_SECONDS = int(os.environ.get("MEDIA_PROCESSING_STALE_SECONDS", "7200"))
# A running task renews its heartbeat this often; one silent for MEDIA_HEARTBEAT_STALE_SECONDS
# lost its worker (killed, machine gone): the requeue job and the owner's retry take it over.
MEDIA_HEARTBEAT_SECONDS = int(os.environ.get("MEDIA_HEARTBEAT_SECONDS", "15"))
MEDIA_HEARTBEAT_STALE_SECONDS = int(os.environ.get("MEDIA_HEARTBEAT_STALE_SECONDS", "180"))
MEDIA_WORK_DIR = os.environ.get("MEDIA_WORK_DIR") or None  # temp files; None: the system temp dir
MEDIA_THUMB_PX = 320
# The public site's anonymous page cache (zhengji/public/cache.py): tags invalidate it at once;
# the timeout only bounds what a missed invalidation could cost.
PUBLIC_PAGE_CACHE = env_bool("PUBLIC_PAGE_CACHE", True)
PUBLIC_PAGE_CACHE_SECONDS = int(os.environ.get("PUBLIC_PAGE_CACHE_SECONDS", "300"))
# Originality: fingerprint every file once it is ready (a background task; docs/originality.md).
FINGERPRINT_ON_READY = env_bool("FINGERPRINT_ON_READY", True)
MEDIA_WEB_PX = 1600
MEDIA_PREVIEW_MAX_HEIGHT = 720
MEDIA_PREVIEW_CRF = 28
MEDIA_PREVIEW_PRESET = os.environ.get("MEDIA_PREVIEW_PRESET", "veryfast")

# Uploads (tus / S3 multipart): see docs/uploads.md.
MEDIA_USER_QUOTA_BYTES = int(os.environ.get("MEDIA_USER_QUOTA_BYTES", str(10 * 1024**3)))
# Largest single upload: 2 GB (the biggest file rule) plus a margin for container overhead.
MEDIA_UPLOAD_MAX_BYTES = int(os.environ.get("MEDIA_UPLOAD_MAX_BYTES", str(2 * 1024**3 + 64 * 1024**2)))
MEDIA_UPLOAD_EXPIRY_HOURS = int(os.environ.get("MEDIA_UPLOAD_EXPIRY_HOURS", "24"))
# Bytes read from the request per iteration while streaming a PATCH body to staging.
MEDIA_UPLOAD_READ_BYTES = 1024 * 1024
# Browser chunk size for tus PATCHes and S3 parts (S3 needs >= 5 MB except for the last part).
MEDIA_UPLOAD_CHUNK_BYTES = int(os.environ.get("MEDIA_UPLOAD_CHUNK_BYTES", str(8 * 1024**2)))
# Uploads go straight to object storage (S3 multipart, presigned parts) when the default storage
# is S3; set to 0 to keep using tus + local staging even then.
MEDIA_S3_DIRECT = env_bool("MEDIA_S3_DIRECT", STORAGES["default"]["BACKEND"].endswith("S3Storage"))

# (end media)

# Public votes (docs/public-votes.md): the rate rule of the vote endpoint (per account and per
# /24 or /64 network, per minute: past CHALLENGE_AFTER a proof of work, past RATE_MAX a 429), the
# ALTCHA challenge (PBKDF2/SHA-256 cost, lifetime; HMAC key derived from SECRET_KEY unless set),
# and the anomaly scan (a periodic job; thresholds per VOTE_ANOMALY_WINDOW_SECONDS).
VOTE_CHALLENGE_AFTER_ACCOUNT = int(os.environ.get("VOTE_CHALLENGE_AFTER_ACCOUNT", "6"))
VOTE_CHALLENGE_AFTER_NETWORK = int(os.environ.get("VOTE_CHALLENGE_AFTER_NETWORK", "120"))
VOTE_RATE_MAX_ACCOUNT = int(os.environ.get("VOTE_RATE_MAX_ACCOUNT", "30"))
VOTE_RATE_MAX_NETWORK = int(os.environ.get("VOTE_RATE_MAX_NETWORK", "3000"))
VOTE_CHALLENGE_COST = int(os.environ.get("VOTE_CHALLENGE_COST", "5000"))
VOTE_CHALLENGE_TTL_SECONDS = int(os.environ.get("VOTE_CHALLENGE_TTL_SECONDS", "600"))
VOTE_ALTCHA_HMAC_KEY = os.environ.get("VOTE_ALTCHA_HMAC_KEY", "")
# PostgreSQL: acknowledge a vote before its WAL is flushed (off: durable; docs/decisions.md).
VOTE_ASYNC_COMMIT = env_bool("VOTE_ASYNC_COMMIT", False)
# PostgreSQL: the vote's function call as a prepared statement (off behind a pooler in transaction
# mode that cannot keep them: PgBouncer before 1.21; docs/public-votes.md).
VOTE_PREPARED = env_bool("VOTE_PREPARED", True)
VOTE_ANOMALY_INTERVAL_SECONDS = int(os.environ.get("VOTE_ANOMALY_INTERVAL_SECONDS", "60"))
VOTE_ANOMALY_WINDOW_SECONDS = int(os.environ.get("VOTE_ANOMALY_WINDOW_SECONDS", "600"))
VOTE_ANOMALY_NETWORK_MAX = int(os.environ.get("VOTE_ANOMALY_NETWORK_MAX", "200"))
VOTE_ANOMALY_DEVICE_MAX = int(os.environ.get("VOTE_ANOMALY_DEVICE_MAX", "30"))
VOTE_ANOMALY_FRESH_DAYS = int(os.environ.get("VOTE_ANOMALY_FRESH_DAYS", "3"))
VOTE_ANOMALY_FRESH_MAX = int(os.environ.get("VOTE_ANOMALY_FRESH_MAX", "50"))
VOTE_ANOMALY_BURST_MIN = int(os.environ.get("VOTE_ANOMALY_BURST_MIN", "100"))
VOTE_ANOMALY_BURST_FACTOR = float(os.environ.get("VOTE_ANOMALY_BURST_FACTOR", "10"))
VOTE_ANOMALY_FLAG_SECONDS = int(os.environ.get("VOTE_ANOMALY_FLAG_SECONDS", "86400"))
