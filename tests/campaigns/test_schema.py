"""The entry form schema: every rule of parse_schema/check_schema, with translated messages."""

import pytest
from django.core.exceptions import ValidationError
from django.utils import translation

from tests.campaigns.conftest import FILE_FIELD
from zhengji.campaigns.schema import check_schema, count_words, dump_schema, parse_schema


@pytest.fixture(autouse=True)
def _english():
    # Needles below are the English msgids; the Chinese catalogue is checked separately.
    with translation.override("en"):
        yield


def errors_of(data):
    return [m for _n, m in check_schema(data)[1]]


def test_valid_schema_parses_and_dumps_short():
    fields = parse_schema([{"key": "title", "type": "text", "label": "标题", "max_length": 50}, FILE_FIELD])
    assert [f.key for f in fields] == ["title", "video"]
    dumped = dump_schema(fields)
    assert dumped[0] == {"key": "title", "type": "text", "label": "标题", "max_length": 50}
    assert dumped[1]["file"]["kinds"] == ["video"] and "min_count" not in dumped[1]["file"]
    assert parse_schema(dumped) == fields


@pytest.mark.parametrize("data", [None, ""])
def test_empty_schema_is_no_fields(data):
    assert parse_schema(data) == []


def test_not_a_list():
    with pytest.raises(ValidationError):
        parse_schema({"key": "x"})


@pytest.mark.parametrize(("field", "needle"), [
    ({"key": "Bad Key", "type": "text", "label": "x"}, "key"),
    ({"key": "x", "type": "audio", "label": "x"}, "type"),
    ({"key": "x", "type": "text", "label": ""}, "label"),
    ({"key": "x", "type": "text", "label": "x", "colour": "red"}, "colour"),
    ({"key": "x", "type": "text", "label": "x", "max_length": 0}, "max_length"),
    ({"key": "x", "type": "longtext", "label": "x", "max_words": "many"}, "max_words"),
    ({"key": "x", "type": "file", "label": "x", "file": {"kinds": []}}, "kinds"),
    ({"key": "x", "type": "file", "label": "x", "file": {"kinds": ["pdf"]}}, "kinds"),
    ({"key": "x", "type": "file", "label": "x", "file": {"kinds": ["video"], "max_size_mb": 99999}}, "max_size_mb"),
    ({"key": "x", "type": "file", "label": "x", "file": {"kinds": ["video"], "max_count": 0}}, "max_count"),
    ({"key": "x", "type": "file", "label": "x", "file": {"kinds": ["image"], "min_megapixels": -1}},
     "min_megapixels"),
    ({"key": "x", "type": "choice", "label": "x", "choices": [{"value": "", "label": "a"}]}, "value"),
])
def test_field_level_errors_name_the_field_and_the_setting(field, needle):
    errs = errors_of([field])
    assert errs and all(e.startswith("Field 1") for e in errs)
    assert any(needle in e for e in errs), errs


@pytest.mark.parametrize(("field", "needle"), [
    ({"key": "x", "type": "choice", "label": "x"}, "needs options"),
    ({"key": "x", "type": "choice", "label": "x", "choices": [{"value": "a", "label": "A"},
                                                              {"value": "a", "label": "B"}]}, "same value"),
    ({"key": "x", "type": "file", "label": "x"}, "needs file rules"),
    ({"key": "x", "type": "file", "label": "x", "file": {"kinds": ["video"], "min_count": 3, "max_count": 2}},
     "number of files"),
    ({"key": "x", "type": "file", "label": "x", "file": {"kinds": ["video"], "min_duration_s": 90,
                                                         "max_duration_s": 60}}, "duration"),
    ({"key": "x", "type": "file", "label": "x", "file": {"kinds": ["video"], "extensions": [".MP4"]}},
     "extensions"),
    ({"key": "x", "type": "longtext", "label": "x", "min_words": 10, "max_words": 5}, "length"),
    ({"key": "x", "type": "number", "label": "x", "min_value": 10, "max_value": 5}, "minimum value"),
])
def test_cross_setting_rules(field, needle):
    errs = errors_of([field])
    assert any(needle in e for e in errs), errs


def test_duplicate_keys_and_numbering():
    ok = {"key": "a", "type": "text", "label": "A"}
    fields, errors = check_schema([ok, {"key": "b", "type": "text", "label": "B"}, ok])
    assert [n for n, _m in errors] == [3]
    assert "used twice" in errors[0][1]


def test_errors_are_translated_to_chinese():
    with translation.override("zh-hans"):
        errs = errors_of([{"key": "x", "type": "file", "label": "", "file": {"kinds": ["video"], "max_count": 0}}])
    text = " ".join(errs)
    assert "Field" not in text and "字段" in text, errs


def test_parse_schema_raises_all_messages():
    with pytest.raises(ValidationError) as exc:
        parse_schema([{"key": "x", "type": "choice", "label": "x"}, {"key": "Y", "type": "text", "label": "y"}])
    assert len(exc.value.messages) == 2


def test_count_words():
    assert count_words("我爱工会 and my union") == 4 + 3
