"""Alice opens the queue, reviews a post with the keyboard only, records a defect, submits and
lands on the next post; the review appears in the post's history."""

import pytest
from playwright.sync_api import expect

from post_reviews import services
from post_reviews.models import Post, PostReview
from tests.docs_control.conftest import make_effective_document

pytestmark = pytest.mark.browser


def _setup(people):
    _, version = make_effective_document(people)
    account = services.account_create(team_id=people.team_a.pk, platform="instagram", handle="brandco", by=people.qa)
    services.checklist_create(
        version_id=version.pk,
        name="Publishing checklist",
        items=[
            {
                "criterion": "Sponsored posts are disclosed",
                "category": "disclosure",
                "severity": "critical",
                "precheck_rule": "disclosure-missing",
            },
            {
                "criterion": "Images have alt text",
                "category": "accessibility",
                "severity": "major",
                "precheck_rule": "alt-text-missing",
            },
            {"criterion": "Spelling is correct", "category": "spelling_grammar", "severity": "minor"},
        ],
        by=people.qa,
    )
    services.posts_upsert_batch(
        account_by_id={account.pk: account},
        items=[
            (account.pk, services.PostInput(external_id="p1", text="Our new scarf, knitted in Porto.", sponsored=True)),
            (account.pk, services.PostInput(external_id="p2", text="Thanks for a great launch night!")),
        ],
        source="csv",
        by=people.author,
    )
    return Post.objects.get(external_id="p1"), Post.objects.get(external_id="p2")


def test_keyboard_review_with_defect_then_next_post(page, live_server, people_live, problems, login):
    first, second = _setup(people_live)
    login("alice")
    page.get_by_role("link", name="Reviews", exact=True).click()
    expect(page.get_by_test_id("queue")).to_contain_text("Our new scarf")
    page.get_by_test_id("start-reviewing").click()
    expect(page.get_by_role("heading", name="Review @brandco (Instagram) #p1")).to_be_visible()
    expect(page.get_by_test_id("prechecks")).to_contain_text("disclosure-missing")

    # Keyboard only from here: the disclosure item is pre-filled "fail" by the pre-check.
    keyboard = page.keyboard
    keyboard.press("?")
    expect(page.locator("#keys-help")).to_be_visible()
    # Bootstrap focuses the dialog once its fade-in ends; Escape is ignored before that.
    expect(page.locator("#keys-help")).to_be_focused()
    keyboard.press("Escape")
    expect(page.locator("#keys-help")).to_be_hidden()
    keyboard.press("f")  # item 1: fail
    keyboard.press("p")  # item 2: pass
    keyboard.press("k")  # back to item 2
    keyboard.press("j")  # item 3
    keyboard.press("n")  # item 3: not applicable
    # The failed critical item's defect is pre-filled from the item, and editable before submit.
    defect = page.get_by_test_id("defect")
    expect(defect).to_have_count(1)
    expect(defect.locator('select[name="defect_category"]')).to_have_value("disclosure")
    expect(defect.locator('select[name="defect_severity"]')).to_have_value("critical")
    defect.locator('input[name="defect_note"]').fill("No #ad on a paid post")
    keyboard.press("Escape")
    keyboard.press("s")

    expect(page.get_by_role("heading", name="Review @brandco (Instagram) #p2")).to_be_visible()
    expect(page.get_by_role("status")).to_contain_text("saved: Fail")
    expect(page).to_have_url(f"{live_server.url}/reviews/posts/{second.pk}/review/")

    review = PostReview.objects.get(post=first)
    assert review.outcome == "fail" and review.reviewer.username == "alice"
    assert {i.result for i in review.items.all()} == {"fail", "pass", "na"}
    assert [(d.category, d.severity, d.note, d.checklist_item.order) for d in review.defects.all()] == [
        ("disclosure", "critical", "No #ad on a paid post", 1)
    ]

    page.goto(f"{live_server.url}/reviews/posts/{first.pk}/")
    expect(page.get_by_test_id("post-reviews")).to_contain_text("Alice Tester")
    expect(page.get_by_test_id("history")).to_contain_text("reviewed: fail")
    assert problems.items == []
