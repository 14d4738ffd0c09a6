"""Settings, read from the environment (see README « Configuration en production »)."""

from datetime import timedelta
from pathlib import Path

from celery.schedules import crontab
from csp.constants import NONE, SELF

from .env import database_from_url, env_bool, env_int, env_list, env_str, redis_url

BASE_DIR = Path(__file__).resolve().parent.parent

DEBUG = env_bool("DEBUG", False)
# Local debugging only: Django's English debug pages instead of the application's (accounts.middleware).
PAGES_ERREUR_DJANGO = DEBUG and env_bool("PAGES_ERREUR_DJANGO", False)
SECRET_KEY = env_str("SECRET_KEY", "dev-seulement-ne-pas-utiliser-en-production" if DEBUG else None)
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", "127.0.0.1,localhost" if DEBUG else "")
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", "")
SITE_URL = env_str("SITE_URL", "http://127.0.0.1:8000")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.postgres",
    "simple_history",
    "crispy_forms",
    "crispy_bootstrap5",
    "django_htmx",
    "csp",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_otp.plugins.otp_static",
    "axes",
    "accounts",
    "referentiel",
    "residents",
    "accompagnement",
    "contrats",
    "echeances",
    "demo",
    "pilotage",
    "admissions",
    "journal",
    "courriels",
    "rest_framework",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "api",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "accounts.middleware.SessionGlissanteMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    # Wraps everything below it, the second-factor and partner redirections included.
    "accounts.middleware.PasDeCacheMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "django.contrib.auth.middleware.LoginRequiredMiddleware",
    # After login: a second factor before any page, partners only on their own pages, the administrator
    # off the people's files (accounts.middleware).
    "accounts.middleware.DeuxFacteursMiddleware",
    "accounts.middleware.PartenaireMiddleware",
    "accounts.middleware.AdministrateurMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "simple_history.middleware.HistoryRequestMiddleware",
    "journal.middleware.JournalMiddleware",
    "axes.middleware.AxesMiddleware",
    # In DEBUG too, the application's own French 404 / 403 / 500 pages (PAGES_ERREUR_DJANGO: Django's).
    "accounts.middleware.PagesErreurMiddleware",
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
                "accounts.context_processors.navigation",
            ],
        },
    }
]

DATABASES = {"default": database_from_url("DATABASE_URL")}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

REDIS_URL = redis_url("REDIS_URL")
CELERY_BROKER_URL = REDIS_URL
CELERY_RESULT_BACKEND = REDIS_URL
CELERY_TIMEZONE = "Europe/Paris"
CELERY_TASK_ACKS_LATE = True  # a task killed mid-run is delivered again (tasks are idempotent)
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
# Faults (docs/faults.md). No task runs longer than CELERY_TASK_TIME_LIMIT: Celery kills it (the longest,
# the morning synchronisation, took 24-33 s on 100,000 people; an export of 50,000 rows 5 s). Redis hands
# an unacknowledged message to another worker after `visibility_timeout`: above the time limit, a task
# still running is never delivered twice; far below kombu's default hour, a task whose whole worker was
# killed runs again within minutes (restore sweep every 10 s × 3). Retry countdowns stay below it too
# (a countdown beyond the visibility timeout is delivered again and again).
CELERY_TASK_TIME_LIMIT = 10 * 60
CELERY_TASK_SOFT_TIME_LIMIT = 9 * 60
CELERY_BROKER_TRANSPORT_OPTIONS = {
    "visibility_timeout": 15 * 60,
    "unacked_restore_interval": 10,
    "unacked_restore_throttle": 3,
    # A broker gone without closing the connection must not hang a web request that enqueues.
    "socket_connect_timeout": 5,
    "socket_timeout": 10,
}
# Enqueueing from a request gives up within about a second when Redis is down (config.celery.mettre_en_file):
# the work is already saved in a row that a periodic task sends again.
CELERY_TASK_PUBLISH_RETRY_POLICY = {"max_retries": 2, "interval_start": 0, "interval_step": 0.3, "interval_max": 0.5}
CELERY_TASK_IGNORE_RESULT = True  # every outcome is kept in a row (export, e-mail, alerts)
CELERY_BEAT_SCHEDULE_FILENAME = str(BASE_DIR / "var" / "celerybeat-schedule")
CELERY_BEAT_SCHEDULE = {
    "pilotage-purge-exports": {"task": "pilotage.tasks.purger_exports", "schedule": 60 * 60},
    # Every minute, what was saved but not (or no longer) queued: exports, e-mails, measures written
    # while the alerts' lock was taken (docs/faults.md).
    "pilotage-relancer-exports": {"task": "pilotage.tasks.relancer_exports", "schedule": 60},
    "courriels-relancer": {"task": "courriels.tasks.relancer", "schedule": 60},
    "residents-relancer-imports": {"task": "residents.tasks.relancer_imports", "schedule": 60},
    "echeances-synchroniser-en-attente": {"task": "echeances.tasks.synchroniser_en_attente", "schedule": 60},
    # Filled by the apps that own daily jobs (echeances: the morning run of the échéance engine).
    "echeances-synchroniser-alertes": {
        "task": "echeances.tasks.synchroniser_alertes",
        "schedule": crontab(hour=6, minute=0),  # every morning, Europe/Paris (CELERY_TIMEZONE)
    },
    # Access log kept CONSERVATION_JOURNAL (référentiel), then purged; files past CONSERVATION_DOSSIER anonymised.
    "journal-purger": {"task": "journal.tasks.purger_journal", "schedule": crontab(hour=3, minute=15)},
    "residents-retention": {"task": "residents.tasks.appliquer_retention", "schedule": crontab(hour=3, minute=45)},
}

