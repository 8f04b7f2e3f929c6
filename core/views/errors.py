from django.contrib.auth.decorators import login_not_required
from django.shortcuts import render

from core.exceptions import ServiceUnavailable


@login_not_required
def forbidden(request, exception=None):
    return render(request, "errors/403.html", {"reason": str(exception or "")}, status=403)


@login_not_required
def not_found(request, exception=None):
    return render(request, "errors/404.html", status=404)


@login_not_required
def server_error(request):
    # Rendered without a request context: the error may come from a context processor.
    from django.http import HttpResponseServerError
    from django.template import loader

    return HttpResponseServerError(loader.get_template("errors/500.html").render())


def service_unavailable(request, exception=None):
    """The 503 page for an action that needs the broker or cache while it is down."""
    from core.broker import outage_logged

    message = getattr(exception, "message", "") or ServiceUnavailable.default_message
    response = render(request, "errors/503.html", {"reason": message}, status=503)
    return outage_logged(request, response, exception)
