"""Round-trip every ec2, rds and elasticache operation through the codec, with botocore as oracle.

Input: values drawn from the input shape -> botocore's client serializer -> urlencode ->
`decode_form` -> `parse_params` must give the values back. Output: values drawn from the output
shape -> `serialize_result` -> botocore's response parser must give the values back.
"""

from __future__ import annotations

import os
import urllib.parse
from datetime import UTC, datetime
from typing import Any

import botocore.parsers  # type: ignore[import-untyped]
import botocore.serialize  # type: ignore[import-untyped]
import pytest
from botocore.model import OperationModel, Shape  # type: ignore[import-untyped]
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from vpclab.wire import (
    decode_form,
    operation_model,
    parse_params,
    serialize_error,
    serialize_result,
    service_model,
)

SERVICES = ("ec2", "rds", "elasticache")
MAX_DEPTH = 2
CHUNK = 25

_TEXT = st.text(
    alphabet=st.characters(categories=("L", "N", "P", "S", "Zs"), max_codepoint=0x2FFFF)
    | st.sampled_from("\t\n\r&<>%+=.;/ "),
    max_size=12,
)
_SCALARS: dict[str, st.SearchStrategy[Any]] = {
    "string": _TEXT,
    "character": _TEXT,
    "integer": st.integers(-(2**31), 2**31 - 1),
    "long": st.integers(-(2**31), 2**31 - 1),
    "boolean": st.booleans(),
    "float": st.floats(allow_nan=False, allow_infinity=False),
    "double": st.floats(allow_nan=False, allow_infinity=False),
    "timestamp": st.datetimes(
        min_value=datetime(1970, 1, 2), max_value=datetime(2100, 1, 1), timezones=st.just(UTC)
    ).map(lambda d: d.replace(microsecond=0)),
    "blob": st.binary(max_size=12),
}


class _Invisible:
    """Marks a value that leaves no trace on the request wire."""


INVISIBLE = _Invisible()


def _input_norm(value: Any, ec2: bool) -> Any:
    """Return what of an input value survives the request wire (or INVISIBLE)."""
    if isinstance(value, dict):
        out = {}
        for key, item in value.items():
            normed = _input_norm(item, ec2)
            if normed is not INVISIBLE:
                out[key] = normed
        return out if out else INVISIBLE
    if isinstance(value, list):
        items = [n for n in (_input_norm(i, ec2) for i in value) if n is not INVISIBLE]
        if not items and (ec2 or value):
            return INVISIBLE
        return items
    return value


def _visible(ec2: bool) -> Any:
    """Build a filter keeping only values that leave a trace on the request wire."""
    return lambda value: _input_norm(value, ec2) is not INVISIBLE


class _Strategies:
    """Builds Hypothesis strategies from botocore shapes, cached per shape and context."""

    def __init__(self, protocol: str) -> None:
        """Prepare the cache for one protocol."""
        self.ec2 = protocol == "ec2"
        self.cache: dict[tuple[str, bool, int, bool], st.SearchStrategy[Any]] = {}

    def for_shape(self, shape: Shape, output: bool, depth: int, visible: bool) -> Any:
        """Return a strategy for values of `shape` (visible: must survive the request wire)."""
        key = (shape.name, output, depth, visible)
        strategy = self.cache.get(key)
        if strategy is None:
            strategy = self.cache[key] = self._build(shape, output, depth, visible)
        return strategy

    def _build(self, shape: Shape, output: bool, depth: int, visible: bool) -> Any:
        """Build the strategy of one shape."""
        kind = shape.type_name
        if kind in _SCALARS:
            return _SCALARS[kind]
        if kind == "list":
            max_size = 3 if depth < MAX_DEPTH else 0
            min_size = 1 if visible and self.ec2 else 0
            item = self.for_shape(shape.member, output, depth + 1, not output)
            return st.lists(item, min_size=min_size, max_size=max(min_size, max_size))
        if kind == "map":
            keys = self.for_shape(shape.key, output, depth + 1, False)
            values = self.for_shape(shape.value, output, depth + 1, not output)
            return st.dictionaries(keys, values, max_size=3 if depth < MAX_DEPTH else 0)
        assert kind == "structure", kind
        required_names = set(shape.required_members)
        required = {}
        optional = {}
        has_scalar = any(m.type_name in _SCALARS for m in shape.members.values())
        for name, member in shape.members.items():
            if name in required_names:
                required[name] = self.for_shape(member, output, depth + 1, not output)
            elif depth < MAX_DEPTH or (
                visible and not required and (member.type_name in _SCALARS or not has_scalar)
            ):
                # Past the depth limit, a structure that must show on the wire keeps one way to.
                optional[name] = self.for_shape(member, output, depth + 1, visible)
        strategy = st.fixed_dictionaries(required, optional=optional)
        if visible and not output:
            strategy = strategy.filter(_visible(self.ec2))
        return strategy


