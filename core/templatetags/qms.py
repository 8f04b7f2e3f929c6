from django import template

from core.selectors import history_entries, signatures_of

register = template.Library()


@register.inclusion_tag("core/_history.html")
def history_panel(record, limit: int = 50):
    """Who changed what, when, old → new, for any history-tracked record."""
    return {"entries": history_entries(record, limit=limit)}


@register.inclusion_tag("core/_signatures.html")
def signature_panel(record):
    return {"signatures": list(signatures_of(record))}


@register.filter
def has_right(user, arg: str) -> bool:
    """``{% if user|has_right:"team_id:right" %}`` — the same predicate the services use."""
    from accounts.permissions import has_right as _has_right

    team_id, _, right = arg.partition(":")
    return team_id.isdecimal() and _has_right(user, int(team_id), right)
