"""Every write of the CAPA app. Other apps call ``nonconformity_raise``; nothing else writes here.

Each service locks its row, returns early when the change is already done (a retried request is a
no-op), checks the transition table and the permission, saves with a change reason for the
history, signs when the step is a signed one, and enqueues side effects after commit.
"""

from .corrective_actions import (
    action_item_add,
    action_item_complete,
    action_item_notify_owner,
    capa_cancel,
    capa_close,
    capa_implement,
    capa_plan,
    capa_set_root_cause,
    capa_start_investigation,
    capa_start_verification,
    capa_verify,
)
from .effectiveness import effectiveness_check_record_measurement
from .nonconformities import (
    nonconformity_contain,
    nonconformity_decide_no_action,
    nonconformity_link_capa,
    nonconformity_open_capa,
    nonconformity_raise,
)

__all__ = [
    "action_item_add",
    "action_item_complete",
    "action_item_notify_owner",
    "capa_cancel",
    "capa_close",
    "capa_implement",
    "capa_plan",
    "capa_set_root_cause",
    "capa_start_investigation",
    "capa_start_verification",
    "capa_verify",
    "effectiveness_check_record_measurement",
    "nonconformity_contain",
    "nonconformity_decide_no_action",
    "nonconformity_link_capa",
    "nonconformity_open_capa",
    "nonconformity_raise",
]