_STRATEGIES = {
    service: _Strategies(service_model(service).metadata["protocol"]) for service in SERVICES
}


def _operations() -> list[tuple[str, str]]:
    """List (service, operation) for every operation of the tested services."""
    return [(s, name) for s in SERVICES for name in service_model(s).operation_names]


def _protocol(op: OperationModel) -> str:
    """Return the wire protocol of an operation's service."""
    protocol: str = op.metadata["protocol"]
    return protocol


def _output_norm(value: Any) -> Any:
    """Drop empty lists from structures (the response wire may or may not keep them)."""
    if isinstance(value, dict):
        return {k: _output_norm(v) for k, v in value.items() if v != []}
    if isinstance(value, list):
        return [_output_norm(v) for v in value]
    return value


SETTINGS = settings(
    max_examples=int(os.environ.get("VPCLAB_ROUNDTRIP_EXAMPLES", "1")),
    deadline=None,
    database=None,
    suppress_health_check=[
        HealthCheck.too_slow,
        HealthCheck.data_too_large,
        HealthCheck.filter_too_much,
    ],
)


def _chunks() -> list[tuple[str, tuple[str, ...]]]:
    """Group operations per service into chunks, so each test item covers a few dozen of them."""
    chunks = []
    for service in SERVICES:
        names = sorted(service_model(service).operation_names)
        for start in range(0, len(names), CHUNK):
            chunks.append((service, tuple(names[start : start + CHUNK])))
    return chunks


def _check_request(service: str, name: str, data: st.DataObject) -> None:
    """botocore's client serializer and parse_params agree on one operation's input."""
    op = operation_model(service, name)
    assert op is not None
    protocol = _protocol(op)
    params: dict[str, Any] = {}
    if op.input_shape is not None:
        params = data.draw(
            _STRATEGIES[service].for_shape(op.input_shape, False, 0, False), label=name
        )
    serializer = botocore.serialize.create_serializer(protocol, include_validation=False)
    body = serializer.serialize_to_request(params, op)["body"]
    form = decode_form(urllib.parse.urlencode(body).encode("ascii"))
    assert form.pop("Action") == name
    form.pop("Version")
    expected = _input_norm(params, protocol == "ec2")
    assert parse_params(op, form, protocol) == ({} if expected is INVISIBLE else expected), name


def _check_response(service: str, name: str, data: st.DataObject) -> None:
    """serialize_result and botocore's response parser agree on one operation's output."""
    op = operation_model(service, name)
    assert op is not None
    protocol = _protocol(op)
    result: dict[str, Any] = {}
    if op.output_shape is not None:
        result = data.draw(
            _STRATEGIES[service].for_shape(op.output_shape, True, 0, False), label=name
        )
    body = serialize_result(op, result, "req-1", protocol)
    parsed = botocore.parsers.create_parser(protocol).parse(
        {"body": body, "headers": {}, "status_code": 200}, op.output_shape
    )
    assert parsed.pop("ResponseMetadata")["RequestId"] == "req-1"
    assert _output_norm(parsed) == _output_norm(result), name


@pytest.mark.parametrize(("service", "names"), _chunks())
@SETTINGS
@given(data=st.data())
def test_request_roundtrip(service: str, names: tuple[str, ...], data: st.DataObject) -> None:
    """Every operation's input survives botocore's serializer -> decode_form -> parse_params."""
    for name in names:
        _check_request(service, name, data)


@pytest.mark.parametrize(("service", "names"), _chunks())
@SETTINGS
@given(data=st.data())
def test_response_roundtrip(service: str, names: tuple[str, ...], data: st.DataObject) -> None:
    """Every operation's output survives serialize_result -> botocore's response parser."""
    for name in names:
        _check_response(service, name, data)


@pytest.mark.parametrize("protocol", ["ec2", "query"])
@settings(max_examples=25, deadline=None, database=None)
@given(code=_TEXT.filter(str.strip), message=_TEXT.filter(bool))
def test_error_roundtrip(protocol: str, code: str, message: str) -> None:
    """botocore's parser reads the error envelope's code, message and request id."""
    body = serialize_error(code, message, "req-9", protocol)
    parsed = botocore.parsers.create_parser(protocol).parse(
        {"body": body, "headers": {}, "status_code": 400}, None
    )
    assert parsed["Error"]["Code"] == code
    assert parsed["Error"]["Message"] == message
    assert parsed["ResponseMetadata"]["RequestId"] == "req-9"


def test_every_operation_is_covered() -> None:
    """The round-trips really span the whole models (765 ec2 operations and more)."""
    operations = _operations()
    assert sum(1 for s, _ in operations if s == "ec2") >= 765
    assert {s for s, _ in operations} == set(SERVICES)
