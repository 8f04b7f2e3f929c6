"""Hostile X archives and CSV files: a bad entry is a bad row with its position and reason, the
good entries around it import, and the run always ends (done or failed with a message), never
stuck in "running"."""

import pytest

from post_reviews import importers, services
from post_reviews.models import ImportRun, Post
from tests.post_reviews.test_imports import HEADER, _tweet, run_import

pytestmark = pytest.mark.django_db

GOOD_1 = '{"tweet": {"id_str": "1001", "full_text": "First", "created_at": "Wed Oct 10 20:19:24 +0000 2018"}}'
GOOD_3 = '{"tweet": {"id_str": "1003", "full_text": "Third", "created_at": "Wed Oct 10 20:19:24 +0000 2018"}}'


def _tweet_with(fields: str) -> str:
    return (
        '{"tweet": {"id_str": "1002", "full_text": "Second", "created_at": "Wed Oct 10 20:19:24 +0000 2018", '
        + fields
        + "}}"
    )


@pytest.fixture
def x_account(people):
    return services.account_create(team_id=people.team_a.pk, platform="x", handle="brand", by=people.qa)


# (the entry between two good tweets, words of the reason)
BAD_ENTRIES = {
    "entities is a list": (_tweet_with('"entities": [1, 2]'), "entities is a list, not an object"),
    "media entry is text": (
        _tweet_with('"extended_entities": {"media": ["x"]}'),
        "extended_entities.media[1] is text, not an object",
    ),
    "url entry is text": (_tweet_with('"entities": {"urls": ["x"]}'), "entities.urls[1] is text, not an object"),
    "expanded_url is a number": (
        _tweet_with('"entities": {"urls": [{"url": "https://t.co/a", "expanded_url": 5}]}'),
        "entities.urls[1].expanded_url is a number, not text",
    ),
    "100,000 nested lists": ("[" * 100_000 + "]" * 100_000, "nested too deeply"),
    "100,000 nested objects in a tweet": (
        _tweet_with('"x": ' + '{"a": ' * 100_000 + "1" + "}" * 100_000),
        "nested too deeply",
    ),
    "id of 5,001 digits": (
        '{"tweet": {"id": ' + "7" * 5001 + ', "full_text": "Second", "created_at": "Wed Oct 10 20:19:24 +0000 2018"}}',
        "id has 5,001 digits; X ids have at most 20",
    ),
    "id_str of 5,001 digits": (
        '{"tweet": {"id_str": "' + "7" * 5001 + '", "full_text": "S", "created_at": "Wed Oct 10 20:19:24 +0000 2018"}}',
        "id_str has 5,001 digits",
    ),
    "id_str is a list": (
        '{"tweet": {"id_str": [1], "full_text": "S", "created_at": "Wed Oct 10 20:19:24 +0000 2018"}}',
        "id_str is a list, not a tweet id",
    ),
    "id_str is not digits": (
        '{"tweet": {"id_str": "../1", "full_text": "S", "created_at": "Wed Oct 10 20:19:24 +0000 2018"}}',
        "is not a tweet id",
    ),
    "entry is a number": ("42", "The entry is a number, not a tweet object"),
    "entry is a list": ('["tweet"]', "The entry is a list, not a tweet object"),
    "entry is null": ("null", "The entry is null, not a tweet object"),
    "no tweet key": ('{"twit": {"id_str": "1002"}}', 'The entry has no "tweet" object'),
    "tweet is text": ('{"tweet": "hello"}', "tweet is text, not an object"),
    "full_text is an object": (
        _tweet_with('"full_text": {"a": 1}').replace('"full_text": "Second", ', ""),
        "full_text is an object",
    ),
    "created_at is a number": (
        '{"tweet": {"id_str": "1002", "full_text": "S", "created_at": 5}}',
        "created_at is a number, not an X date",
    ),
    "created_at before 1900 with an offset": (
        '{"tweet": {"id_str": "1002", "full_text": "S", "created_at": "Mon Jan 01 00:00:00 +2359 0001"}}',
        "created_at",
    ),
    "media type is an object": (
        _tweet_with('"extended_entities": {"media": [{"type": {}, "media_url_https": "https://a/b.jpg"}]}'),
        "extended_entities.media[1].type is an object, not text",
    ),
    "alt text is a list": (
        _tweet_with('"extended_entities": {"media": [{"type": "photo", "ext_alt_text": ["a"]}]}'),
        "ext_alt_text is a list, not text",
    ),
    "a million links": (
        _tweet_with('"entities": {"urls": [' + ",".join(['{"url": "a", "expanded_url": "b"}'] * 1000) + "]}"),
        "entities.urls has 1,000 entries",
    ),
    "lone surrogate in the text": (
        '{"tweet": {"id_str": "1002", "full_text": "\\ud83d", "created_at": "Wed Oct 10 20:19:24 +0000 2018"}}',
        "not valid Unicode",
    ),
    "NUL in the text": (
        '{"tweet": {"id_str": "1002", "full_text": "a\\u0000b", "created_at": "Wed Oct 10 20:19:24 +0000 2018"}}',
        "NUL",
    ),
}


