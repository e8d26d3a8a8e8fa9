"""Request decoding for the `ec2` and `query` protocols, driven by botocore's service models.

A request body is decoded into a flat ``{wire key: value}`` dict (`decode_form`), then turned into
the kwargs dict a boto3 user would have passed (`parse_params`). Keys are split on ``.`` into a trie
so that dotted segments are matched exactly (``Ipv6PrefixCount`` never matches ``Ipv6Prefix.N``),
and each operation's input shape is compiled once into a parse plan of small plan objects.
"""

from __future__ import annotations

import base64
import binascii
import re
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any
from urllib.parse import unquote_to_bytes

from botocore.model import OperationModel, Shape  # type: ignore[import-untyped,unused-ignore]

from vpclab.wire.errors import WireError

MAX_PARAMETERS = 10_000
MAX_LIST_MEMBERS = 10_000
_INT64_MIN = -(2**63)
_INT64_MAX = 2**63 - 1

# A trie node maps a key segment to a child node; the value given for the key ending here sits
# under "" (empty segments are rejected before the trie is built, so "" cannot collide).
_Node = dict[str, Any]
_LEAF = ""

_INT_RE = re.compile(r"[+-]?[0-9]{1,20}")
_FLOAT_RE = re.compile(r"[+-]?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)(?:[eE][+-]?[0-9]{1,4})?")
_SPECIAL_FLOATS = {"infinity": float("inf"), "-infinity": float("-inf"), "nan": float("nan")}
_EPOCH_RE = re.compile(r"[+-]?[0-9]{1,12}(?:\.[0-9]{1,9})?")
_INDEX_RE = re.compile(r"[1-9][0-9]{0,8}")


def _unknown(key: str) -> WireError:
    """Build the error AWS returns for a key that names no member of the operation's input."""
    return WireError("UnknownParameter", f"The parameter {key} is not recognized")


def _missing(key: str) -> WireError:
    """Build the error AWS returns when a required member is absent."""
    return WireError("MissingParameter", f"The request must contain the parameter {key}")


def _invalid(value: str, key: str, expected: str) -> WireError:
    """Build the error AWS returns for a value of the wrong type."""
    shown = value if len(value) <= 64 else value[:61] + "..."
    return WireError(
        "InvalidParameterValue",
        f"Value ({shown}) for parameter {key} is invalid. Expected: '{expected}'.",
    )


def _join(path: str, segment: str) -> str:
    """Extend a dotted wire key by one segment (the path is only needed for messages)."""
    return f"{path}.{segment}" if path else segment


def _first_key(node: _Node, path: str) -> str:
    """Name one full wire key under a trie node, to report an unexpected subtree by a real key."""
    while True:
        if _LEAF in node:
            return path
        segment, node = next(iter(node.items()))
        path = _join(path, segment)


# ---------------------------------------------------------------------------------------------
# form decoding


def _decode_part(part: bytes) -> str:
    """Decode one percent-encoded form component as strict UTF-8."""
    if b"%" in part or b"+" in part:
        part = unquote_to_bytes(part.replace(b"+", b" "))
    try:
        return part.decode("utf-8")
    except UnicodeDecodeError:
        raise WireError(
            "InvalidParameterValue", "The request body is not valid UTF-8 form data"
        ) from None


def decode_form(body: bytes) -> dict[str, str]:
    """Decode an application/x-www-form-urlencoded body, rejecting bad UTF-8 and repeated keys."""
    params: dict[str, str] = {}
    if not body:
        return params
    pairs = body.split(b"&")
    if len(pairs) > MAX_PARAMETERS + 2:  # Action and Version come on top of the parameters
        raise WireError(
            "InvalidParameterValue",
            f"The request has more than the limit of {MAX_PARAMETERS} parameters",
        )
    for pair in pairs:
        if not pair:
            continue
        raw_key, _, raw_value = pair.partition(b"=")
        key = _decode_part(raw_key)
        if key in params:
            raise WireError("InvalidParameterValue", f"The parameter {key} is given more than once")
        params[key] = _decode_part(raw_value)
    return params


# ---------------------------------------------------------------------------------------------
# scalar converters


