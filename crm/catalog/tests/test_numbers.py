"""The import's one reading of numbers: every input is a value in range or a row error, never a crash."""

from decimal import Decimal

import pytest
from hypothesis import HealthCheck, given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st

from crm.catalog.importers import CellError, clean_count, clean_decimal, parse_number

TOO_LARGE = "The number is too large."
NOT_A_NUMBER = "Enter a number."


def message(cleaner, value, **options):
    with pytest.raises(CellError) as error:
        cleaner(value, **options)
    return str(error.value)


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("99999999999999999999", TOO_LARGE),
        ("1e30", TOO_LARGE),
        ("1E+30", TOO_LARGE),
        ("1e999999999", TOO_LARGE),
        ("1e9999999999999999999", TOO_LARGE),  # past even Decimal's exponent range
        (1e300, TOO_LARGE),
        (10**400, TOO_LARGE),
        ("NaN", NOT_A_NUMBER),
        ("sNaN", NOT_A_NUMBER),
        ("Infinity", NOT_A_NUMBER),
        ("-inf", NOT_A_NUMBER),
        (float("inf"), NOT_A_NUMBER),
        (float("nan"), NOT_A_NUMBER),
        ("1e-30", "At most 2 decimal places are allowed."),
        ("1e-999999999", "At most 2 decimal places are allowed."),
    ],
)
def test_out_of_range_and_non_finite_prices_are_row_errors(value, expected):
    assert message(clean_decimal, value, max_digits=14, places=2) == expected


@pytest.mark.parametrize("value", ["1e30", "1e999999999", "NaN", "Infinity", "1e-30", 1e300])
def test_out_of_range_and_non_finite_quantities_are_row_errors(value):
    assert message(clean_count, value) in (TOO_LARGE, NOT_A_NUMBER, "Enter a whole number.")


def test_minus_zero_reads_as_zero():
    for value in ("-0", "-0.00", -0.0, "-0e5"):
        assert str(clean_decimal(value, max_digits=14, places=2)) == "0.00"
        assert clean_count(value) == 0
        assert not parse_number(value).is_signed()


def test_ordinary_numbers_still_read_as_before():
    assert clean_decimal("7,500.5", max_digits=14, places=2) == Decimal("7500.50")
    assert clean_decimal(7500.0, max_digits=14, places=2) == Decimal("7500.00")
    assert clean_decimal("1e3", max_digits=14, places=2) == Decimal("1000.00")
    assert clean_count(" 120 ") == 120


NUMBER_TEXT = st.from_regex(r"\A[+-]?(\d{0,25}(\.\d{0,25})?|NaN|sNaN|Inf|Infinity)([eE][+-]?\d{1,20})?\Z")
ANY_VALUE = st.one_of(
    NUMBER_TEXT,
    st.text(max_size=40),
    st.floats(allow_nan=True, allow_infinity=True),
    st.integers(min_value=-(10**100), max_value=10**100),
    st.decimals(allow_nan=True, allow_infinity=True),
    st.booleans(),
    st.none(),
)


@hypothesis_settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(ANY_VALUE)
def test_any_cell_is_a_price_in_range_or_a_row_error(value):
    try:
        price = clean_decimal(value, max_digits=14, places=2)
    except CellError:
        return
    assert price.is_finite() and Decimal(0) <= price < Decimal(10) ** 12
    assert price.as_tuple().exponent == -2


@hypothesis_settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(ANY_VALUE)
def test_any_cell_is_a_count_in_range_or_a_row_error(value):
    try:
        count = clean_count(value)
    except CellError:
        return
    assert isinstance(count, int) and 0 <= count <= 2_147_483_647
