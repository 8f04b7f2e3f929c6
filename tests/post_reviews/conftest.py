"""Post review fixtures: team A's accounts on three platforms, team B's X account, an effective SOP
with a checklist whose items are linked to pre-check rules, and helpers that store posts the way
the app does (through the services)."""

from dataclasses import dataclass
from datetime import datetime, timedelta

import pytest
from django.utils import timezone

from post_reviews import services
from post_reviews.models import Checklist, Post, SocialAccount, Source
from tests.docs_control.conftest import make_effective_document

CHECKLIST_ITEMS = [
    {
        "criterion": "A sponsored post carries a disclosure",
        "category": "disclosure",
        "severity": "critical",
        "sop_section": "4.1",
        "precheck_rule": "disclosure-missing",
    },
    {
        "criterion": "Every image has alt text",
        "category": "accessibility",
        "severity": "major",
        "sop_section": "4.2",
        "precheck_rule": "alt-text-missing",
    },
    {
        "criterion": "The text fits the platform",
        "category": "other",
        "severity": "major",
        "sop_section": "4.3",
        "precheck_rule": "over-length",
    },
    {
        "criterion": "Spelling and grammar are right",
        "category": "spelling_grammar",
        "severity": "minor",
        "sop_section": "5",
    },
]


@dataclass
class Accounts:
    x: SocialAccount  # team A
    instagram: SocialAccount  # team A
    linkedin: SocialAccount  # team A
    other_x: SocialAccount  # team B


@pytest.fixture
def accounts(people) -> Accounts:
    def make(team, platform, handle, by):
        return services.account_create(team_id=team.pk, platform=platform, handle=handle, by=by)

    return Accounts(
        x=make(people.team_a, "x", "brand", people.qa),
        instagram=make(people.team_a, "instagram", "brand.ig", people.qa),
        linkedin=make(people.team_a, "linkedin", "brand-li", people.qa),
        other_x=make(people.team_b, "x", "agency", people.outsider),
    )


def make_checklist(people, *, number="SOP-PR-001", name="Post review") -> Checklist:
    _, version = make_effective_document(people, number=number)
    return services.checklist_create(version_id=version.pk, name=name, items=CHECKLIST_ITEMS, by=people.qa)


@pytest.fixture
def checklist(people) -> Checklist:
    return make_checklist(people)


def results_for(checklist: Checklist, default: str = "pass", **by_order: str) -> dict[int, str]:
    """Item id -> result; ``results_for(c, item_2="fail")`` fails the second item."""
    return {i.pk: by_order.get(f"item_{i.order}", default) for i in checklist.items.all()}


def make_post(account, external_id: str, *, by, text: str = "Autumn range out now.", source=Source.API, **fields):
    post, _ = services.post_upsert(
        account_id=account.pk,
        data=services.PostInput(external_id=external_id, text=text, **fields),
        source=source,
        by=by,
    )
    return post


def make_posts(account, count: int, *, by, prefix: str = "p", start: int = 0, **fields) -> list[Post]:
    """Many posts in one batch, as an import would store them."""
    items = [
        (account.pk, services.PostInput(external_id=f"{prefix}{n}", text=f"Post number {n}.", **fields))
        for n in range(start, start + count)
    ]
    result = services.posts_upsert_batch(account_by_id={account.pk: account}, items=items, source=Source.CSV, by=by)
    return result["created"]


def noon(days_ago: int) -> datetime:
    return (timezone.now() - timedelta(days=days_ago)).replace(hour=12, minute=0, second=0, microsecond=0)


@pytest.fixture
def other_checklist(people) -> Checklist:
    """A checklist of team B, built by team B's own QA manager from team B's effective SOP."""
    from accounts.roles import Role
    from docs_control import services as docs
    from tests.factories import PASSWORD, MembershipFactory, UserFactory

    qa_b = MembershipFactory(user=UserFactory(username="quinn"), team=people.team_b, role=Role.QA_MANAGER).user
    lead_b = MembershipFactory(user=UserFactory(username="liam"), team=people.team_b, role=Role.TEAM_LEAD).user
    document = docs.document_create(
        team_id=people.team_b.pk,
        number="SOP-B-001",
        title="Agency posts",
        by=people.outsider,
        owner_id=people.outsider.pk,
        required_approvals=1,
        body="## Purpose\nAgency posts are checked.\n",
    )
    version = document.versions.get(status="draft")
    docs.version_submit(version_id=version.pk, by=people.outsider, approver_ids=[lead_b.pk])
    docs.version_approve(version_id=version.pk, by=lead_b, password=PASSWORD)
    return services.checklist_create(version_id=version.pk, name="Agency review", items=CHECKLIST_ITEMS, by=qa_b)
