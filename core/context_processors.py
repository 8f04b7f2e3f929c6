from django.urls import reverse

from accounts.selectors import memberships_of
from core.registry import nav_entries
from core.selectors import notification_unread_count
from core.views.helpers import active_team_id


def _nav(request) -> list[dict]:
    # The entries the installed apps registered; a module that doesn't exist is absent.
    items = []
    for entry in nav_entries():
        if entry.visible is not None and not entry.visible(request.user):
            continue
        url = reverse(entry.url_name)
        active = request.path == url if url == "/" else request.path.startswith(url)
        items.append({"label": entry.label, "url": url, "active": active})
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
        "nav_items": _nav(request),
        "nav_unread": notification_unread_count(user),
        "nav_teams": list(teams.values()),
        "nav_active_team": teams.get(active),
    }
