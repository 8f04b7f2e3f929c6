"""ISO 2859-1 sampling plans (Table 1 level II, Table 2-A normal inspection), percentage plans, the draw."""

import random
from decimal import Decimal

import pytest

from post_reviews.sampling import (
    AQLS,
    SAMPLE_SIZES,
    Plan,
    code_letter,
    draw_sample,
    iso2859_plan,
    lot_decision,
    percentage_plan,
)

LETTERS = "ABCDEFGHJKLMNPQR"


# --- Table 1 ------------------------------------------------------------------------------------------

TABLE_1_LEVEL_II = [
    (2, 8, "A"),
    (9, 15, "B"),
    (16, 25, "C"),
    (26, 50, "D"),
    (51, 90, "E"),
    (91, 150, "F"),
    (151, 280, "G"),
    (281, 500, "H"),
    (501, 1200, "J"),
    (1201, 3200, "K"),
    (3201, 10000, "L"),
    (10001, 35000, "M"),
    (35001, 150000, "N"),
    (150001, 500000, "P"),
]


@pytest.mark.parametrize(("low", "high", "letter"), TABLE_1_LEVEL_II)
def test_code_letter_boundaries(low, high, letter):
    assert code_letter(low) == letter
    assert code_letter(high) == letter
    if low > 2:
        assert code_letter(low - 1) == LETTERS[LETTERS.index(letter) - 1]
    assert code_letter(high + 1) == LETTERS[LETTERS.index(letter) + 1]


@pytest.mark.parametrize("lot", [500001, 1_000_000, 10**9])
def test_code_letter_above_500000_is_q(lot):
    assert code_letter(lot) == "Q"


def test_lot_of_one_is_a():
    assert code_letter(1) == "A"


@pytest.mark.parametrize("lot", [0, -1])
def test_code_letter_rejects_empty_lot(lot):
    with pytest.raises(ValueError):
        code_letter(lot)


def test_sample_sizes():
    assert SAMPLE_SIZES == {
        "A": 2, "B": 3, "C": 5, "D": 8, "E": 13, "F": 20, "G": 32, "H": 50,
        "J": 80, "K": 125, "L": 200, "M": 315, "N": 500, "P": 800, "Q": 1250, "R": 2000,
    }  # fmt: skip


# --- Table 2-A --------------------------------------------------------------------------------------

# (lot size, AQL) -> (letter used, n, Ac, Re), read off the published Table 2-A.
PUBLISHED = [
    (100, "2.5", ("F", 20, 1, 2)),
    (1000, "2.5", ("J", 80, 5, 6)),
    (5000, "2.5", ("L", 200, 10, 11)),
    (500, "2.5", ("H", 50, 3, 4)),
    (1000, "1.0", ("J", 80, 2, 3)),
    (300, "1.0", ("H", 50, 1, 2)),
    (200, "4.0", ("G", 32, 3, 4)),
    (400, "6.5", ("H", 50, 7, 8)),
    (2000, "0.65", ("K", 125, 2, 3)),
    (5000, "1.5", ("L", 200, 7, 8)),
    (100, "10", ("F", 20, 5, 6)),
    (100, "0.65", ("F", 20, 0, 1)),
    (1000, "0.15", ("J", 80, 0, 1)),
    (20000, "0.40", ("M", 315, 3, 4)),
    (100000, "0.10", ("N", 500, 1, 2)),
    (1000, "4.0", ("J", 80, 7, 8)),
    (200, "6.5", ("G", 32, 5, 6)),
    (3000, "2.5", ("K", 125, 7, 8)),
    (20000, "2.5", ("M", 315, 14, 15)),
    (100000, "2.5", ("N", 500, 21, 22)),
    (60, "25", ("E", 13, 7, 8)),
    (8, "1000", ("A", 2, 30, 31)),
    (10, "1000", ("B", 3, 44, 45)),
    (1000000, "0.010", ("Q", 1250, 0, 1)),
]


@pytest.mark.parametrize(("lot", "aql", "expected"), PUBLISHED)
def test_published_plans(lot, aql, expected):
    letter, n, ac, re = expected
    assert iso2859_plan(lot, aql) == Plan(code_letter=letter, sample_size=n, accept=ac, reject=re, method="iso2859")


