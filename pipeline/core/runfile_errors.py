"""msgspec's validation messages, said in the run file's terms: the key's place (`sources[1] (coco).header`), what
the schema expects there in TOML's words, the value found, and for a typo the closest valid key or value."""

from __future__ import annotations

import datetime
import re
import types
import typing
from typing import Annotated, Any, Literal, Union

import msgspec
from rapidfuzz import fuzz, process

from .errors import ClassfreqError, excerpt

#: how alike (rapidfuzz ratio, 0–100) a typo and a valid key must be for the key to be suggested
SUGGESTION_CUTOFF = 60.0
_PLACE = re.compile(r" - at `\$(?P<path>[^`]*)`$")
_SEGMENT = re.compile(r"\.(\w+)|\[(\d+|\.\.\.)\]")
_UNKNOWN = re.compile(r"^Object contains unknown field `(?P<key>.*)`$")
_MISSING = re.compile(r"^Object missing required field `(?P<key>.*)`$")
_ENUM = re.compile(r"^Invalid enum value (?P<value>.*)$")
_EXPECTED = re.compile(r"^Expected `(?P<expected>[^`]+)`(?P<constraint>.*?)(?:, got `(?P<got>[^`]+)`)?$")
_TOML_TYPES = {"str": "text", "int": "an integer", "float": "a number", "bool": "true or false", "array": "a list",
               "object": "a table", "datetime": "a date-time", "date": "a date", "time": "a time"}


class RunFileError(ClassfreqError):
    def __init__(self, where: str, reason: str):
        super().__init__(f"{where}: {reason}")


def explain(message: str, raw: dict[str, Any], schema: type) -> str:
    """A msgspec ValidationError's message for `raw` converted to `schema`, in the run file's terms."""
    place = _PLACE.search(message)
    segments = _segments(place["path"]) if place else []
    reason = message[: place.start()] if place else message
    where = _place_name(segments, raw)
    prefix = f"{where}: " if where else ""
    if found := _UNKNOWN.match(reason):
        return prefix + f"unknown key {found['key']!r}" + _suggestion(found["key"], _keys(_type_at(schema, segments)))
    if found := _MISSING.match(reason):
        return prefix + f"needs {found['key']!r}"
    value = _value_at(raw, segments)
    if segments and segments[-1] == "...":  # msgspec does not say which value of a table: show the table
        value = _value_at(raw, segments[:-1])
    if found := _ENUM.match(reason):
        choices = [str(choice) for choice in _choices(_type_at(schema, segments))]
        if segments and segments[-1] == "...":
            return (prefix + f"{found['value']} (in {excerpt(value)}) is not one of {', '.join(choices)}"
                    + _suggestion(found["value"].strip("'"), choices, False))
        return prefix + f"{excerpt(value)} is not one of {', '.join(choices)}" + _suggestion(str(value), choices, False)
    if found := _EXPECTED.match(reason):
        # TOML has no null: an optional key is left out, so "or nothing" would only confuse
        expected = " or ".join(_TOML_TYPES.get(kind, kind) for kind in map(str.strip, found["expected"].split("|"))
                               if kind != "null")
        constraint = found["constraint"].strip()
        if constraint.startswith("matching regex"):
            return prefix + (f"{excerpt(value)} must be letters, digits, '_', '.' or '-', starting with a letter or "
                             "digit (it names files and folders)")
        wanted = f"expected {expected}{' ' + constraint if constraint else ''}"
        return prefix + f"{wanted}, got {_toml_value(value)}"
    return prefix + reason


def _toml_value(value: Any) -> str:
    """A value as the run file wrote it: dates and times in TOML's notation, not Python's."""
    if isinstance(value, datetime.date | datetime.time):
        return value.isoformat()
    return excerpt(value)


def _segments(path: str) -> list[str | int]:
    return [name or (int(index) if index.isdigit() else index)
            for name, index in _SEGMENT.findall(path)]


def _place_name(segments: list[str | int], raw: Any) -> str:
    """`options.policy`, or `sources[1] (coco).header`: a list entry is named by its `name` where it has one."""
    parts, node = [], raw
    for segment in segments:
        if isinstance(segment, int):
            node = node[segment] if isinstance(node, list) and segment < len(node) else None
            label = f" ({node['name']})" if isinstance(node, dict) and isinstance(node.get("name"), str) else ""
            parts[-1] += f"[{segment}]{label}"
            continue
        if segment == "...":
            parts[-1] += "[…]"
            node = None
            continue
        parts.append(segment)
        node = node.get(segment) if isinstance(node, dict) else None
    return ".".join(parts)


def _value_at(raw: Any, segments: list[str | int]) -> Any:
    node = raw
    for segment in segments:
        if isinstance(segment, int) and isinstance(node, list) and segment < len(node):
            node = node[segment]
        elif isinstance(segment, str) and isinstance(node, dict) and segment in node:
            node = node[segment]
        else:
            return None
    return node


def _unwrapped(kind: Any) -> list[Any]:
    """The alternatives of a type: Optional and unions split, Annotated stripped."""
    origin = typing.get_origin(kind)
    if origin is Annotated:
        return _unwrapped(typing.get_args(kind)[0])
    if origin in (Union, types.UnionType):
        return [alternative for arg in typing.get_args(kind) for alternative in _unwrapped(arg)]
    return [kind]


def _type_at(schema: type, segments: list[str | int]) -> list[Any]:
    kinds = [schema]
    for segment in segments:
        following = []
        for kind in (alternative for kind in kinds for alternative in _unwrapped(kind)):
            if isinstance(segment, str) and segment != "..." and _is_struct(kind):
                hints = typing.get_type_hints(kind, include_extras=True)
                names = {field.encode_name: field.name for field in msgspec.structs.fields(kind)}
                if segment in names:
                    following.append(hints[names[segment]])
            elif typing.get_origin(kind) in (tuple, list, dict):
                following.append(typing.get_args(kind)[-1 if typing.get_origin(kind) is dict else 0])
        kinds = following
    return [alternative for kind in kinds for alternative in _unwrapped(kind)]


def _is_struct(kind: Any) -> bool:
    return isinstance(kind, type) and issubclass(kind, msgspec.Struct)


def _keys(kinds: list[Any]) -> list[str]:
    return [field.encode_name for kind in kinds if _is_struct(kind) for field in msgspec.structs.fields(kind)]


def _choices(kinds: list[Any]) -> list[Any]:
    return [choice for kind in kinds if typing.get_origin(kind) is Literal for choice in typing.get_args(kind)]


def _suggestion(typed: str, valid: list[str], list_valid: bool = True) -> str:
    best = process.extractOne(typed, valid, scorer=fuzz.ratio, score_cutoff=SUGGESTION_CUTOFF) if valid else None
    if best:
        return f": did you mean {best[0]!r}?"
    return f" (valid: {', '.join(valid)})" if list_valid and valid else ""
