"""Production: refuses to start without its secrets and hosts; HTTPS everywhere."""

from .base import *  # noqa: F403
from .env import env, postgres_options, required

DEBUG = False
SECRET_KEY = required("DJANGO_SECRET_KEY")
ALLOWED_HOSTS = [h.strip() for h in required("DJANGO_ALLOWED_HOSTS").split(",") if h.strip()]
DATABASES = {"default": env.db_url_config(required("DATABASE_URL"))}
DATABASES["default"]["CONN_MAX_AGE"] = env.int("DJANGO_CONN_MAX_AGE", default=60)
DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
DATABASES["default"].setdefault("OPTIONS", {})["options"] = postgres_options()

# Plain HTTP on loopback only (bin/stack): an explicit switch, refused for any other host name, so
# a real deployment can't lose HTTPS and secure cookies by a forgotten variable.
LOCAL_HTTP = env.bool("QMS_LOCAL_HTTP", default=False)
_LOOPBACK_HOSTS = {"127.0.0.1", "localhost", "::1", "[::1]"}
if LOCAL_HTTP and not set(ALLOWED_HOSTS) <= _LOOPBACK_HOSTS:
    from django.core.exceptions import ImproperlyConfigured

    raise ImproperlyConfigured(
        "QMS_LOCAL_HTTP=1 (plain HTTP, cookies without Secure) is for loopback only: "
        f"DJANGO_ALLOWED_HOSTS must be among {sorted(_LOOPBACK_HOSTS)}, not {ALLOWED_HOSTS}."
    )

SECURE_SSL_REDIRECT = False if LOCAL_HTTP else env.bool("DJANGO_SECURE_SSL_REDIRECT", default=True)
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_HSTS_SECONDS = 0 if LOCAL_HTTP else env.int("DJANGO_HSTS_SECONDS", default=31536000)
SECURE_HSTS_INCLUDE_SUBDOMAINS = not LOCAL_HTTP
SECURE_HSTS_PRELOAD = not LOCAL_HTTP
SESSION_COOKIE_SECURE = not LOCAL_HTTP
CSRF_COOKIE_SECURE = not LOCAL_HTTP
CSRF_COOKIE_HTTPONLY = True
# Behind one reverse proxy: trust its X-Forwarded-For so axes locks the client, not the proxy.
AXES_IPWARE_PROXY_COUNT = env.int("QMS_PROXY_COUNT", default=1)
AXES_IPWARE_META_PRECEDENCE_ORDER = ["HTTP_X_FORWARDED_FOR", "REMOTE_ADDR"]
