"""Turn domain exceptions into API answers: 404, 403, 409 with the current status, 400 by field,
503 when the broker or cache is unreachable."""

from django.core.exceptions import RequestDataTooBig
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import IntegrityError
from rest_framework import status
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler

from core import exceptions as domain
from core.broker import OUTAGE_ERRORS, outage_logged


def exception_handler(exc, context):
    if isinstance(exc, domain.NotFound):
        return Response({"detail": exc.message}, status=status.HTTP_404_NOT_FOUND)
    if isinstance(exc, domain.PermissionDenied):
        return Response({"detail": exc.message}, status=status.HTTP_403_FORBIDDEN)
    if isinstance(exc, domain.TransitionNotAllowed):
        return Response(
            {"detail": exc.message, "current_status": exc.current, "requested": exc.target},
            status=status.HTTP_409_CONFLICT,
        )
    if isinstance(exc, domain.Conflict):
        body = {"detail": exc.message}
        if exc.current is not None:
            body["current"] = exc.current
        return Response(body, status=status.HTTP_409_CONFLICT)
    if isinstance(exc, domain.ValidationError):
        return Response(exc.errors, status=status.HTTP_400_BAD_REQUEST)
    if isinstance(exc, domain.InvalidPassword):
        return Response({"password": [exc.message]}, status=status.HTTP_400_BAD_REQUEST)
    if isinstance(exc, domain.SigningLocked):
        return Response({"detail": exc.message}, status=status.HTTP_429_TOO_MANY_REQUESTS)
    if isinstance(exc, (domain.ServiceUnavailable, *OUTAGE_ERRORS)):
        # A connection error inside a service transaction has rolled it back: nothing written.
        message = (
            exc.message if isinstance(exc, domain.ServiceUnavailable) else domain.ServiceUnavailable.default_message
        )
        response = Response(
            {"detail": f"{message} Nothing was changed; try again in a minute."},
            status=status.HTTP_503_SERVICE_UNAVAILABLE,
        )
        return outage_logged(context["request"], response, exc)
    if isinstance(exc, DjangoValidationError):
        errors = exc.message_dict if hasattr(exc, "error_dict") else {"non_field_errors": exc.messages}
        return Response(errors, status=status.HTTP_400_BAD_REQUEST)
    if isinstance(exc, IntegrityError):
        # A constraint caught a race the service could not see; the write was rolled back.
        return Response(
            {"detail": "The change conflicts with the current state of the record. Reload and try again."},
            status=status.HTTP_409_CONFLICT,
        )
    if isinstance(exc, RequestDataTooBig):
        # Django's own answer would be an HTML 400; API clients get JSON.
        from core.api.parsers import too_large

        exc = too_large()
    return drf_exception_handler(exc, context)
