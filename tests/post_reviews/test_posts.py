"""Posts stored through the services and the API, with their pre-checks run in the team's context."""

import pytest

from core.exceptions import NotFound, PermissionDenied, ValidationError
from post_reviews import services
from post_reviews.models import Post, PrecheckSettings
from post_reviews.prechecks import RULE_IDS
from tests.post_reviews.conftest import make_post

pytestmark = pytest.mark.django_db

P = "/api/v1/posts/"


def rules_of(post: Post) -> set[str]:
    return {f["rule"] for f in post.prechecks}


def settings_for(people, *, by=None, team=None, **changes):
    values = {
        "enabled_rules": list(RULE_IDS),
        "disclosure_tokens": ["#ad", "#sponsored"],
        "banned_terms": [],
        "restricted_terms": [],
        "allowed_domains": [],
        "utm_required_domains": [],
        **changes,
    }
    return services.precheck_settings_update(team_id=(team or people.team_a).pk, by=by or people.qa, **values)


def test_sponsored_post_without_disclosure_gets_a_critical_finding(people, accounts):
    post = make_post(accounts.instagram, "ig-1", by=people.author, text="Our new sneakers are here!", sponsored=True)
    post.refresh_from_db()
    assert "disclosure-missing" in rules_of(post)
    assert post.precheck_failures > 0
    assert post.prechecked_at is not None
    assert post.author == people.author and post.review_state == "pending"


def test_sponsored_post_with_disclosure_has_no_disclosure_finding(people, accounts):
    post = make_post(accounts.instagram, "ig-1", by=people.author, text="#ad New sneakers!", sponsored=True)
    assert "disclosure-missing" not in rules_of(post)


def test_team_settings_decide_which_rules_run(people, accounts):
    settings_for(people, enabled_rules=[r for r in RULE_IDS if r != "disclosure-missing"])
    quiet = make_post(accounts.instagram, "ig-1", by=people.author, text="New sneakers!", sponsored=True)
    assert "disclosure-missing" not in rules_of(quiet)
    assert quiet.precheck_failures == 0

    settings_for(people, banned_terms=["cheapest"])
    loud = make_post(accounts.instagram, "ig-2", by=people.author, text="The cheapest sneakers!", sponsored=True)
    assert {"disclosure-missing", "banned-term"} <= rules_of(loud)

    # The waiting post stored under the old rules is re-checked under the new ones.
    assert services.posts_recheck_waiting(team_id=people.team_a.pk) == 2
    quiet.refresh_from_db()
    assert "disclosure-missing" in rules_of(quiet) and quiet.precheck_failures > 0


def test_settings_of_one_team_do_not_touch_another(people, accounts):
    settings_for(people, enabled_rules=[])
    post = make_post(accounts.other_x, "b-1", by=people.outsider, text="Sneakers!", sponsored=True)
    assert "disclosure-missing" in rules_of(post)


@pytest.mark.parametrize("who", ["lead", "reviewer", "author", "viewer"])
def test_only_a_qa_manager_changes_precheck_settings(people, who):
    with pytest.raises(PermissionDenied):
        settings_for(people, by=getattr(people, who), enabled_rules=[])
    assert not PrecheckSettings.objects.exists()


def test_precheck_settings_of_another_team_are_not_found(people):
    with pytest.raises(NotFound):
        settings_for(people, team=people.team_b, enabled_rules=[])


def test_unknown_rule_in_settings_is_refused(people):
    with pytest.raises(ValidationError) as exc:
        settings_for(people, enabled_rules=["no-such-rule"])
    assert "no-such-rule" in " ".join(exc.value.errors["enabled_rules"])


# --- API -------------------------------------------------------------------------------------------


def payload(account, external_id="api-1", text="Hello from the API", **extra):
    return {"account": account.pk, "external_id": external_id, "text": text, **extra}


def test_api_upsert_of_one_post_is_idempotent(people, accounts, api_for):
    api = api_for(people.author)
    created = api.post(P, payload(accounts.x), format="json")
    assert created.status_code == 201, created.json()
    assert created.json()["outcome"] == "created"
    post = Post.objects.get()
    assert created.json()["id"] == post.pk and post.source == "api" and post.author == people.author
    history = Post.history.count()

    again = api.post(P, payload(accounts.x), format="json")
    assert again.status_code == 201
    assert again.json() == {"id": post.pk, "external_id": "api-1", "outcome": "unchanged"}
    assert Post.objects.count() == 1 and Post.history.count() == history

    changed = api.post(P, payload(accounts.x, text="Hello again"), format="json")
    assert changed.json()["outcome"] == "updated"
    post.refresh_from_db()
    assert post.text == "Hello again"


