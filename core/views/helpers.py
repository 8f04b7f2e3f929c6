"""Small helpers that keep views thin: domain errors become the right HTTP answer."""

from collections.abc import Callable
from functools import wraps

from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.http import Http404, HttpRequest, HttpResponse

from core.exceptions import NotFound, PermissionDenied


def domain_errors(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """NotFound → 404 and PermissionDenied → 403 pages. Validation errors stay with the view,
    which shows them next to the fields."""

    @wraps(view)
    def wrapper(request: HttpRequest, *args, **kwargs) -> HttpResponse:
        try:
            return view(request, *args, **kwargs)
        except NotFound as exc:
            raise Http404(exc.message) from exc
        except PermissionDenied as exc:
            raise DjangoPermissionDenied(exc.message) from exc

    return wrapper


def active_team_id(request: HttpRequest) -> int | None:
    value = request.session.get("active_team_id")
    return value if isinstance(value, int) else None


class Outcome:
    """What ``run_service`` gives back: true when the service succeeded, with its result."""

    __slots__ = ("ok", "value")

    def __init__(self, ok: bool, value: object = None):
        self.ok = ok
        self.value = value

    def __bool__(self) -> bool:
        return self.ok


def add_domain_errors(form, errors: dict[str, list[str]]) -> None:
    """Show a service's ValidationError next to the field it names, or on top of the form."""
    for field, messages_ in errors.items():
        for message in messages_ if isinstance(messages_, list) else [messages_]:
            form.add_error(field if field in form.fields else None, str(message))


def run_service(request: HttpRequest, call: Callable[[], object], *, success: str = "", form=None) -> Outcome:
    """The one adapter between a page and a service.

    Runs ``call``; on success shows ``success`` (if given) and returns a true ``Outcome`` holding
    the service's result. Domain errors become form errors when a form is given (by field; a
    wrong signing password on the ``password`` field), otherwise messages, and the outcome is
    false. NotFound and PermissionDenied propagate so ``domain_errors`` answers 404 / 403, and
    ServiceUnavailable so ``core.middleware.ServiceUnavailableMiddleware`` answers the 503 page.
    """
    from django.contrib import messages

    from core.exceptions import DomainError, InvalidPassword, ServiceUnavailable
    from core.exceptions import ValidationError as DomainValidationError

    try:
        result = call()
    except (NotFound, PermissionDenied, ServiceUnavailable):
        raise
    except DomainValidationError as exc:
        if form is not None:
            add_domain_errors(form, exc.errors)
        else:
            for field, errors in exc.errors.items():
                label = "" if field == "non_field_errors" else f"{field.replace('_', ' ').capitalize()}: "
                messages.error(request, label + " ".join(map(str, errors)))
        return Outcome(False)
    except InvalidPassword as exc:
        if form is not None:
            form.add_error("password" if "password" in form.fields else None, exc.message)
        else:
            messages.error(request, exc.message)
        return Outcome(False)
    except DomainError as exc:
        if form is not None:
            form.add_error(None, exc.message)
        else:
            messages.error(request, exc.message)
        return Outcome(False)
    if success:
        messages.success(request, success)
    return Outcome(True, result)