def _to_int(value: str, key: str) -> int:
    """Convert an integer/long parameter, rejecting non-integers and values outside 64 bits."""
    if _INT_RE.fullmatch(value) is None:
        raise _invalid(value, key, "Integer")
    number = int(value)
    if number < _INT64_MIN or number > _INT64_MAX:
        raise _invalid(value, key, "Integer")
    return number


def _to_bool(value: str, key: str) -> bool:
    """Convert a boolean parameter given as true/false in any letter case."""
    lowered = value.lower()
    if lowered == "true":
        return True
    if lowered == "false":
        return False
    raise _invalid(value, key, "Boolean")


def _to_float(value: str, key: str) -> float:
    """Convert a float/double parameter (decimal or exponent notation, Infinity, NaN)."""
    if _FLOAT_RE.fullmatch(value) is not None:
        return float(value)
    special = _SPECIAL_FLOATS.get(value.lower())
    if special is None:
        raise _invalid(value, key, "Double")
    return special


def _to_timestamp(value: str, key: str) -> datetime:
    """Convert a timestamp given as ISO 8601 or epoch seconds into an aware datetime."""
    try:
        if _EPOCH_RE.fullmatch(value) is not None:
            return datetime.fromtimestamp(float(value), UTC)
        parsed = datetime.fromisoformat(value)
    except (ValueError, OverflowError, OSError):
        raise _invalid(value, key, "Timestamp") from None
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=UTC)
    return parsed


def _to_blob(value: str, key: str) -> bytes:
    """Convert a base64-encoded blob parameter into bytes."""
    try:
        return base64.b64decode(value, validate=True)
    except (binascii.Error, ValueError):
        raise _invalid(value, key, "Base64 encoded binary data") from None


_CONVERTERS: dict[str, Callable[[str, str], Any] | None] = {
    "string": None,
    "character": None,
    "integer": _to_int,
    "long": _to_int,
    "boolean": _to_bool,
    "float": _to_float,
    "double": _to_float,
    "timestamp": _to_timestamp,
    "blob": _to_blob,
}


# ---------------------------------------------------------------------------------------------
# parse plans


class _Plan:
    """A compiled decoder for one shape: turns a trie node into the boto3-style value."""

    __slots__ = ()

    def parse(self, node: _Node, path: str) -> Any:
        """Decode the subtree `node` found at wire key `path`."""
        raise NotImplementedError


class _ScalarPlan(_Plan):
    """Decoder for string, number, boolean, timestamp and blob shapes."""

    __slots__ = ("convert",)

    def __init__(self, convert: Callable[[str, str], Any] | None) -> None:
        """Keep the converter (None for strings, which need none)."""
        self.convert = convert

    def parse(self, node: _Node, path: str) -> Any:
        """Return the converted value of a leaf; sub-keys under a scalar are unknown."""
        if len(node) != 1 or _LEAF not in node:
            for segment, child in node.items():
                if segment:
                    raise _unknown(_first_key(child, _join(path, segment)))
        value: str = node[_LEAF]
        convert = self.convert
        return value if convert is None else convert(value, path)


class _StructPlan(_Plan):
    """Decoder for a structure: wire segment -> (member name, member plan)."""

    __slots__ = ("members", "required")

    def __init__(self) -> None:
        """Start empty; filled after registration so recursive shapes can refer to it."""
        self.members: dict[str, tuple[str, _Plan]] = {}
        self.required: tuple[tuple[str, str], ...] = ()

    def parse(self, node: _Node, path: str) -> Any:
        """Decode every given member, reject unknown keys and check required members."""
        out: dict[str, Any] = {}
        members = self.members
        for segment, child in node.items():
            member = members.get(segment)
            if member is None:
                if segment == _LEAF:
                    raise _unknown(path)
                raise _unknown(_first_key(child, _join(path, segment)))
            out[member[0]] = member[1].parse(child, _join(path, segment))
        for name, segment in self.required:
            if name not in out:
                raise _missing(_join(path, segment))
        return out