# Reject numbers for AQL 0.65 to 15, code letters A to Q, transcribed from a reproduction of MIL-STD-105E
# Table II-A (identical to ISO 2859-1 Table 2-A); "v" and "^" are the arrows.
REPRODUCED_BLOCK = {
    #      0.65 1.0 1.5 2.5 4.0 6.5 10  15
    "A": "v v v v v 1 ^ v",
    "B": "v v v v 1 ^ v 2",
    "C": "v v v 1 ^ v 2 3",
    "D": "v v 1 ^ v 2 3 4",
    "E": "v 1 ^ v 2 3 4 6",
    "F": "1 ^ v 2 3 4 6 8",
    "G": "^ v 2 3 4 6 8 11",
    "H": "v 2 3 4 6 8 11 15",
    "J": "2 3 4 6 8 11 15 22",
    "K": "3 4 6 8 11 15 22 ^",
    "L": "4 6 8 11 15 22 ^ ^",
    "M": "6 8 11 15 22 ^ ^ ^",
    "N": "8 11 15 22 ^ ^ ^ ^",
    "P": "11 15 22 ^ ^ ^ ^ ^",
    "Q": "15 22 ^ ^ ^ ^ ^ ^",
}
BLOCK_AQLS = ["0.65", "1.0", "1.5", "2.5", "4.0", "6.5", "10", "15"]
LOT_FOR = {"A": 5, "B": 12, "C": 20, "D": 40, "E": 70, "F": 120, "G": 200, "H": 400, "J": 1000, "K": 2000,
           "L": 5000, "M": 20000, "N": 100000, "P": 300000, "Q": 1000000}  # fmt: skip


def _resolve(column: int, letter: str) -> tuple[str, int]:
    """Follow the arrows in the reproduced block to (letter, Re)."""
    rows = list(REPRODUCED_BLOCK)
    row = rows.index(letter)
    while (cell := REPRODUCED_BLOCK[rows[row]].split()[column]) in "v^":
        row += 1 if cell == "v" else -1
    return rows[row], int(cell)


# A/10 points up out of the table: test_arrow_out_of_the_top_follows_the_column_down covers it.
BLOCK_CELLS = [
    (letter, column) for letter in REPRODUCED_BLOCK for column in range(len(BLOCK_AQLS)) if (letter, column) != ("A", 6)
]


@pytest.mark.parametrize(("letter", "column"), BLOCK_CELLS)
def test_matches_reproduced_table_block(letter, column):
    aql = BLOCK_AQLS[column]
    expected_letter, expected_re = _resolve(column, letter)
    plan = iso2859_plan(LOT_FOR[letter], aql)
    assert (plan.code_letter, plan.reject, plan.accept) == (expected_letter, expected_re, expected_re - 1)
    assert plan.sample_size == min(SAMPLE_SIZES[expected_letter], LOT_FOR[letter])


def test_every_cell_resolves_to_a_plan():
    lots = [1, *[low for low, _, _ in TABLE_1_LEVEL_II], 600000]
    for aql in AQLS:
        for lot in lots:
            plan = iso2859_plan(lot, aql)
            assert plan.code_letter in SAMPLE_SIZES
            assert plan.reject == plan.accept + 1
            assert 1 <= plan.sample_size <= lot


def test_acceptance_numbers_grow_with_aql_and_lot():
    """Table 2-A is monotone: a bigger AQL or a bigger lot never lowers the acceptance number."""
    lots = [low for low, _, _ in TABLE_1_LEVEL_II] + [600000]
    for lot in lots:
        accepts = [iso2859_plan(lot, aql).accept for aql in AQLS]
        assert accepts == sorted(accepts), lot
    for aql in AQLS:
        accepts = [iso2859_plan(lot, aql).accept for lot in lots]
        assert accepts == sorted(accepts), aql


def test_all_standard_aqls_supported():
    assert [str(a) for a in AQLS] == [
        "0.010", "0.015", "0.025", "0.040", "0.065", "0.10", "0.15", "0.25", "0.40", "0.65", "1.0", "1.5",
        "2.5", "4.0", "6.5", "10", "15", "25", "40", "65", "100", "150", "250", "400", "650", "1000",
    ]  # fmt: skip


