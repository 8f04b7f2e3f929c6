"""Measured effectiveness checks: the verdict of a value the metrics job computed.

The metrics app computes the value from its rollups and calls this service; capa never imports
metrics. A check is decided once: the row is locked and a recorded one is returned unchanged.
"""

from decimal import Decimal

from django.db import transaction
from django.utils import timezone

from accounts.models import User
from capa.models import CheckResult, EffectivenessCheck
from capa.services._common import _choice, _lock_capa, _set_status
from capa.workflow import TRANSITIONS, Status
from core.exceptions import TransitionNotAllowed
from core.services import audited_save, notification_enqueue
from core.workflow import assert_transition


@transaction.atomic
def effectiveness_check_record_measurement(
    *, check_id: int, value: Decimal | float, verdict: str, evidence: str = "", by: User | None = None
) -> EffectivenessCheck:
    """Record a measured check's value and verdict (``by`` None: the daily job).

    Effective leaves the CAPA verifying, ready for a QA manager's signed closure; not effective
    sends it back to implementing with the figures as the reason. The owner is told either way.
    """
    check = EffectivenessCheck.objects.select_for_update().select_related("corrective_action").get(pk=check_id)
    if check.result:
        return check
    _choice(verdict, CheckResult, "verdict")
    capa = _lock_capa(check.corrective_action_id)
    if capa.status != Status.VERIFYING:
        raise TransitionNotAllowed(capa.status, "verify", "Effectiveness is checked while verifying.")
    value = Decimal(str(value)).quantize(Decimal("0.0001"))
    check.result = verdict
    check.measured_value = value
    check.evidence = (evidence or "").strip() or f"Measured {check.metric_key} = {value}."
    check.checked_at = timezone.now()
    check.checked_by = by
    audited_save(check, by=by, reason=f"measured check: {verdict.replace('_', ' ')}")
    if verdict == CheckResult.NOT_EFFECTIVE:
        assert_transition(TRANSITIONS, capa.status, Status.IMPLEMENTING)
        reason = f"Measured effectiveness check not met: {check.evidence}"
        _set_status(capa, Status.IMPLEMENTING, "measured check not effective", reopen_reason=reason, by=by)
        title = f"{capa.reference}: not effective, back to implementing"
    else:
        audited_save(capa, by=by, reason="measured check effective")
        title = f"{capa.reference}: effective, ready for closure"
    notification_enqueue(
        recipient=capa.owner,
        kind="capa_check_measured",
        subject=check,
        title=title,
        body=check.evidence,
        url=capa.get_absolute_url(),
    )
    return check