def test_api_bulk_upsert_answers_one_result_per_item(people, accounts, api_for):
    api = api_for(people.author)
    api.post(P, payload(accounts.x, "b-0"), format="json")
    items = [
        payload(accounts.x, "b-0"),
        payload(accounts.instagram, "b-1", sponsored=True),
        payload(accounts.linkedin, "b-2"),
    ]
    response = api.post(P, items, format="json")
    assert response.status_code == 201, response.json()
    body = response.json()
    assert [r["external_id"] for r in body] == ["b-0", "b-1", "b-2"]
    assert [r["outcome"] for r in body] == ["unchanged", "created", "created"]
    assert Post.objects.count() == 3


def test_api_bulk_with_one_bad_item_is_400_naming_it_and_writes_nothing(people, accounts, api_for):
    items = [payload(accounts.x, "b-0"), payload(accounts.x, "b-1", text="   "), payload(accounts.x, "b-2")]
    response = api_for(people.author).post(P, items, format="json")
    assert response.status_code == 400
    body = response.json()
    assert set(body) == {"1"} and "text" in body["1"]
    assert Post.objects.count() == 0


def test_api_bulk_with_an_item_failing_the_serializer_is_400_at_its_position(people, accounts, api_for):
    items = [payload(accounts.x, "b-0"), payload(accounts.x, "b-1", status="deleted")]
    response = api_for(people.author).post(P, items, format="json")
    assert response.status_code == 400
    body = response.json()
    assert set(body) == {"1"} and "status" in body["1"]
    assert Post.objects.count() == 0


def test_api_post_to_another_teams_account_is_404(people, accounts, api_for):
    api = api_for(people.author)
    assert api.post(P, payload(accounts.other_x), format="json").status_code == 404
    mixed = [payload(accounts.x, "m-0"), payload(accounts.other_x, "m-1")]
    assert api.post(P, mixed, format="json").status_code == 404
    assert Post.objects.count() == 0


def test_api_post_by_a_viewer_is_403(people, accounts, api_for):
    assert api_for(people.viewer).post(P, payload(accounts.x), format="json").status_code == 403
    assert Post.objects.count() == 0


def test_api_post_detail_includes_prechecks(people, accounts, api_for):
    post = make_post(accounts.instagram, "ig-1", by=people.author, text="Sneakers!", sponsored=True)
    response = api_for(people.reviewer).get(f"{P}{post.pk}/")
    assert response.status_code == 200
    body = response.json()
    assert body["precheck_failures"] == post.precheck_failures > 0
    disclosure = next(f for f in body["prechecks"] if f["rule"] == "disclosure-missing")
    assert disclosure["severity"] == "critical" and disclosure["message"]


def test_another_teams_post_is_404_on_the_api_and_the_pages(people, accounts, api_for, client_for):
    post = make_post(accounts.other_x, "b-1", by=people.outsider)
    assert api_for(people.qa).get(f"{P}{post.pk}/").status_code == 404
    assert post.pk not in [p["id"] for p in api_for(people.qa).get(P).json()["results"]]
    client = client_for(people.qa)
    assert client.get(f"/reviews/posts/{post.pk}/").status_code == 404
    assert client.get(f"/reviews/posts/{post.pk}/review/").status_code == 404
    # The team's own people see it.
    outsider = client_for(people.outsider)
    assert outsider.get(f"/reviews/posts/{post.pk}/").status_code == 200
    assert outsider.get(f"/reviews/posts/{post.pk}/review/").status_code == 200


def test_saving_the_rules_rechecks_waiting_posts_once_committed(people, accounts, django_capture_on_commit_callbacks):
    waiting = make_post(accounts.instagram, "ig-w", by=people.author, text="The cheapest scarves!")
    assert "banned-term" not in rules_of(waiting)

    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        settings_for(people, banned_terms=["cheapest"])

    assert len(callbacks) == 1
    waiting.refresh_from_db()
    assert "banned-term" in rules_of(waiting) and waiting.precheck_failures > 0


def test_adding_an_account_through_the_api_never_tells_which_team_ids_exist(people, accounts, api_for):
    api = api_for(people.qa)
    body = {"platform": "threads", "handle": "brand.threads"}
    for team_id in (people.team_b.pk, 987654321):  # another team's, and none at all: the same answer
        response = api.post("/api/v1/social-accounts/", {**body, "team": team_id}, format="json")
        assert response.status_code == 404, response.content
    created = api.post("/api/v1/social-accounts/", {**body, "team": people.team_a.pk}, format="json")
    assert created.status_code == 201 and created.json()["team"] == people.team_a.pk
    bad = api.post("/api/v1/social-accounts/", {**body, "team": "x", "platform": "myspace"}, format="json")
    assert bad.status_code == 400 and {"team", "platform"} <= set(bad.json())


@pytest.mark.parametrize("query", ["stage=bogus", "outcome=maybe"])
def test_an_unknown_review_filter_value_is_a_400_not_an_empty_list(people, api_for, query):
    response = api_for(people.qa).get(f"/api/v1/post-reviews/?{query}")
    assert response.status_code == 400 and query.split("=")[0] in response.json()
