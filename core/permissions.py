"""Who may do what with the core kernel's records. Rights, never role names (accounts/roles.py)."""

from accounts.permissions import has_right
from accounts.roles import Right

# An attachment is evidence for something its uploader works on: a document they draft, a post
# they manage, a nonconformity they raise or a CAPA they work, an audit they run. Viewing a team's
# records (a viewer, an admin who only manages members) is not enough.
ATTACH_RIGHTS = frozenset({Right.DOCUMENT_AUTHOR, Right.POST_MANAGE, Right.NC_RAISE, Right.CAPA_WORK, Right.AUDIT_RUN})


def can_upload_attachment(user, team_id: int) -> bool:
    return any(has_right(user, team_id, right) for right in ATTACH_RIGHTS)
