from django.db import models


class ScopedViewSetMixin:
    """Lists and details read through a selector scoped to the user (``scoped_queryset``).

    DRF checks object permissions only in ``get_object()``, so the list must be scoped here.
    The schema generator has no user: it gets an empty queryset of the model.
    """

    model: type[models.Model]
    lookup_value_regex = r"\d+"

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return self.model.objects.none()
        return self.scoped_queryset(self.request.user)

    def scoped_queryset(self, user):  # pragma: no cover - abstract
        raise NotImplementedError
