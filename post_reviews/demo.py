"""Demo posts for the Brand team: three accounts, a few dozen posts with realistic mistakes,
a checklist from the publishing SOP and some reviews done."""

from datetime import timedelta

from django.utils import timezone

from accounts.models import User
from docs_control.models import Document

from . import services
from .models import Checklist, Post, SocialAccount, Source

ACCOUNTS = [
    ("instagram", "brandco", "Brand & Co"),
    ("x", "brandco", "Brand & Co"),
    ("linkedin", "brand-co", "Brand & Co"),
]

POSTS = [
    # platform, text, sponsored, media alt text (None = no media, "" = missing alt text)
    (
        "instagram",
        "Autumn drop is here 🍂 Our new wool scarves, knitted in Porto. Shop: "
        "https://brand.example/autumn?utm_source=instagram&utm_medium=social&utm_campaign=autumn #ad #knitwear",
        True,
        "Three wool scarves on a wooden chair",
    ),
    (
        "instagram",
        "Loving our collab with @sunny.days — she styled the Porto scarf three ways! Link in bio. #style #autumn",
        True,
        "Influencer wearing a red scarf",
    ),
    ("instagram", "Behind the scenes at the studio today. Huge thanks to the team! #behindthescenes", False, ""),
    (
        "instagram",
        "Weekend mood: slow mornings, warm coffee and our cosiest throw. "
        + "We could talk about texture all day long, honestly. " * 3
        + "#ad",
        True,
        "A grey throw on a sofa",
    ),
    (
        "instagram",
        "Competition time! Win a scarf of your choice — follow us and tag a friend. T&Cs: https://brand.example/terms",
        False,
        "Scarf giveaway graphic",
    ),
    (
        "x",
        "New in: the Porto scarf. 100% wool, made to last. https://brand.example/porto?utm_source=x&utm_medium=social&utm_campaign=autumn",
        False,
        "Red wool scarf folded",
    ),
    ("x", "We're the best knitwear brand in Europe, guaranteed cheapest prices anywhere.", False, None),
    (
        "x",
        "Our store on Rua das Flores is open late on Thursday for the autumn launch 🎉 https://brand.example/events",
        False,
        None,
    ),
    (
        "x",
        "Thanks @knitnews for the lovely review of our scarves! https://knitnews.example/review-brandco",
        False,
        None,
    ),
    (
        "x",
        "Paid partnership with @cosyhome: 20% off throws this week with code COSY20 https://brand.example/throws",
        True,
        "",
    ),
    (
        "linkedin",
        "We are hiring a Social Media Specialist in Porto. Join a team that cares about craft and quality. https://brand.example/careers",
        False,
        None,
    ),
    (
        "linkedin",
        "How we cut packaging waste by 40% this year: a short case study from our operations team. https://brand.example/blog/packaging",
        False,
        "Chart of packaging waste by quarter",
    ),
    ("linkedin", "Proud to announce our B Corp certification journey has begun.", False, None),
    ("linkedin", "Thank you to our partners at Lã Portuguesa for ten years of supplying our wool #sponsored", True, ""),
]


def seed(stdout=None) -> None:
    alice = User.objects.filter(username="alice").first()
    dan = User.objects.filter(username="dan").first()
    if alice is None or dan is None:
        return
    team_id = alice.memberships.get(team__name="Brand").team_id
    if SocialAccount.objects.filter(team_id=team_id, handle="brandco").exists():
        return
    accounts = {}
    for platform, handle, name in ACCOUNTS:
        accounts[platform] = services.account_create(
            team_id=team_id, platform=platform, handle=handle, display_name=name, by=alice
        )
    services.precheck_settings_update(
        team_id=team_id,
        by=alice,
        enabled_rules=list(services.precheck_config_for(team_id).enabled),
        disclosure_tokens=["#ad", "#sponsored", "paid partnership"],
        banned_terms=["guaranteed", "cheapest"],
        restricted_terms=["best", "win"],
        allowed_domains=["brand.example", "knitnews.example"],
        utm_required_domains=["brand.example"],
    )
    now = timezone.now()
    batch = []
    for i, (platform, text, sponsored, alt) in enumerate(POSTS * 2):
        published = i >= len(POSTS)  # the second round: already published, for sampling
        media = (
            [] if alt is None else [{"type": "image", "url": f"https://cdn.brand.example/p{i}.jpg", "alt_text": alt}]
        )
        batch.append(
            (
                accounts[platform].pk,
                services.PostInput(
                    external_id=f"demo-{i:03d}",
                    text=text,
                    url=f"https://{platform}.example/brandco/{i}",
                    media=media,
                    campaign="autumn" if "autumn" in text.lower() else "",
                    sponsored=sponsored,
                    status="published" if published else "scheduled",
                    scheduled_at=None if published else now + timedelta(days=1 + i % 5),
                    published_at=now - timedelta(days=1 + i % 6) if published else None,
                    author_name="Dan Reyes",
                ),
            )
        )
    services.posts_upsert_batch(
        account_by_id={a.pk: a for a in accounts.values()}, items=batch, source=Source.CSV, by=dan
    )
    sop = Document.objects.filter(team_id=team_id, number="SOP-SM-001").first()
    effective = sop.versions.filter(status="effective").first() if sop else None
    if effective is None or Checklist.objects.filter(team_id=team_id).exists():
        return
    checklist = services.checklist_create(
        version_id=effective.pk,
        name="CL-PUB-01 Publishing checklist",
        items=[
            {
                "criterion": "Sponsored content carries a disclosure",
                "category": "disclosure",
                "severity": "critical",
                "sop_section": "3.4",
                "precheck_rule": "disclosure-missing",
            },
            {
                "criterion": "Disclosure visible before the 'more' fold",
                "category": "disclosure",
                "severity": "major",
                "sop_section": "3.4",
                "precheck_rule": "disclosure-below-fold",
            },
            {
                "criterion": "Every image and video has alt text",
                "category": "accessibility",
                "severity": "major",
                "sop_section": "3.2",
                "precheck_rule": "alt-text-missing",
            },
            {
                "criterion": "Links go to approved domains with UTM tags",
                "category": "link",
                "severity": "minor",
                "sop_section": "3.2",
                "precheck_rule": "utm-missing",
            },
            {
                "criterion": "No unapproved claims (best, guaranteed, cheapest)",
                "category": "legal_claims",
                "severity": "critical",
                "sop_section": "3.2",
                "precheck_rule": "banned-term",
            },
            {
                "criterion": "Spelling and grammar are correct",
                "category": "spelling_grammar",
                "severity": "minor",
                "sop_section": "3.2",
            },
            {
                "criterion": "Tone matches the brand voice guide",
                "category": "brand_voice",
                "severity": "minor",
                "sop_section": "3.2",
            },
        ],
        by=alice,
    )
    items = list(checklist.items.all())
    reviewed = Post.objects.filter(team_id=team_id, external_id__in=["demo-000", "demo-005", "demo-011", "demo-006"])
    for post in reviewed:
        results = {item.pk: "pass" for item in items}
        defects = []
        if post.external_id == "demo-006":
            results[items[4].pk] = "fail"
            defects = [
                {"category": "legal_claims", "severity": "major", "note": "Unsupported superlative and price claim."}
            ]
        services.review_submit(
            data=services.ReviewInput(
                post_id=post.pk, checklist_id=checklist.pk, stage="pre_publication", results=results, defects=defects
            ),
            by=alice,
        )
