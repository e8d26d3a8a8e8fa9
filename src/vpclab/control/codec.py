"""JSON encoding of the frozen model values, so state files stay readable and version-checkable."""

from __future__ import annotations

import dataclasses
import json
import types
import typing
from collections.abc import Callable
from functools import cache
from typing import Any

from vpclab.model.base import KINDS, Resource

Decoder = Callable[[Any], Any]


def to_plain(value: Any) -> Any:
    """A JSON-ready form of a model value: dataclasses become dicts without their default fields."""
    encode = _ENCODERS.get(type(value))
    if encode is None:
        encode = _encoder_for(type(value))
    return encode(value)


def dumps(resource: Resource) -> str:
    """One resource as compact JSON."""
    return _JSON.encode(to_plain(resource))


_JSON = json.JSONEncoder(separators=(",", ":"), ensure_ascii=False)
_ENCODERS: dict[type, Callable[[Any], Any]] = {
    kind: (lambda value: value) for kind in (str, int, bool, float, type(None))
}


def _encoder_for(cls: type) -> Callable[[Any], Any]:
    """Build (once per type) the encoder `to_plain` uses: state is written on every request."""
    encode: Callable[[Any], Any]
    if dataclasses.is_dataclass(cls):
        # (name, default) per field; a field without a plain default is always written.
        fields = tuple((f.name, f.default) for f in dataclasses.fields(cls))
        missing = dataclasses.MISSING

        def encode(value: Any) -> Any:
            out: dict[str, Any] = {}
            for name, default in fields:
                item = getattr(value, name)
                if default is not missing and item == default:
                    continue
                item_encode = _ENCODERS.get(type(item))
                out[name] = (item_encode or _encoder_for(type(item)))(item)
            return out

    elif issubclass(cls, tuple | list):

        def encode(value: Any) -> Any:
            return [to_plain(item) for item in value]

    else:

        def encode(value: Any) -> Any:
            return value

    _ENCODERS[cls] = encode
    return encode


def loads(kind: str, text: str) -> Resource:
    """A resource back from its JSON (KeyError for a kind this version does not know)."""
    return from_plain(kind, json.loads(text))


def from_plain(kind: str, data: Any) -> Resource:
    """A resource back from its plain (decoded JSON) form."""
    decoder: Any = _decoder
    value: Resource = decoder(KINDS[kind])(data)
    return value


def partition_to_plain(tables: dict[str, dict[str, Resource]]) -> dict[str, dict[str, Any]]:
    """Every resource of a partition in plain form, by kind and id (for exports)."""
    return {
        kind: {rid: to_plain(obj) for rid, obj in items.items()} for kind, items in tables.items()
    }


def partition_from_plain(data: dict[str, dict[str, Any]]) -> dict[str, dict[str, Resource]]:
    """A partition's tables back from `partition_to_plain` output (unknown kinds are an error)."""
    return {
        kind: {rid: from_plain(kind, obj) for rid, obj in items.items()}
        for kind, items in data.items()
    }


@cache
def _decoder(hint: Any) -> Decoder:
    """A function turning plain JSON data back into a value of the given type hint."""
    if dataclasses.is_dataclass(hint) and isinstance(hint, type):
        hints = typing.get_type_hints(hint)
        field_decoders = {
            f.name: _decoder(hints[f.name]) for f in dataclasses.fields(hint) if f.init
        }
        cls = hint

        def decode_dataclass(data: Any) -> Any:
            return cls(**{k: field_decoders[k](v) for k, v in data.items() if k in field_decoders})

        return decode_dataclass
    origin = typing.get_origin(hint)
    args = typing.get_args(hint)
    if origin is tuple:
        if len(args) == 2 and args[1] is Ellipsis:
            item = _decoder(args[0])
            return lambda data: tuple(item(v) for v in data)
        parts = [_decoder(a) for a in args]
        return lambda data: tuple(p(v) for p, v in zip(parts, data, strict=True))
    if origin in (typing.Union, types.UnionType):
        inner = [a for a in args if a is not type(None)]
        if len(inner) != 1:
            raise TypeError(f"unsupported union {hint!r}")
        dec = _decoder(inner[0])
        return lambda data: None if data is None else dec(data)
    if hint is float:
        return float
    if hint in (str, int, bool):
        return lambda data: data
    raise TypeError(f"unsupported type in model: {hint!r}")