AUTH_USER_MODEL = "accounts.User"
# django-axes first: it refuses a locked-out username/address before the password is even checked.
AUTHENTICATION_BACKENDS = ["axes.backends.AxesStandaloneBackend", "django.contrib.auth.backends.ModelBackend"]
AXES_FAILURE_LIMIT = 5
AXES_COOLOFF_TIME = timedelta(minutes=15)
# Per username and address: a typo-prone colleague on the same network is not locked out with the
# attacker, and nobody can lock a social worker out from elsewhere.
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_CALLABLE = "accounts.views.compte_bloque"
AXES_VERBOSE = False
# The client's address behind REVERSE_PROXY_COUNT reverse proxies, each appending to X-Forwarded-For (0 by
# default: REMOTE_ADDR, the only safe reading when nothing stands in front of gunicorn). Read by the
# lock-out and by the access log. The installed django-axes only applies AXES_IPWARE_PROXY_COUNT with
# django-ipware, which is not a dependency: axes is given the same reader as the log instead.
REVERSE_PROXY_COUNT = env_int("REVERSE_PROXY_COUNT", 0)
AXES_CLIENT_IP_CALLABLE = "journal.services.adresse_client"
# Second factor (identification référentiel 2022): TOTP with recovery codes, throttled after failures.
OTP_TOTP_ISSUER = "Accompagnement social"
OTP_TOTP_THROTTLE_FACTOR = 1
OTP_STATIC_THROTTLE_FACTOR = 1
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "accueil"
LOGOUT_REDIRECT_URL = "login"
CSRF_FAILURE_VIEW = "accounts.views.echec_csrf"
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 12}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    # Django's list is English-speaking: « motdepasse12 » or « azerty123 » passed. French frequent passwords
    # and their usual variants (digits, years, « ! ») beside it.
    {
        "NAME": "django.contrib.auth.password_validation.CommonPasswordValidator",
        "OPTIONS": {"password_list_path": BASE_DIR / "accounts" / "donnees" / "mots_de_passe_courants_fr.txt"},
    },
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LANGUAGE_CODE = "fr-fr"
LANGUAGES = [("fr", "Français")]
TIME_ZONE = "Europe/Paris"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = BASE_DIR / "var" / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "static"]
MEDIA_ROOT = Path(env_str("MEDIA_ROOT", str(BASE_DIR / "var" / "media")))
MEDIA_URL = "/media/"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"
        if not DEBUG
        else "django.contrib.staticfiles.storage.StaticFilesStorage"
    },
}
DATA_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
# A supporting document of a sanction report (echeances/pieces.py): a scan or a photo of a letter.
SIGNALEMENT_PIECE_TAILLE_MAX = 8 * 1024 * 1024
# The Département's file of new RSA beneficiaries (residents.imports): 20,000 lines of CSV weigh about 2 MB.
IMPORT_ALLOCATAIRES_TAILLE_MAX = 10 * 1024 * 1024

