"""Permission predicates for templates: a page shows an action only when the predicate the
service checks allows it."""

from django import template

from capa import permissions

register = template.Library()


@register.filter
def can_raise_nc(user) -> bool:
    return permissions.can_raise_somewhere(user)
