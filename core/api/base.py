"""The API's shared pieces: scoped viewsets and the one set of query and body checks."""

from collections.abc import Iterable

from django.db import models
from rest_framework.exceptions import ValidationError

ALWAYS_ALLOWED = frozenset({"cursor", "page_size", "format"})
TRUE_VALUES = frozenset({"1", "true", "yes", "on"})
FALSE_VALUES = frozenset({"0", "false", "no", "off"})


class ScopedViewSetMixin:
    """Lists and details read through a selector scoped to the user (``scoped_queryset``).

    DRF checks object permissions only in ``get_object()``, so the list must be scoped here.
    The schema generator has no user: it gets an empty queryset of the model.
    """

    model: type[models.Model]
    lookup_value_regex = r"[0-9]+"
    # Query parameters a list understands. Anything else is refused: a typo in a filter must
    # not silently return every row.
    filter_params: frozenset[str] = frozenset()

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return self.model.objects.none()
        if self.action == "list":
            unknown = set(self.request.query_params) - self.filter_params - ALWAYS_ALLOWED
            if unknown:
                raise ValidationError({p: "Unknown query parameter." for p in sorted(unknown)})
        return self.scoped_queryset(self.request.user)

    def int_param(self, name: str) -> int | None:
        value = self.request.query_params.get(name)
        if value in (None, ""):
            return None
        if not value.isdecimal():
            raise ValidationError({name: "Must be a whole number."})
        return int(value)

    def bool_param(self, name: str) -> bool | None:
        """A yes/no filter: None when absent; a value that is neither is a 400, not ignored."""
        value = (self.request.query_params.get(name) or "").lower()
        if value == "":
            return None
        if value in TRUE_VALUES or value in FALSE_VALUES:
            return value in TRUE_VALUES
        raise ValidationError({name: "Must be true or false."})

    def choice_param(self, name: str, choices: Iterable[str]) -> str | None:
        """A filter that takes one of ``choices``: None when absent; anything else is a 400."""
        value = self.request.query_params.get(name)
        if value in (None, ""):
            return None
        allowed = list(choices)
        if value not in allowed:
            raise ValidationError({name: f"One of {', '.join(allowed)}."})
        return value

    def scoped_queryset(self, user):  # pragma: no cover - abstract
        raise NotImplementedError


def valid(serializer_class, request, **kwargs) -> dict:
    """Validate a request body with ``serializer_class``: its validated data, or a 400 by field."""
    serializer = serializer_class(data=request.data, **kwargs)
    serializer.is_valid(raise_exception=True)
    return serializer.validated_data
