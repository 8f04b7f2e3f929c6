"""Permission predicates and labels for post review templates: a page shows an action only when
the predicate the service checks allows it."""

from django import template

from post_reviews import permissions

register = template.Library()


@register.filter
def can_add_posts(user) -> bool:
    return permissions.can_manage_posts_somewhere(user)


@register.filter
def can_sample(user) -> bool:
    return permissions.can_sample_somewhere(user)


@register.filter
def can_manage_checklists(user) -> bool:
    return permissions.can_manage_checklists_somewhere(user)


# Failures are red everywhere; a change since review asks for attention; a pass is green.
_STATE_CLASS = {
    "failed": "text-bg-danger",
    "rejected": "text-bg-danger",
    "passed": "text-bg-success",
    "accepted": "text-bg-success",
    "changed": "text-bg-warning",
    "pending": "text-bg-secondary",
    "open": "text-bg-info",
}


@register.filter
def state_badge(state: str) -> str:
    """The badge class of a post's review state or a lot's status."""
    return _STATE_CLASS.get(state, "text-bg-secondary")
