from django.db.models import Prefetch, QuerySet

from core.exceptions import NotFound

from .models import ApiToken, Membership, Team, User
from .permissions import team_ids_of


def team_list_for(user: User) -> QuerySet[Team]:
    return Team.objects.filter(pk__in=team_ids_of(user)).order_by("name")


def team_get_for(user: User, *, team_id: int) -> Team:
    """A team the user belongs to; any other id is NotFound (404), whether it exists or not."""
    team = (
        team_list_for(user)
        .prefetch_related(
            Prefetch("memberships", queryset=Membership.objects.select_related("user").order_by("user__username"))
        )
        .filter(pk=team_id)
        .first()
    )
    if team is None:
        raise NotFound("No such team.")
    return team


def memberships_of(user: User) -> QuerySet[Membership]:
    return Membership.objects.filter(user=user).select_related("team").order_by("team__name", "role")


def active_team_ids(user: User, active_team_id: int | None) -> set[int]:
    """The teams a page shows: the switcher's choice if it is one of the user's teams, else all of them."""
    mine = team_ids_of(user)
    if active_team_id is not None and active_team_id in mine:
        return {active_team_id}
    return mine


def team_members(
    *, team_id: int | None = None, team_ids: set[int] | None = None, roles: tuple[str, ...] | None = None
) -> QuerySet[User]:
    """Active members of one team (``team_id``) or of any of several (``team_ids``)."""
    teams = {team_id} if team_id is not None else set(team_ids or ())
    qs = User.objects.filter(is_active=True, memberships__team_id__in=teams)
    if roles:
        qs = qs.filter(memberships__role__in=roles)
    return qs.distinct().order_by("username")


def members_by_team(team_ids: set[int], role: str) -> dict[int, list[int]]:
    """Ids of the active members holding ``role`` in each of ``team_ids``, in one query: who a
    reminder job escalates to (team leads, QA managers), for many teams at once."""
    found: dict[int, list[int]] = {}
    if not team_ids:
        return found
    rows = (
        Membership.objects.filter(team_id__in=team_ids, role=role, user__is_active=True)
        .order_by("team_id", "user_id")
        .values_list("team_id", "user_id")
    )
    for team_id, user_id in rows:
        found.setdefault(team_id, []).append(user_id)
    return found


def membership_list_for(user: User, *, team_id: int) -> QuerySet[Membership]:
    """A team's memberships, for a member of that team; another team is NotFound (404)."""
    if team_id not in team_ids_of(user):
        raise NotFound("No such team.")
    return Membership.objects.filter(team_id=team_id).select_related("user").order_by("user__username", "role")


def user_by_username(username: str) -> User | None:
    """An active account by its exact username (a team admin adds people by username)."""
    return User.objects.filter(username=username.strip(), is_active=True).first()


def api_tokens_of(user: User) -> QuerySet[ApiToken]:
    return ApiToken.objects.filter(user=user).order_by("-created_at", "-pk")


def membership_history_for(user: User, *, team_id: int, limit: int = 50) -> list:
    """Who granted, changed or revoked which role in the team, newest first (simple-history rows)."""
    if team_id not in team_ids_of(user):
        raise NotFound("No such team.")
    return list(
        Membership.history.filter(team_id=team_id)
        .select_related("history_user", "user")
        .order_by("-history_date", "-history_id")[:limit]
    )
