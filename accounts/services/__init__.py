"""Every write in accounts: teams, memberships and roles, API tokens. Import from here."""

from .memberships import membership_change_role, membership_grant, membership_revoke, team_create
from .roles import roles_sync, roles_sync_after_migrate
from .tokens import api_token_create, api_token_revoke

__all__ = [
    "api_token_create",
    "api_token_revoke",
    "membership_change_role",
    "membership_grant",
    "membership_revoke",
    "roles_sync",
    "roles_sync_after_migrate",
    "team_create",
]