# --- arrows -----------------------------------------------------------------------------------------


def test_arrow_down_uses_the_plan_below_with_its_sample_size():
    # Lot 10 is B (n=3); AQL 2.5 points down to C: n=5, Ac 0.
    assert iso2859_plan(10, "2.5") == Plan("C", 5, 0, 1, "iso2859")
    # Lot 60 is E (n=13); AQL 2.5 points down to F: n=20, Ac 1.
    assert iso2859_plan(60, "2.5") == Plan("F", 20, 1, 2, "iso2859")
    # Lot 100 is F; AQL 0.10 points down through G..J to K: n=125, Ac 0.
    assert iso2859_plan(100, "0.10") == Plan("K", 100, 0, 1, "iso2859")


def test_arrow_up_uses_the_plan_above_with_its_sample_size():
    # Lot 50 is D (n=8); AQL 2.5 points up to C: n=5, Ac 0.
    assert iso2859_plan(50, "2.5") == Plan("C", 5, 0, 1, "iso2859")
    # Lot 100 is F (n=20); AQL 1.0 points up to E: n=13, Ac 0.
    assert iso2859_plan(100, "1.0") == Plan("E", 13, 0, 1, "iso2859")
    # Lot 200000 is P; AQL 2.5 has no plan beyond N: n=500, Ac 21.
    assert iso2859_plan(200000, "2.5") == Plan("N", 500, 21, 22, "iso2859")
    # Lot 1000 is J; AQL 100 goes up to E: n=13, Ac 21.
    assert iso2859_plan(1000, "100") == Plan("E", 13, 21, 22, "iso2859")


def test_last_row_of_the_low_aqls():
    # R (n=2000) is only reached through a down arrow: Q with AQL 0.025 -> R, Ac 1.
    assert iso2859_plan(600000, "0.025") == Plan("R", 2000, 1, 2, "iso2859")
    assert iso2859_plan(600000, "0.65") == Plan("Q", 1250, 14, 15, "iso2859")
    assert iso2859_plan(600000, "0.010") == Plan("Q", 1250, 0, 1, "iso2859")
    assert iso2859_plan(600000, "0.015") == Plan("P", 800, 0, 1, "iso2859")


def test_arrow_out_of_the_top_follows_the_column_down():
    assert iso2859_plan(8, "10") == Plan("C", 5, 1, 2, "iso2859")


# --- small lots: 100% inspection --------------------------------------------------------------------


@pytest.mark.parametrize(
    ("lot", "aql", "letter"), [(3, "2.5", "C"), (1, "2.5", "C"), (4, "0.65", "F"), (90, "0.10", "K")]
)
def test_lot_smaller_than_the_sample_is_inspected_whole(lot, aql, letter):
    plan = iso2859_plan(lot, aql)
    assert plan.code_letter == letter
    assert SAMPLE_SIZES[letter] >= lot
    assert plan.sample_size == lot


def test_lot_equal_to_the_sample():
    assert iso2859_plan(5, "2.5").sample_size == 5


# --- input checking ---------------------------------------------------------------------------------


@pytest.mark.parametrize("aql", ["2.0", "3", 0, "-1", "abc", "", "nan", "inf", 2000])
def test_aql_not_in_the_table_raises(aql):
    with pytest.raises(ValueError):
        iso2859_plan(100, aql)


@pytest.mark.parametrize("lot", [0, -5])
def test_lot_below_one_raises(lot):
    with pytest.raises(ValueError):
        iso2859_plan(lot, "2.5")


@pytest.mark.parametrize("aql", [Decimal("2.5"), "2.5", 2.5, "2.50", Decimal("2.500")])
def test_aql_spellings(aql):
    assert iso2859_plan(1000, aql) == Plan("J", 80, 5, 6, "iso2859")


@pytest.mark.parametrize("aql", [1, 1.0, "1", "1.0", "1.00", Decimal("1")])
def test_integer_aql_spellings(aql):
    assert iso2859_plan(1000, aql).accept == 2


def test_float_aql_tenths():
    assert iso2859_plan(1000, 0.1) == iso2859_plan(1000, "0.10")
    assert iso2859_plan(1000, 0.065) == iso2859_plan(1000, "0.065")


