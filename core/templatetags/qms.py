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


def _css_escape(char: str) -> str:
    if char in "\\\"'":
        return "\\" + char
    # Control characters, and what could end the <style> element or start an entity: as hex
    # escapes, with the space that ends an escape (CSS Syntax 4.3.7).
    if ord(char) < 0x20 or ord(char) == 0x7F or char in "<>&":
        return f"\\{ord(char):X} "
    return char


@register.filter(is_safe=True)
def css_string(value) -> str:
    """Escape text for the inside of a quoted CSS string (``content: "{{ x|css_string }}"``).

    ``escapejs`` is for JavaScript: CSS reads its ``\\u002D`` as the letters ``u002D``.
    """
    from django.utils.safestring import mark_safe

    # Safe: every character that HTML or CSS gives a meaning to inside <style> is escaped above.
    return mark_safe("".join(_css_escape(c) for c in str(value)))  # noqa: S308