# Every form renders through crispy-forms; templates/bootstrap5/ overrides its field, errors and form
# templates with the accessible markup (accounts/formulaires.py gives each form its FormHelper).
CRISPY_ALLOWED_TEMPLATE_PACKS = "bootstrap5"
CRISPY_TEMPLATE_PACK = "bootstrap5"


EMAIL_BACKEND = env_str("EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend")
EMAIL_HOST = env_str("EMAIL_HOST", "localhost")
EMAIL_PORT = env_int("EMAIL_PORT", 25)
EMAIL_HOST_USER = env_str("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = env_str("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", False)
DEFAULT_FROM_EMAIL = env_str("DEFAULT_FROM_EMAIL", "Accompagnement social <ne-pas-repondre@localhost>")

# Strict Content-Security-Policy: no inline script or style, everything served from our own origin.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF],
        "img-src": [SELF, "data:"],
        "font-src": [SELF],
        "connect-src": [SELF],
        "object-src": [NONE],
        "base-uri": [SELF],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
    }
}

SESSION_COOKIE_AGE = env_int("SESSION_COOKIE_AGE", 60 * 60)  # one hour of inactivity
# Inactivity, not absolute, expiry: accounts.middleware.SessionGlissanteMiddleware moves the end of the session
# at most every SESSION_PROLONGATION seconds (so it ends between 59 and 60 minutes after the last page).
SESSION_PROLONGATION = env_int("SESSION_PROLONGATION", 60)
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
CSRF_COOKIE_HTTPONLY = False  # htmx reads the token from the meta tag, not the cookie
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
if not DEBUG:
    SESSION_COOKIE_SECURE = env_bool("SECURE_COOKIES", True)
    CSRF_COOKIE_SECURE = env_bool("SECURE_COOKIES", True)
    SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", True)
    SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 31536000)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env_str("LOG_LEVEL", "INFO")},
    # WeasyPrint and fontTools report every rendering step at INFO: noise, not events.
    "loggers": {name: {"level": "WARNING"} for name in ("weasyprint", "fontTools")},
}

# --- API v1 (api/, docs/acces.md « API ») -------------------------------------------------------------
# Token only: no session authentication (a browser's cookie never opens the API), JSON only.
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": ["api.authentification.AuthentificationJeton"],
    "DEFAULT_PERMISSION_CLASSES": ["api.permissions.JetonEnVigueur"],
    # orjson: a structure's 3,600 échéances (1 MB of JSON) took 14 ms to encode with the standard library, 2 here.
    "DEFAULT_RENDERER_CLASSES": ["drf_orjson_renderer.renderers.ORJSONRenderer"],
    "DEFAULT_PARSER_CLASSES": ["api.analyse.JSONBorne"],
    "DEFAULT_PAGINATION_CLASS": "api.pagination.CurseurParId",
    "DEFAULT_THROTTLE_CLASSES": ["api.debit.DebitParJeton"],
    "DEFAULT_THROTTLE_RATES": {"jeton": env_str("API_DEBIT", "600/minute")},
    "EXCEPTION_HANDLER": "api.erreurs.gestionnaire",
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
}
API_TAILLE_MAX_OCTETS = env_int("API_TAILLE_MAX_OCTETS", 64 * 1024)
SPECTACULAR_SETTINGS = {
    "TITLE": "Accompagnement social – API",
    "DESCRIPTION": "API v1 pour les systèmes du Département et des partenaires. Jeton d'organisation dans "
    "l'en-tête `Authorization: Bearer <jeton>` ; le jeton voit exactement ce que voient les utilisateurs "
    "qu'il représente. Erreurs en JSON : `{code, message, champs}`.",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SCHEMA_PATH_PREFIX": "/api/v1/",
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "COMPONENT_SPLIT_REQUEST": True,
    "ENUM_NAME_OVERRIDES": {
        "TypeEntretienEnum": "accompagnement.models.TypeEntretien",
        "TypeContratEnum": "referentiel.models.TypeContrat",
        "StatutEntretienEnum": "accompagnement.models.Entretien.Statut",
        "CodeModaliteEnum": "referentiel.models.Modalite.Code",
    },
}
# The throttle's counts, shared by every web process (Redis, as Celery's broker).
CACHES = {
    "default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"},
    "api": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": REDIS_URL, "KEY_PREFIX": "api"},
}
