"""The CSV parser on its own (no database): every way a file can be wrong is a bad row by line or
one clear message for the file, and messages never carry a raw NUL or undecodable byte."""

import csv
import io

import pytest

from core.exceptions import ValidationError
from post_reviews import importers

ACCOUNTS = {"brand": 1, "x:brand": 1, "instagram:brand": 2, "both": None, "x:both": 3, "instagram:both": 4}
HEADER = b"account,external_id,text\n"


def rows(content: bytes) -> list[tuple[int, str]]:
    """(line, external id or reason) per row."""
    return [
        (line, data.external_id if data else reason)
        for line, data, reason in importers.csv_rows(io.BytesIO(content), ACCOUNTS)
    ]


def file_error(content: bytes) -> str:
    with pytest.raises(ValidationError) as exc:
        rows(content)
    (message,) = exc.value.errors["file"]
    assert "\x00" not in message and "\ufffd" not in message
    return message


def test_good_rows_carry_their_first_line_even_when_a_text_spans_lines():
    content = HEADER + b'brand,a,"one\ntwo\nthree"\n\nbrand,b,four\n'
    assert rows(content) == [(2, "a"), (6, "b")]


@pytest.mark.parametrize(
    ("line", "reason"),
    [
        (b"brand,a,A p\x00ost\n", "NUL"),
        (b"brand,a,Caf\xe9\n", "Not valid UTF-8"),
        (b"brand,a\n", "Expected 3 columns, found 2"),
        (b"brand,a,b,c\n", "Expected 3 columns, found 4"),
        (b"nobody,a,text\n", "Unknown account 'nobody'"),
        (b"n\x00body,a,text\n", "Unknown account 'n\\x00body'"),
        (b"both,a,text\n", "several platforms: write it as platform:handle"),
        (b'brand,a,"' + b"x" * 200_000 + b'"\n', "A field is longer than 131,072 characters"),
        (b"brand,,text\n", "external id is required"),
        (b"brand,a,\n", "no text"),
    ],
    ids=["nul", "latin-1", "short", "long", "account", "nul account", "ambiguous", "huge field", "no id", "no text"],
)
def test_a_bad_row_is_reported_by_line_and_the_next_row_still_imports(line, reason):
    result = rows(HEADER + line + b"brand,z,Fine\n")
    assert result[0][0] == 2 and reason in result[0][1]
    assert result[-1] == (3, "z")


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"", "The file is empty"),
        (b"account,external_id\n", "Line 1 (header): missing column(s) text"),
        (b"account,external_id,text,text\n", "repeated column(s) text"),
        (b"account,external_id,text,c\x00l\n", "unknown column(s) 'c\\x00l'"),
        (b"account,external_id,text,caf\xe9\n", "Line 1 (header) is not valid UTF-8"),
        ("account,external_id,text\n".encode("utf-16"), "UTF-16"),
        (b"account,external_id,text," + b",".join(b"c%d" % i for i in range(50)) + b"\n", "and 40 more"),
    ],
    ids=["empty", "missing", "repeated", "nul in a name", "latin-1 header", "utf-16", "many unknown"],
)
def test_a_file_that_cant_be_read_is_one_clear_message(content, message):
    assert message in file_error(content)


def test_a_byte_order_mark_and_crlf_line_ends_are_fine():
    assert rows(b'\xef\xbb\xbfAccount,External_ID,Text\r\nbrand,a,"x\r\ny"\r\nbrand,b,z\r\n') == [(2, "a"), (4, "b")]


def test_the_record_count_counts_records_not_lines():
    content = HEADER + b'brand,a,"one\ntwo"\n\n\nbrand,b,"x\n\n\ny"\nbrand,c,\xff\n'
    assert importers.csv_count_records(io.BytesIO(content)) == 3 == len(rows(content))
    assert importers.csv_count_records(io.BytesIO(b"")) == 0


def test_the_field_limit_is_csvs_own():
    # A field over the limit is one bad row; nothing raises the process-wide limit.
    assert csv.field_size_limit() == 131_072
