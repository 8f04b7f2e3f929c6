import re

from django.conf import settings
from django.contrib.auth.middleware import LoginRequiredMiddleware as DjangoLoginRequired

_SESSION_KEY = re.compile(r"^[a-z0-9]{1,64}$")


class SessionCookieGuardMiddleware:
    """Drop a session cookie that can't be a session key (NUL bytes, odd characters) before the
    session middleware looks it up: PostgreSQL refuses NUL in text and the lookup would be a 500."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        value = request.COOKIES.get(settings.SESSION_COOKIE_NAME)
        if value is not None and not _SESSION_KEY.match(value):
            del request.COOKIES[settings.SESSION_COOKIE_NAME]
        return self.get_response(request)


class LoginRequiredMiddleware(DjangoLoginRequired):
    """Every page needs a login unless its view is marked ``@login_not_required``.

    The API answers for itself (401/403 from DRF's IsAuthenticated), so it is not redirected
    to the login page; its documentation is a page for people, so it is.
    """

    def process_view(self, request, view_func, view_args, view_kwargs):
        if request.path.startswith("/api/docs/"):
            # DRF marks its views login-exempt; the docs page still sends a person to the login.
            return None if request.user.is_authenticated else self.handle_no_permission(request, view_func)
        if request.path.startswith("/api/"):
            return None
        return super().process_view(request, view_func, view_args, view_kwargs)


class ServiceUnavailableMiddleware:
    """A page whose action needs an unreachable broker or cache answers the 503 page.

    `ServiceUnavailable` from a service, or a Redis/broker connection error raised inside one
    (its transaction has rolled back by the time it gets here), becomes a 503 with Retry-After,
    logged once at WARNING without a traceback: an outage is not a bug. The API maps the same
    errors in `core.api.exceptions`.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_exception(self, request, exception):
        from core.broker import OUTAGE_ERRORS
        from core.exceptions import ServiceUnavailable
        from core.views.errors import service_unavailable

        if not isinstance(exception, (ServiceUnavailable, *OUTAGE_ERRORS)):
            return None
        return service_unavailable(request, exception)
