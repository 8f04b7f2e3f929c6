"""What a locked-out login gets: the HTML page for the site, JSON for the API (django-axes)."""

from axes.helpers import get_client_username, get_cool_off, get_failure_limit
from django.conf import settings
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render

LOCKED_MESSAGE = (
    "Too many failed log-in attempts: this username is locked from this address for {minutes} minutes. "
    "Wait and try again, or ask an administrator to unlock it."
)


def lockout_response(request: HttpRequest, original_response=None, credentials=None) -> HttpResponse:
    cool_off = get_cool_off(request)
    seconds = int(cool_off.total_seconds()) if cool_off else 0
    context = {
        "failure_limit": get_failure_limit(request, credentials),
        "username": get_client_username(request, credentials) or "",
        "cooloff_timedelta": cool_off,
    }
    if request.path.startswith("/api/"):
        response: HttpResponse = JsonResponse(
            {"detail": LOCKED_MESSAGE.format(minutes=max(1, seconds // 60)), "code": "login_locked"},
            status=429,
        )
    else:
        response = render(request, settings.AXES_LOCKOUT_TEMPLATE, context, status=429)
    if seconds:
        response["Retry-After"] = str(seconds)
    return response