def _archive(entry: str) -> bytes:
    return f"window.YTD.tweets.part0 = [\n{GOOD_1},\n{entry},\n{GOOD_3}\n]".encode()


@pytest.mark.parametrize("case", list(BAD_ENTRIES))
def test_a_malformed_tweet_is_a_bad_row_by_position_and_the_others_import(case):
    entry, reason = BAD_ENTRIES[case]
    rows = list(importers.x_archive_rows(importers.x_archive_entries(_archive(entry)), account_id=7, handle="brand"))

    assert [(line, data is None) for line, data, _ in rows] == [(1, False), (2, True), (3, False)]
    assert reason in rows[1][2]
    assert [data.external_id for _, data, _ in rows if data] == ["1001", "1003"]


@pytest.mark.parametrize("case", ["entities is a list", "100,000 nested lists", "id of 5,001 digits", "no tweet key"])
def test_a_malformed_tweet_does_not_stop_the_run(people, x_account, django_capture_on_commit_callbacks, case):
    entry, reason = BAD_ENTRIES[case]
    run = run_import(
        people, _archive(entry), django_capture_on_commit_callbacks, kind="x_archive", account_id=x_account.pk
    )

    assert run.status == "done", run.message
    assert (run.rows_total, run.rows_done, run.created_count, run.error_count) == (3, 3, 2, 1)
    assert run.errors[0]["line"] == 2 and reason in run.errors[0]["reason"]
    assert set(Post.objects.values_list("external_id", flat=True)) == {"1001", "1003"}


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"window.YTD.tweets.part0 = " + b"[" * 100_000, "nested too deeply and never closed"),
        (b"window.YTD.tweets.part0 = [" + GOOD_1.encode() + b" " + GOOD_3.encode() + b"]", "expected ',' or ']'"),
        (b"window.YTD.tweets.part0 = [" + GOOD_1.encode() + b', {"tweet": ]', "not valid JSON at tweet 2"),
        (b"window.YTD.tweets.part0 = {}", "should hold a list of tweets"),
        (b"window.YTD.tweets.part0 = [] alert(1)", "Unexpected text after the list"),
        (b'window.YTD.tweets.part0 = ["caf\xe9"]', "not UTF-8"),
        (b"[" + GOOD_1.encode() + b"]", "Not an X archive"),
    ],
    ids=["unclosed nesting", "no comma", "broken entry", "not a list", "script after", "not UTF-8", "no prefix"],
)
def test_an_archive_unreadable_at_the_top_level_fails_the_run_with_a_message(
    people, x_account, django_capture_on_commit_callbacks, content, message
):
    run = run_import(people, content, django_capture_on_commit_callbacks, kind="x_archive", account_id=x_account.pk)

    assert run.status == "failed" and message in run.message
    assert run.finished_at is not None
    assert Post.objects.count() == 0


def test_an_unexpected_error_in_the_parser_fails_the_run_with_a_message(
    people, x_account, django_capture_on_commit_callbacks, monkeypatch
):
    def broken(*args, **kwargs):
        yield 2, None, "fine"
        raise KeyError("a defect")

    monkeypatch.setattr(importers, "csv_rows", broken)
    run = run_import(people, HEADER + b"x:brand,x-1,A post,,no\n", django_capture_on_commit_callbacks)

    assert run.status == "failed"
    assert "unexpected error" in run.message
    assert ImportRun.objects.get().status == "failed"


def test_a_real_archive_with_a_flat_tweet_list_still_imports():
    # Older archives list the tweets themselves, without the {"tweet": ...} wrapper.
    flat = _tweet("1050118621198921728", "Flat")["tweet"]
    import json

    raw = b"window.YTD.tweet.part0 = " + json.dumps([flat]).encode()
    rows = list(importers.x_archive_rows(importers.x_archive_entries(raw), account_id=7, handle="brand"))
    assert rows[0][1] is not None and rows[0][1].external_id == "1050118621198921728"
