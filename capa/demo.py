"""Demo nonconformities and CAPAs in the Brand team, at different stages, one overdue.
Re-runnable: an NC with the same title in the team is left as it is."""

from datetime import timedelta

from django.conf import settings
from django.utils import timezone

from accounts.models import Team, User

from . import services
from .models import Nonconformity

ROOT_CAUSE = {
    "root_cause": "The brief template has no sponsorship field",
    "root_cause_category": "process",
    "five_whys": [
        "The post went out without #ad",
        "The author did not know it was sponsored",
        "The brief did not say so",
        "The brief template has no sponsorship field",
    ],
}


def _nc(team, by, title, category, severity="major", source_kind="complaint"):
    existing = Nonconformity.objects.filter(team=team, title=title).first()
    if existing is not None:
        return existing, False
    nc = services.nonconformity_raise(
        source=None,
        source_kind=source_kind,
        team=team,
        severity=severity,
        category=category,
        title=title,
        description=f"{title}. Found in the weekly post-publication sample.",
        by=by,
    )
    return nc, True


def _to_implementing(nc, owner, item_owner, by):
    capa = services.nonconformity_open_capa(nonconformity_id=nc.pk, owner=owner, by=by)
    services.capa_start_investigation(capa_id=capa.pk, by=by)
    services.capa_set_root_cause(capa_id=capa.pk, by=by, **ROOT_CAUSE)
    services.capa_plan(capa_id=capa.pk, by=by)
    item = services.action_item_add(
        capa_id=capa.pk,
        description="Add a 'sponsored?' field to the brief template",
        action_type="corrective",
        owner=item_owner,
        due_date=timezone.localdate() + timedelta(days=7),
        by=by,
    )
    services.capa_implement(capa_id=capa.pk, by=by)
    return capa, item


def seed(stdout=None) -> dict:
    team = Team.objects.filter(name="Brand").first()
    if team is None:
        return {}
    users = {u.username: u for u in User.objects.filter(username__in=["alice", "ben", "cara", "dan"])}
    alice, ben, cara, dan = (users.get(n) for n in ("alice", "ben", "cara", "dan"))
    if not all((alice, ben, cara, dan)):
        return {}
    password = settings.QMS_DEMO_PASSWORD

    # Implementing, with an overdue action item.
    nc, new = _nc(team, dan, "Sponsored reel without #ad", "disclosure", "critical")
    if new:
        services.nonconformity_contain(
            nonconformity_id=nc.pk, disposition="edited", description="Caption edited to add #ad", by=alice
        )
        _capa, item = _to_implementing(nc, alice, dan, alice)
        # Demo only: the service refuses due dates in the past, so backdate the saved item to
        # show an overdue marker (a plain save, so the history records it).
        item.due_date = timezone.localdate() - timedelta(days=5)
        item._change_reason = "demo data: backdated to show an overdue action"
        item.save()

    # Investigating.
    nc, new = _nc(team, ben, "Broken link in the bio", "link")
    if new:
        capa = services.nonconformity_open_capa(nonconformity_id=nc.pk, owner=ben, by=ben)
        services.capa_start_investigation(capa_id=capa.pk, by=ben)

    # Verifying, the check pending.
    nc, new = _nc(team, cara, "Carousel images without alt text", "accessibility", "minor")
    if new:
        capa, item = _to_implementing(nc, cara, cara, cara)
        services.action_item_complete(item_id=item.pk, note="Template updated", by=cara)
        services.capa_start_verification(
            capa_id=capa.pk,
            criteria="Accessibility defects below 1% of reviewed posts over 30 days",
            metric_key="defect_rate",
            metric_scope={"category": "accessibility", "days": 30},
            comparator="lt",
            threshold="1",  # in the metric's unit: 1 defect per 100 reviews
            by=cara,
        )

    # Closed with a signature.
    nc, new = _nc(team, alice, "Expired promo code in a story", "legal_claims", source_kind="other")
    if new:
        capa, item = _to_implementing(nc, alice, ben, alice)
        services.action_item_complete(item_id=item.pk, note="Checklist item added", by=ben)
        services.capa_start_verification(capa_id=capa.pk, criteria="No expired codes for 30 days", by=alice)
        services.capa_verify(capa_id=capa.pk, result="effective", evidence="0 in 48 stories sampled", by=alice)
        services.capa_close(capa_id=capa.pk, password=password, by=alice, comment="Effective")

    # No corrective action needed (signed), and one still open.
    nc, new = _nc(team, dan, "Typo in a LinkedIn caption", "spelling_grammar", "minor")
    if new:
        services.nonconformity_decide_no_action(
            nonconformity_id=nc.pk,
            justification="One-off typo, corrected within 10 minutes",
            password=password,
            by=alice,
        )
    _nc(team, dan, "Off-brand tone in a reply to a customer", "brand_voice", "minor")
    return {"nonconformities": Nonconformity.objects.filter(team=team).count()}
