"""Demo SOPs for the Brand team: four in force, one revision waiting for Ben, Dan still to acknowledge."""

from django.conf import settings

from accounts.models import User

from . import services
from .models import Document

SOPS = [
    (
        "SOP-SM-001",
        "Publishing and approval of social posts",
        """## 1. Purpose
Every post published on a Brand account is checked before it goes out, so that mistakes are caught
in private rather than in public.

## 2. Scope
All organic and paid posts on X, Instagram, LinkedIn and TikTok accounts owned by the Brand team.

## 3. Procedure
1. The author drafts the post in the scheduling tool with its final media, links and alt text.
2. A reviewer who is **not the author** checks it against checklist CL-PUB-01.
3. Posts with a failed critical item are not scheduled. The reviewer records the defect.
4. Sponsored posts also follow SOP-SM-002 (influencer disclosure).

## 4. Records
The review record in the QMS is the evidence of release (ISO 9001 8.6).
""",
    ),
    (
        "SOP-SM-002",
        "Influencer disclosure",
        """## 1. Purpose
Paid relationships are disclosed clearly, as advertising codes and platform rules require.

## 2. Rules
- Every sponsored post carries `#ad` or the platform's paid-partnership label.
- The disclosure appears **before** the platform's "more" fold.
- Gifted products count as a paid relationship.

## 3. Checks
The pre-check `disclosure-missing` flags sponsored posts without a disclosure token.
""",
    ),
    (
        "SOP-SM-003",
        "Accessibility of social content",
        """## 1. Rules
- Every image and video has alt text that describes what matters in it.
- Videos carry captions; no information is given by colour alone.
- Hashtags use CamelCase so screen readers can say them.

## 2. Evidence
Reviewers fail the item "alt text present" when an image has none.
""",
    ),
    (
        "SOP-SM-004",
        "Crisis response",
        """## 1. Trigger
A post causes public harm, a legal complaint or a sharp rise in negative replies.

## 2. First hour
1. Pause all scheduled posts on the affected account.
2. The team lead decides: take down, edit, or post a correction.
3. Record a nonconformity in the QMS with the containment taken.

## 3. Follow-up
A corrective action with a root cause follows within five working days.
""",
    ),
]

REVISION_BODY_ADDITION = """
## 4. Stories and short video
Disclosure must be visible in the first frame of a story or short video and stay on screen
for at least three seconds.
"""


def seed(stdout=None) -> None:
    password = settings.QMS_DEMO_PASSWORD
    people = {u.username: u for u in User.objects.filter(username__in=["alice", "ben", "cara", "dan", "erin"])}
    if len(people) < 5:
        return
    alice, ben, cara, dan, erin = (people[n] for n in ("alice", "ben", "cara", "dan", "erin"))
    team_id = alice.memberships.get(team__name="Brand").team_id
    for number, title, body in SOPS:
        if Document.objects.filter(team_id=team_id, number=number).exists():
            continue
        document = services.document_create(
            team_id=team_id,
            number=number,
            title=title,
            by=alice,
            owner_id=ben.pk,
            body=body,
            change_summary="First issue",
        )
        version = document.versions.get()
        services.version_submit(version_id=version.pk, by=alice, approver_ids=[cara.pk])
        services.version_approve(version_id=version.pk, by=cara, password=password, comment="Approved for use.")
        for reader in (alice, ben, cara, erin):  # Dan's acknowledgements stay pending.
            services.version_acknowledge(version_id=version.pk, by=reader, password=password)
        if number == "SOP-SM-002":
            draft = services.version_create_draft(
                document_id=document.pk, by=dan, change_summary="Add rules for stories and short video"
            )
            services.version_update_draft(
                version_id=draft.pk,
                by=dan,
                body=draft.body + REVISION_BODY_ADDITION,
                change_summary=draft.change_summary,
                lock_version=draft.lock_version,
            )
            services.version_submit(version_id=draft.pk, by=dan, approver_ids=[ben.pk])
