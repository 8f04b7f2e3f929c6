"""Content audits reuse post reviews: a sample of an account's posts in the period under review,
drawn by post_reviews' sampling service (ISO 2859-1 plan, stored seed), and linked to the audit."""

from decimal import Decimal

from django.db import transaction

from accounts.models import User
from audits import permissions as perms
from audits.models import Audit, AuditType
from audits.selectors import audit_lock
from audits.workflow import FINAL
from core.exceptions import TransitionNotAllowed, ValidationError

from ._common import ensure_visible, save


@transaction.atomic
def audit_sample_draw(*, audit_id: int, by: User, aql: str | Decimal = "2.5", seed: int | None = None) -> Audit:
    """Draw the lot once; a repeat returns the audit with its lot unchanged."""
    from post_reviews.services.lots import sampling_lot_create

    audit = audit_lock(audit_id)
    ensure_visible(perms.can_view(by, audit))
    perms.ensure(perms.can_run(by, audit) or perms.can_edit_plan(by, audit), "You don't run this audit.")
    if audit.sampling_lot_id is not None:
        return audit
    if audit.status in FINAL:
        raise TransitionNotAllowed(audit.status, "sample", f"{audit.reference} is {audit.status}.")
    if audit.audit_type != AuditType.CONTENT:
        raise ValidationError({"non_field_errors": "Only content audits draw a sample of posts."})
    if audit.account_id is None or not audit.period_start or not audit.period_end:
        raise ValidationError({"account": "Set the account and the period under review first."})
    lot = sampling_lot_create(
        for_audit=True,
        team_id=audit.account.team_id,
        account_id=audit.account_id,
        period_start=audit.period_start,
        period_end=audit.period_end,
        aql=aql,
        seed=seed,
        by=by,
    )
    audit.sampling_lot = lot
    save(audit, f"sample drawn: lot {lot.pk}", by)
    return audit