def _indexed(node: _Node, path: str) -> list[tuple[int, str, _Node]]:
    """Collect the `N` children of a list or map node, ordered by index (gaps are fine)."""
    if len(node) > MAX_LIST_MEMBERS:
        raise WireError(
            "InvalidParameterValue",
            f"The list {path} has more than the limit of {MAX_LIST_MEMBERS} members",
        )
    items: list[tuple[int, str, _Node]] = []
    for segment, child in node.items():
        if _INDEX_RE.fullmatch(segment) is None:
            if segment == _LEAF:
                raise _unknown(path)
            raise WireError(
                "InvalidParameterValue",
                f"The list index in {_first_key(child, _join(path, segment))} "
                "must be a positive integer",
            )
        items.append((int(segment), segment, child))
    items.sort()
    return items


class _ListPlan(_Plan):
    """Decoder for a list: `Key.N` (ec2, flattened query) or `Key.member.N` (query)."""

    __slots__ = ("item", "wrapper")

    def __init__(self, wrapper: str | None) -> None:
        """Keep the segment between the key and the index (None when there is none)."""
        self.wrapper = wrapper
        self.item: _Plan = _Plan()

    def parse(self, node: _Node, path: str) -> Any:
        """Decode the items in index order; `Key=` with an empty value is an empty list."""
        if _LEAF in node:
            if node[_LEAF] or len(node) != 1:
                raise _unknown(path)
            return []
        wrapper = self.wrapper
        if wrapper is not None:
            inner = node.get(wrapper)
            if inner is None or len(node) != 1:
                for segment, child in node.items():
                    if segment != wrapper:
                        raise _unknown(_first_key(child, _join(path, segment)))
            if inner is None:  # pragma: no cover - a trie node is never empty
                raise _unknown(path)
            node = inner
            path = _join(path, wrapper)
        item = self.item
        return [item.parse(child, _join(path, seg)) for _, seg, child in _indexed(node, path)]


class _MapPlan(_Plan):
    """Decoder for a map: `Key.entry.N.key` / `Key.entry.N.value` (no `entry` when flattened)."""

    __slots__ = ("key_name", "key_plan", "value_name", "value_plan", "wrapper")

    def __init__(self, wrapper: str | None, key_name: str, value_name: str) -> None:
        """Keep the wire names of the entry wrapper and of the key and value segments."""
        self.wrapper = wrapper
        self.key_name = key_name
        self.value_name = value_name
        self.key_plan: _Plan = _Plan()
        self.value_plan: _Plan = _Plan()

    def parse(self, node: _Node, path: str) -> Any:
        """Decode the entries in index order into a dict."""
        if _LEAF in node:
            if node[_LEAF] or len(node) != 1:
                raise _unknown(path)
            return {}
        wrapper = self.wrapper
        if wrapper is not None:
            inner = node.get(wrapper)
            if inner is None or len(node) != 1:
                for segment, child in node.items():
                    if segment != wrapper:
                        raise _unknown(_first_key(child, _join(path, segment)))
            if inner is None:  # pragma: no cover - a trie node is never empty
                raise _unknown(path)
            node = inner
            path = _join(path, wrapper)
        out: dict[Any, Any] = {}
        for _, segment, entry in _indexed(node, path):
            entry_path = _join(path, segment)
            key_node = entry.get(self.key_name)
            value_node = entry.get(self.value_name)
            for name in entry:
                if name not in (self.key_name, self.value_name):
                    raise _unknown(_first_key(entry[name], _join(entry_path, name)))
            if key_node is None:
                raise _missing(_join(entry_path, self.key_name))
            if value_node is None:
                raise _missing(_join(entry_path, self.value_name))
            key = self.key_plan.parse(key_node, _join(entry_path, self.key_name))
            out[key] = self.value_plan.parse(value_node, _join(entry_path, self.value_name))
        return out


