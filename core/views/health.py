from django.contrib.auth.decorators import login_not_required
from django.http import JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from core.services import readiness_checks


@login_not_required
@never_cache
@require_GET
def healthz(request):
    return JsonResponse({"status": "ok"})


@login_not_required
@never_cache
@require_GET
def readyz(request):
    checks = readiness_checks()
    ready = all(c["ok"] for c in checks.values())
    response = JsonResponse(
        {"status": "ready" if ready else "not ready", "checks": checks}, status=200 if ready else 503
    )
    # "Not ready" is an answer, not a server error: probes ask every few seconds while a worker
    # starts, and django.request would log each 503 at ERROR. The body names the failing check.
    response._has_been_logged = True
    return response
