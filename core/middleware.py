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


# PostgreSQL can't store NUL in text, and a lone surrogate can't be encoded to UTF-8: either
# reaching a query or a row is a 500. Query strings and form posts are decoded by Django with
# replacement characters, so only NUL gets through there; JSON bodies are checked by the parser
# (core.api.parsers).
_BAD_CHARACTERS = re.compile("[\x00\ud800-\udfff]")
BAD_CHARACTER_MESSAGE = "Null characters and unpaired surrogates are not allowed."


def bad_character_fields(params) -> list[str]:
    """The names of the parameters in a QueryDict whose name or a value has a bad character."""
    return [
        key.replace("\x00", "\\0")
        for key, values in params.lists()
        if _BAD_CHARACTERS.search(key) or any(_BAD_CHARACTERS.search(v) for v in values)
    ]


class BadInputMiddleware:
    """Answer 400, naming the field, for any query or form parameter with a NUL character, on every
    page and API endpoint: JSON for /api/, the 400 page otherwise."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        fields = bad_character_fields(request.GET)
        if request.method == "POST" and not fields:
            # Parsed only for form content types; a JSON body leaves request.POST empty.
            fields = bad_character_fields(request.POST)
        if fields:
            return bad_input_response(request, fields)
        return self.get_response(request)


def bad_input_response(request, fields: list[str]):
    from django.http import JsonResponse
    from django.shortcuts import render

    if request.path.startswith("/api/"):
        return JsonResponse({field: [BAD_CHARACTER_MESSAGE] for field in fields}, status=400)
    return render(request, "errors/400.html", {"fields": fields, "message": BAD_CHARACTER_MESSAGE}, status=400)
