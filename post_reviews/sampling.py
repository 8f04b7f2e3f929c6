"""Acceptance sampling for post-publication review: which posts of a lot to review, and the verdict.

ISO 2859-1 single sampling plans (normal inspection, general inspection level II) indexed by AQL,
fixed-percentage plans, and a reproducible random draw. Pure functions, no database.

ISO 2859-1 Table 1 and Table 2-A are the same as MIL-STD-105E Table I and Table II-A (and ANSI/ASQ Z1.4).
"""

import random
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import ROUND_CEILING, Decimal, InvalidOperation

ISO2859 = "iso2859"
PERCENTAGE = "percentage"
ACCEPTED = "accepted"
REJECTED = "rejected"


@dataclass(frozen=True)
class Plan:
    code_letter: str | None  # letter of the plan used (after following arrows); None for percentage plans
    sample_size: int  # never more than the lot size (100% inspection when the table's n >= lot size)
    accept: int  # Ac: the lot is accepted with this many defectives or fewer
    reject: int  # Re: the lot is rejected with this many defectives or more
    method: str  # "iso2859" | "percentage"


# Table 1, general inspection level II: (largest lot size, code letter). Lots above 500,000 are Q.
_CODE_LETTERS: tuple[tuple[int, str], ...] = (
    (8, "A"),
    (15, "B"),
    (25, "C"),
    (50, "D"),
    (90, "E"),
    (150, "F"),
    (280, "G"),
    (500, "H"),
    (1200, "J"),
    (3200, "K"),
    (10000, "L"),
    (35000, "M"),
    (150000, "N"),
    (500000, "P"),
)

# Sample size of each code letter (Table 2-A). R is reached only through arrows at level II.
SAMPLE_SIZES: dict[str, int] = {
    "A": 2,
    "B": 3,
    "C": 5,
    "D": 8,
    "E": 13,
    "F": 20,
    "G": 32,
    "H": 50,
    "J": 80,
    "K": 125,
    "L": 200,
    "M": 315,
    "N": 500,
    "P": 800,
    "Q": 1250,
    "R": 2000,
}
_LETTERS = tuple(SAMPLE_SIZES)

# Table 2-A, single sampling plans for normal inspection. Each line is one AQL column of the printed
# table read top to bottom (code letters A to R). A number is the acceptance number Ac; the rejection
# number is always Ac + 1 in single sampling. "↓" means use the first plan further along the line
# (a larger sample), "↑" the first plan before it (a smaller sample), each with its own sample size.
# AQLs up to 10 are percent nonconforming or nonconformities per 100 items; above 10, nonconformities
# per 100 items only, which is why Ac can exceed the sample size there.
# Row R of the 0.015 column is the last row, so nothing lies below it: it points up, to P (n=800, Ac 0).
# fmt: off
_TABLE_2A: dict[str, str] = {
    # AQL         A   B   C   D   E   F   G   H   J   K   L   M   N   P   Q   R
    "0.010":   "  ↓   ↓   ↓   ↓   ↓   ↓   ↓   ↓   ↓   ↓   ↓   ↓   ↓   ↓   0   ↑",
    "0.015":   "  ↓   ↓   ↓   ↓   ↓   ↓   ↓   ↓   ↓   ↓   ↓   ↓   ↓   0   ↑   ↑",
    "0.025":   "  ↓   ↓   ↓   ↓   ↓   ↓   ↓   ↓   ↓   ↓   ↓   ↓   0   ↑   ↓   1",
    "0.040":   "  ↓   ↓   ↓   ↓   ↓   ↓   ↓   ↓   ↓   ↓   ↓   0   ↑   ↓   1   2",
    "0.065":   "  ↓   ↓   ↓   ↓   ↓   ↓   ↓   ↓   ↓   ↓   0   ↑   ↓   1   2   3",
    "0.10":    "  ↓   ↓   ↓   ↓   ↓   ↓   ↓   ↓   ↓   0   ↑   ↓   1   2   3   5",
    "0.15":    "  ↓   ↓   ↓   ↓   ↓   ↓   ↓   ↓   0   ↑   ↓   1   2   3   5   7",
    "0.25":    "  ↓   ↓   ↓   ↓   ↓   ↓   ↓   0   ↑   ↓   1   2   3   5   7  10",
    "0.40":    "  ↓   ↓   ↓   ↓   ↓   ↓   0   ↑   ↓   1   2   3   5   7  10  14",
    "0.65":    "  ↓   ↓   ↓   ↓   ↓   0   ↑   ↓   1   2   3   5   7  10  14  21",
    "1.0":     "  ↓   ↓   ↓   ↓   0   ↑   ↓   1   2   3   5   7  10  14  21   ↑",
    "1.5":     "  ↓   ↓   ↓   0   ↑   ↓   1   2   3   5   7  10  14  21   ↑   ↑",
    "2.5":     "  ↓   ↓   0   ↑   ↓   1   2   3   5   7  10  14  21   ↑   ↑   ↑",
    "4.0":     "  ↓   0   ↑   ↓   1   2   3   5   7  10  14  21   ↑   ↑   ↑   ↑",
    "6.5":     "  0   ↑   ↓   1   2   3   5   7  10  14  21   ↑   ↑   ↑   ↑   ↑",
    "10":      "  ↑   ↓   1   2   3   5   7  10  14  21   ↑   ↑   ↑   ↑   ↑   ↑",
    "15":      "  ↓   1   2   3   5   7  10  14  21   ↑   ↑   ↑   ↑   ↑   ↑   ↑",
    "25":      "  1   2   3   5   7  10  14  21   ↑   ↑   ↑   ↑   ↑   ↑   ↑   ↑",
    "40":      "  2   3   5   7  10  14  21   ↑   ↑   ↑   ↑   ↑   ↑   ↑   ↑   ↑",
    "65":      "  3   5   7  10  14  21   ↑   ↑   ↑   ↑   ↑   ↑   ↑   ↑   ↑   ↑",
    "100":     "  5   7  10  14  21   ↑   ↑   ↑   ↑   ↑   ↑   ↑   ↑   ↑   ↑   ↑",
    "150":     "  7  10  14  21  30   ↑   ↑   ↑   ↑   ↑   ↑   ↑   ↑   ↑   ↑   ↑",
    "250":     " 10  14  21  30  44   ↑   ↑   ↑   ↑   ↑   ↑   ↑   ↑   ↑   ↑   ↑",
    "400":     " 14  21  30  44   ↑   ↑   ↑   ↑   ↑   ↑   ↑   ↑   ↑   ↑   ↑   ↑",
    "650":     " 21  30  44   ↑   ↑   ↑   ↑   ↑   ↑   ↑   ↑   ↑   ↑   ↑   ↑   ↑",
    "1000":    " 30  44   ↑   ↑   ↑   ↑   ↑   ↑   ↑   ↑   ↑   ↑   ↑   ↑   ↑   ↑",
}
# fmt: on

