"""Hypothesis straight at the import parsers: whatever the file holds, a parser only ever yields
rows and row errors, or refuses the whole file with one message. Nothing else is raised, every
position is reported once in order, and every reason and message can be stored (no NUL, no lone
surrogate). Derandomised, so a failure reproduces."""

import io
import json

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from core.exceptions import ValidationError
from post_reviews import importers
from post_reviews.services.posts import PostInput

FUZZ = settings(max_examples=200, deadline=None, derandomize=True, suppress_health_check=[HealthCheck.too_slow])
ACCOUNTS = {"brand": 1, "x:brand": 1, "both": None, "x:both": 2}
PREFIX = b"window.YTD.tweets.part0 = "

scalars = st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=20)
json_values = st.recursive(
    scalars,
    lambda children: st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=8), children, max_size=4),
    max_leaves=20,
)


def maybe(right):
    """Usually the right shape, sometimes any JSON at all."""
    return st.integers(0, 5).flatmap(lambda n: json_values if n == 0 else right)


def shaped(required=(), **fields):
    """An object whose fields are usually of the right shape; the required ones usually there."""
    return st.one_of(
        st.fixed_dictionaries(
            {k: maybe(v) for k, v in fields.items() if k in required},
            optional={k: maybe(v) for k, v in fields.items() if k not in required},
        ),
        st.fixed_dictionaries({}, optional={k: maybe(v) for k, v in fields.items()}),
    )


counts = (
    st.from_regex(r"[0-9]{1,22}", fullmatch=True)
    | st.integers(min_value=-(10**25), max_value=10**25)
    | st.sampled_from(["", "-1", "1.5", " 7 ", "1e3", "\u0661"])
)
link = shaped(url=st.just("https://t.co/a") | st.text(max_size=10), expanded_url=st.text(max_size=20))
media = shaped(
    type=st.sampled_from(["photo", "video", "animated_gif", "other"]),
    media_url_https=st.text(max_size=20),
    ext_alt_text=st.text(max_size=20),
)
tweet = shaped(
    ("id_str", "full_text", "created_at"),
    id_str=st.from_regex(r"[0-9]{1,24}", fullmatch=True),
    id=st.integers(min_value=-1, max_value=10**30),
    full_text=st.text(min_size=1, max_size=60),
    text=st.text(max_size=20),
    created_at=st.just("Wed Oct 10 20:19:24 +0000 2018") | st.text(max_size=40),
    entities=shaped(urls=st.lists(maybe(link), max_size=3), media=st.lists(maybe(media), max_size=3)),
    extended_entities=shaped(media=st.lists(maybe(media), max_size=3)),
    # Engagement counts: the archive writes digit strings; sometimes numbers, negatives, huge ones.
    favorite_count=counts,
    retweet_count=counts,
    reply_count=counts,
    bookmark_count=counts,
    impression_count=counts,
    view_count=counts,
)
entries = st.lists(maybe(st.fixed_dictionaries({"tweet": maybe(tweet)})) | tweet, max_size=6)


def pieces(*tokens: str, max_size: int = 80):
    """Text made of the given characters and words, joined in any order."""
    return st.lists(st.sampled_from(tokens), max_size=max_size).map("".join)


csvish = pieces(
    *',"\n\r\x00ab @:|é\ufeff',
    *("brand", "x:both", "yes", "2026-01-05T09:30:00Z"),
    *("12", "-3", "1.5", "٣", "99999999999999999999"),  # engagement counts, good and bad
)
CSV_HEADER = b"account,external_id,text,sponsored,published_at,media_url,likes,impressions\n"


def storable(text: str) -> bool:
    try:
        text.encode()
    except UnicodeEncodeError:
        return False
    return "\x00" not in text


def check(rows: list, count: int | None = None) -> None:
    positions = []
    for position, data, third in rows:
        assert isinstance(position, int) and position >= 1
        if data is None:
            assert isinstance(third, str) and third and storable(third), third
        else:
            assert isinstance(data, PostInput) and isinstance(third, int)
            assert data.errors() == {}
        positions.append(position)
    assert positions == sorted(set(positions))
    if count is not None:
        assert len(rows) == count


def x_rows(raw: bytes) -> list | None:
    try:
        found = importers.x_archive_entries(raw)
    except ValidationError as exc:
        assert all(storable(m) for msgs in exc.errors.values() for m in msgs)
        return None
    rows = list(importers.x_archive_rows(found, account_id=1, handle="brand"))
    check(rows, len(found))
    assert [p for p, _, _ in rows] == list(range(1, len(found) + 1))
    return rows


def csv_rows(raw: bytes) -> list | None:
    try:
        rows = list(importers.csv_rows(io.BytesIO(raw), ACCOUNTS))
    except ValidationError as exc:
        assert all(storable(m) for msgs in exc.errors.values() for m in msgs)
        return None
    check(rows, importers.csv_count_records(io.BytesIO(raw)))
    return rows


@FUZZ
@given(entries)
def test_tweet_shaped_archives_give_rows_and_row_errors_only(items):
    rows = x_rows(PREFIX + json.dumps(items).encode())
    assert rows is not None and len(rows) == len(items)


@FUZZ
@given(json_values)
def test_any_json_archive_gives_rows_or_one_file_error(value):
    x_rows(PREFIX + json.dumps(value).encode())


@FUZZ
@given(st.binary(max_size=300))
def test_any_bytes_after_the_prefix_give_rows_or_one_file_error(raw):
    x_rows(PREFIX + raw)
    x_rows(raw)


@FUZZ
@given(pieces(*'[]{}",:0123456789 \n\\ue-.tfaln', '"tweet"', '"id_str"', '"entities"', "null", "[" * 2000))
def test_json_like_noise_after_the_prefix_gives_rows_or_one_file_error(text):
    x_rows(PREFIX + text.encode())


@FUZZ
@given(st.binary(max_size=300))
def test_any_bytes_as_csv_give_rows_or_one_file_error(raw):
    csv_rows(raw)
    csv_rows(CSV_HEADER + raw)


@FUZZ
@given(csvish)
def test_csv_like_text_gives_rows_and_row_errors_counted_as_records(text):
    csv_rows(CSV_HEADER + text.encode("utf-8", "surrogatepass"))


cells = st.sampled_from(
    [
        *("brand", "x:both", "a1", "Hi", "yes", "", "2026-01-05T09:30:00Z", '"q,uoted"'),
        *("12", "0", "-3", "1.5", "٣", " 4 ", "1e3", "99999999999999999999", "9223372036854775807"),
    ]
)
csv_records = st.lists(st.lists(cells, min_size=7, max_size=9).map(",".join), max_size=6).map("\n".join)


@FUZZ
@given(csv_records)
def test_csv_rows_with_engagement_columns_give_whole_non_negative_counts_or_row_errors(text):
    rows = csv_rows(CSV_HEADER + text.encode())
    for _, data, _ in rows or []:
        if data is not None:
            assert all(type(v) is int and 0 <= v < 2**63 for v in data.engagement().values())


@FUZZ
@given(entries)
def test_archive_counts_are_whole_non_negative_numbers(items):
    for _, data, _ in x_rows(PREFIX + json.dumps(items).encode()) or []:
        if data is not None:
            assert all(type(v) is int and 0 <= v < 2**63 for v in data.engagement().values())
