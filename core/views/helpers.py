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


def run_service(request: HttpRequest, call: Callable[[], object], *, success: str = "", form=None) -> bool:
    """Run a service call from a view. Domain errors become messages (or form field errors when a
    form is given); NotFound still becomes a 404. Returns True when the call succeeded."""
    from django.contrib import messages

    from core.exceptions import DomainError
    from core.exceptions import ValidationError as DomainValidationError

    try:
        call()
    except NotFound:
        raise
    except DomainValidationError as exc:
        for field, errors in exc.errors.items():
            if form is not None and field in form.fields:
                for error in errors:
                    form.add_error(field, error)
            else:
                label = "" if field == "non_field_errors" else f"{field.replace('_', ' ').capitalize()}: "
                messages.error(request, label + " ".join(errors))
        return False
    except DomainError as exc:
        if form is not None:
            form.add_error(None, exc.message)
        else:
            messages.error(request, exc.message)
        return False
    if success:
        messages.success(request, success)
    return True
