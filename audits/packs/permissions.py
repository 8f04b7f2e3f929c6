"""Who may export and download an audit's evidence packs.

Only someone who may see the audit (``audits.permissions.can_view``) gets anywhere near its
packs; a pack or job of an audit they can't see is NotFound, like the audit itself. Starting an
export also needs a part in the audit: its planners, its assigned auditors, or an auditor's
export right in the audit's team. Auditees who see the audit may download what was exported.
"""

from accounts.permissions import has_right
from accounts.roles import Right

from .. import permissions as audit_perms


def can_download_pack(user, audit) -> bool:
    return audit_perms.can_view(user, audit)


def can_export_pack(user, audit) -> bool:
    if not audit_perms.can_view(user, audit):
        return False
    return (
        audit_perms.can_plan(user, audit.team_id)
        or audit_perms.is_assigned(user, audit)
        or has_right(user, audit.team_id, Right.AUDIT_EXPORT)
    )