class _Compiler:
    """Compiles input shapes of one service and protocol into plans, sharing sub-plans."""

    def __init__(self, protocol: str) -> None:
        """Prepare an empty cache of plans keyed by shape name and flattening."""
        self.ec2 = protocol == "ec2"
        self.plans: dict[tuple[str, bool], _Plan] = {}

    def member_name(self, shape: Shape, default: str) -> str:
        """Return the wire segment of a structure member (or map key/value) on input."""
        serialization = shape.serialization
        if self.ec2:
            query_name: str | None = serialization.get("queryName")
            if query_name:
                return query_name
            location: str | None = serialization.get("name")
            if location:
                return location[0].upper() + location[1:]
            return default
        if shape.type_name == "list" and serialization.get("flattened"):
            item_name: str | None = shape.member.serialization.get("name")
            if item_name:
                return item_name
        name: str = serialization.get("name") or default
        return name

    def compile(self, shape: Shape) -> _Plan:
        """Return the (cached) plan of `shape`, building it on first use."""
        flattened = bool(shape.serialization.get("flattened"))
        key = (shape.name, flattened)
        plan = self.plans.get(key)
        if plan is not None:
            return plan
        kind = shape.type_name
        if kind == "structure":
            struct = _StructPlan()
            self.plans[key] = struct
            required = set(shape.required_members)
            required_names = []
            for name, member in shape.members.items():
                if member.serialization.get("location"):
                    continue  # headers and URI parts have no place in a query body
                segment = self.member_name(member, name)
                if segment in struct.members:
                    raise ValueError(f"{shape.name}: two members use the wire name {segment}")
                struct.members[segment] = (name, self.compile(member))
                if name in required:
                    required_names.append((name, segment))
            struct.required = tuple(required_names)
            return struct
        if kind == "list":
            wrapper = None
            if not self.ec2 and not flattened:
                wrapper = shape.member.serialization.get("name") or "member"
            lst = _ListPlan(wrapper)
            self.plans[key] = lst
            lst.item = self.compile(shape.member)
            return lst
        if kind == "map":
            mp = _MapPlan(
                None if flattened else "entry",
                shape.key.serialization.get("name") or "key",
                shape.value.serialization.get("name") or "value",
            )
            self.plans[key] = mp
            mp.key_plan = self.compile(shape.key)
            mp.value_plan = self.compile(shape.value)
            return mp
        if kind not in _CONVERTERS:
            raise ValueError(f"unsupported shape type {kind} ({shape.name})")
        scalar = _ScalarPlan(_CONVERTERS[kind])
        self.plans[key] = scalar
        return scalar


_COMPILERS: dict[tuple[str, str, str], _Compiler] = {}
# Fast path keyed by the (botocore-cached) OperationModel object itself; the object is kept in
# the value so that a recycled id() can never return another operation's plan.
_BY_OPERATION: dict[tuple[int, str], tuple[OperationModel, _Plan | None]] = {}
_OPERATION_PLANS: dict[tuple[str, str, str, str], _Plan | None] = {}


def _operation_plan(op: OperationModel, protocol: str) -> _Plan | None:
    """Return the cached parse plan of an operation's input (None when it takes no input)."""
    fast = _BY_OPERATION.get((id(op), protocol))
    if fast is not None and fast[0] is op:
        return fast[1]
    service = op.service_model
    key = (service.service_name, service.api_version, op.name, protocol)
    try:
        found = _OPERATION_PLANS[key]
        _BY_OPERATION[(id(op), protocol)] = (op, found)
        return found
    except KeyError:
        pass
    shape = op.input_shape
    plan: _Plan | None = None
    if shape is not None:
        compiler_key = (service.service_name, service.api_version, protocol)
        compiler = _COMPILERS.get(compiler_key)
        if compiler is None:
            compiler = _COMPILERS[compiler_key] = _Compiler(protocol)
        plan = compiler.compile(shape)
    _OPERATION_PLANS[key] = plan
    _BY_OPERATION[(id(op), protocol)] = (op, plan)
    return plan


def parse_params(op: OperationModel, params: dict[str, str], protocol: str) -> dict[str, Any]:
    """Turn flat wire parameters (without Action/Version) into boto3-style kwargs for `op`."""
    if len(params) > MAX_PARAMETERS:
        raise WireError(
            "InvalidParameterValue",
            f"The request has more than the limit of {MAX_PARAMETERS} parameters",
        )
    plan = _operation_plan(op, protocol)
    if plan is None:
        for key in params:
            raise _unknown(key)
        return {}
    root: _Node = {}
    for key, value in params.items():
        node = root
        for segment in key.split("."):
            if not segment:
                raise _unknown(key)
            child = node.get(segment)
            if child is None:
                child = node[segment] = {}
            node = child
        node[_LEAF] = value
    result: dict[str, Any] = plan.parse(root, "")
    return result
