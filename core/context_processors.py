from django.urls import NoReverseMatch, reverse

from accounts.selectors import memberships_of
from core.selectors import notification_unread_count
from core.views.helpers import active_team_id

# The navigation; a module that is not installed yet shows as such instead of a fake page.
NAV = [
    ("Dashboard", "core:dashboard"),
    ("Documents", "docs_control:register"),
    ("Reviews", "post_reviews:queue"),
    ("Audits", "audits:list"),
    ("CAPA", "capa:board"),
]


def _nav(path: str) -> list[dict]:
    items = []
    for label, name in NAV:
        try:
            url = reverse(name)
        except NoReverseMatch:
            url = None
        active = bool(url) and (path == url if url == "/" else path.startswith(url))
        items.append({"label": label, "url": url, "active": active})
    return items


def shell(request) -> dict:
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    memberships = list(memberships_of(user))
    teams = {}
    for m in memberships:
        teams.setdefault(m.team_id, {"id": m.team_id, "name": m.team.name, "roles": []})
        teams[m.team_id]["roles"].append(m.get_role_display())
    active = active_team_id(request)
    return {
        "nav_items": _nav(request.path),
        "nav_unread": notification_unread_count(user),
        "nav_teams": list(teams.values()),
        "nav_active_team": teams.get(active),
    }
