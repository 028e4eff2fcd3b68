"""The one strict reading of numbers in requests (common.numbers)."""

from hypothesis import given
from hypothesis import strategies as st

from zhengji.common.numbers import MAX_BIGINT, is_ascii_digits, parse_count, parse_id


def test_only_ascii_digits_are_numbers():
    for bad in ["", " 1", "1 ", "-1", "+1", "1.0", "²", "１２", "٣", "1_000", "0x10", None, "9" * 20]:
        assert parse_count(bad) is None, bad
    assert parse_count("0") == 0 and parse_count("007") == 7
    assert parse_count(str(MAX_BIGINT)) == MAX_BIGINT and parse_count(str(MAX_BIGINT + 1)) is None
    assert parse_count("11", maximum=10) is None and parse_count(5) == 5 and parse_count(True) is None
    assert parse_id("0") is None and parse_id("12") == 12 and not is_ascii_digits("²")


@given(st.text(max_size=25))
def test_parse_count_never_raises_and_agrees_with_int_on_ascii(text):
    value = parse_count(text)
    if value is not None:
        assert text.isascii() and int(text) == value and 0 <= value <= MAX_BIGINT