def test_default_aql_is_2_5():
    assert iso2859_plan(1000) == iso2859_plan(1000, "2.5")


# --- percentage plans -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("lot", "percent", "size"),
    [(100, 10, 10), (30, "10", 3), (31, "10", 4), (7, 10, 1), (1, 5, 1), (200, "12.5", 25), (3, "33.4", 2),
     (50, 100, 50), (10, "0.1", 1), (0, 10, 0), (1000, Decimal("2.5"), 25), (10, 33.3, 4)],
)  # fmt: skip
def test_percentage_plan_sizes(lot, percent, size):
    plan = percentage_plan(lot, percent)
    assert plan == Plan(code_letter=None, sample_size=size, accept=0, reject=1, method="percentage")


def test_percentage_plan_accept_number():
    assert percentage_plan(100, 20, accept=2) == Plan(None, 20, 2, 3, "percentage")


@pytest.mark.parametrize("percent", [0, -1, 101, "abc", "nan"])
def test_percentage_out_of_range_raises(percent):
    with pytest.raises(ValueError):
        percentage_plan(100, percent)


def test_percentage_negative_lot_or_accept_raises():
    with pytest.raises(ValueError):
        percentage_plan(-1, 10)
    with pytest.raises(ValueError):
        percentage_plan(10, 10, accept=-1)


# --- draw -------------------------------------------------------------------------------------------


def test_same_seed_same_sample():
    ids = list(range(1, 501))
    assert draw_sample(ids, 50, seed=42) == draw_sample(ids, 50, seed=42)


def test_different_seeds_usually_differ():
    ids = list(range(1, 501))
    samples = {tuple(draw_sample(ids, 50, seed=seed)) for seed in range(20)}
    assert len(samples) == 20


def test_draw_independent_of_input_order():
    ids = [5, 99, 3, 17, 42, 8, 61, 23, 70, 11]
    assert draw_sample(ids, 4, seed=7) == draw_sample(sorted(ids), 4, seed=7)
    assert draw_sample(ids, 4, seed=7) == draw_sample(list(reversed(ids)), 4, seed=7)
    assert draw_sample(ids, 4, seed=7) == draw_sample(tuple(ids + ids), 4, seed=7)


def test_draw_is_a_sorted_subset_of_the_right_size():
    ids = [10, 20, 30, 40, 50, 60]
    sample = draw_sample(ids, 3, seed=1)
    assert len(sample) == 3
    assert sample == sorted(sample)
    assert set(sample) <= set(ids)


def test_draw_is_stable_across_releases():
    # random.Random(seed).sample is stable across Python versions; a stored seed must re-draw the same ids.
    assert draw_sample(range(1, 21), 5, seed=2024) == sorted(random.Random(2024).sample(range(1, 21), 5))


def test_draw_whole_lot_and_empty():
    assert draw_sample([3, 1, 2], 5, seed=0) == [1, 2, 3]
    assert draw_sample([3, 1, 2], 3, seed=0) == [1, 2, 3]
    assert draw_sample([3, 1, 2], 0, seed=0) == []
    assert draw_sample([], 2, seed=0) == []
    with pytest.raises(ValueError):
        draw_sample([1, 2], -1, seed=0)


def test_draw_with_a_plan():
    ids = list(range(1000, 2000))
    plan = iso2859_plan(len(ids), "2.5")
    assert len(draw_sample(ids, plan.sample_size, seed=3)) == 80


# --- decision ---------------------------------------------------------------------------------------


def test_lot_decision():
    plan = iso2859_plan(1000, "2.5")  # Ac 5, Re 6
    assert lot_decision(plan, 0) == "accepted"
    assert lot_decision(plan, 5) == "accepted"
    assert lot_decision(plan, 6) == "rejected"
    assert lot_decision(plan, 80) == "rejected"


def test_lot_decision_zero_acceptance():
    plan = percentage_plan(100, 10)
    assert lot_decision(plan, 0) == "accepted"
    assert lot_decision(plan, 1) == "rejected"


def test_lot_decision_rejects_negative_count_and_gap():
    with pytest.raises(ValueError):
        lot_decision(iso2859_plan(100), -1)
    with pytest.raises(ValueError):
        lot_decision(Plan(None, 10, 1, 3, "percentage"), 2)
