"""``{% evidence_packs audit %}``: the audit page's "Evidence packs" card (its exports and the
export button), without the audit page's view having to know about packs."""

from django import template

from audits.packs.permissions import can_export_pack
from audits.packs.selectors import pack_jobs_of

register = template.Library()


@register.inclusion_tag("audits/pack/_section.html", takes_context=True)
def evidence_packs(context, audit):
    user = context["request"].user
    return {
        "audit": audit,
        "jobs": pack_jobs_of(audit),
        "can_export": can_export_pack(user, audit),
        "csrf_token": context.get("csrf_token"),
    }
