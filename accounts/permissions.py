"""Predicates: does a user hold a right in a team. Used by services, API, views and templates alike.

Memberships are loaded once per user object and cached on it, so a page that asks many
questions makes one query.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from .roles import Right, rights_of

if TYPE_CHECKING:
    from .models import User

_CACHE_ATTR = "_qms_roles_by_team"


def roles_by_team(user: User) -> dict[int, frozenset[str]]:
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return {}
    cached = getattr(user, _CACHE_ATTR, None)
    if cached is None:
        from .models import Membership

        found: dict[int, set[str]] = {}
        for team_id, role in Membership.objects.filter(user=user).values_list("team_id", "role"):
            found.setdefault(team_id, set()).add(role)
        cached = {team_id: frozenset(roles) for team_id, roles in found.items()}
        setattr(user, _CACHE_ATTR, cached)
    return cached


def forget_roles(user: User) -> None:
    if hasattr(user, _CACHE_ATTR):
        delattr(user, _CACHE_ATTR)


def team_ids_of(user: User) -> set[int]:
    return set(roles_by_team(user))


def has_role(user: User, team_id: int | None, *roles: str) -> bool:
    return team_id is not None and bool(roles_by_team(user).get(team_id, frozenset()) & set(roles))


def has_right(user: User, team_id: int | None, right: str) -> bool:
    if team_id is None:
        return False
    return right in rights_of(set(roles_by_team(user).get(team_id, frozenset())))


def team_ids_with_right(user: User, right: str) -> set[int]:
    return {tid for tid, roles in roles_by_team(user).items() if right in rights_of(set(roles))}


def can_view_team(user: User, team_id: int) -> bool:
    return has_right(user, team_id, Right.VIEW)


def can_manage_team(user: User, team_id: int) -> bool:
    return has_right(user, team_id, Right.MANAGE_TEAM)


def can_use_admin_site(user: User) -> bool:
    """The Django admin site is for superusers only: it is not scoped by team."""
    return bool(getattr(user, "is_authenticated", False) and user.is_active and user.is_superuser)


def team_ids_managed_by(user: User) -> set[int]:
    return team_ids_with_right(user, Right.MANAGE_TEAM)