AQLS: tuple[Decimal, ...] = tuple(Decimal(aql) for aql in _TABLE_2A)
_COLUMNS: dict[Decimal, str] = {Decimal(aql): cells for aql, cells in _TABLE_2A.items()}


def code_letter(lot_size: int) -> str:
    """Sample size code letter for `lot_size` (Table 1, general inspection level II)."""
    if lot_size < 1:
        raise ValueError(f"Lot size must be at least 1, not {lot_size}")
    # The table starts at lots of 2; a lot of one post is inspected whole, A is the smallest plan.
    for largest, letter in _CODE_LETTERS:
        if lot_size <= largest:
            return letter
    return "Q"


def _aql(value: Decimal | str | float) -> Decimal:
    try:
        aql = Decimal(str(value).strip())
    except (InvalidOperation, ValueError):
        raise ValueError(f"Not an AQL: {value!r}") from None
    # Decimal("1.0") == Decimal("1") and both hash alike, so any spelling of a table value is found.
    if not aql.is_finite() or aql not in _COLUMNS:
        raise ValueError(f"AQL {value} is not in ISO 2859-1 Table 2-A; use one of {', '.join(map(str, AQLS))}")
    return aql


def iso2859_plan(lot_size: int, aql: Decimal | str | float = Decimal("2.5")) -> Plan:
    """The single sampling plan for normal inspection, level II (Tables 1 and 2-A), arrows followed.

    When the plan's sample size reaches the lot size, the whole lot is inspected (sample = lot).
    """
    column = _COLUMNS[_aql(aql)].split()
    row = _LETTERS.index(code_letter(lot_size))
    step = {"↓": 1, "↑": -1}.get(column[row], 0)
    if row == 0 and step == -1:
        # Row A of the AQL 10 column prints ↑ with no plan above it; the nearest plan the column offers
        # is below (B ↓, then C: n=5, Ac 1), so follow the column down instead.
        step = 1
    while column[row] in ("↓", "↑"):
        row += step
    accept = int(column[row])
    letter = _LETTERS[row]
    return Plan(
        code_letter=letter,
        sample_size=min(SAMPLE_SIZES[letter], lot_size),
        accept=accept,
        reject=accept + 1,
        method=ISO2859,
    )


def percentage_plan(lot_size: int, percent: Decimal | str | float, accept: int = 0) -> Plan:
    """Review `percent` of the lot (rounded up, at least one post of a non-empty lot); Re = Ac + 1."""
    if lot_size < 0:
        raise ValueError(f"Lot size must not be negative, not {lot_size}")
    if accept < 0:
        raise ValueError(f"Acceptance number must not be negative, not {accept}")
    try:
        share = Decimal(str(percent).strip())
    except (InvalidOperation, ValueError):
        raise ValueError(f"Not a percentage: {percent!r}") from None
    if not share.is_finite() or not 0 < share <= 100:
        raise ValueError(f"Percentage must be more than 0 and at most 100, not {percent}")
    # Decimal arithmetic: 10% of 30 is exactly 3, where float math could round it up to 4.
    size = int((lot_size * share / 100).to_integral_value(rounding=ROUND_CEILING))
    size = min(max(size, 1), lot_size)
    return Plan(code_letter=None, sample_size=size, accept=accept, reject=accept + 1, method=PERCENTAGE)


def draw_sample(ids: Sequence[int], sample_size: int, seed: int) -> list[int]:
    """A reproducible random sample of `ids`, returned sorted.

    The ids are de-duplicated and sorted before drawing, so the same ids in any order with the same
    seed give the same sample: a stored seed lets an auditor re-draw it. A sample size at or above the
    number of ids returns them all.
    """
    if sample_size < 0:
        raise ValueError(f"Sample size must not be negative, not {sample_size}")
    population = sorted(set(ids))
    if sample_size >= len(population):
        return population
    return sorted(random.Random(seed).sample(population, sample_size))


def lot_decision(plan: Plan, defectives: int) -> str:
    """Return "accepted" when the sample has at most Ac defectives, "rejected" at Re or more."""
    if defectives < 0:
        raise ValueError(f"Defectives must not be negative, not {defectives}")
    if defectives <= plan.accept:
        return ACCEPTED
    if defectives >= plan.reject:
        return REJECTED
    # Single sampling has Re = Ac + 1, so nothing falls between; a hand-built plan with a gap would.
    raise ValueError(f"{defectives} defectives is between Ac {plan.accept} and Re {plan.reject}: no decision")
