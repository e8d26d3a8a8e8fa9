"""The REST-JSON codec against botocore's own rest-json serializer and parser, for every
operation of the Lambda model: requests botocore builds parse back to the same parameters, and
results we serialize parse (by botocore) back to the same result."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any
from urllib.parse import parse_qsl, urlsplit

import botocore.parsers  # type: ignore[import-untyped]
import botocore.serialize  # type: ignore[import-untyped]
import pytest
from botocore.awsrequest import HeadersDict  # type: ignore[import-untyped]
from botocore.model import OperationModel, Shape  # type: ignore[import-untyped]

from vpclab.wire import WireError, service_model
from vpclab.wire.rest_json import (
    match_operation,
    parse_request,
    serialize_error,
    serialize_response,
)

LAMBDA = service_model("lambda")
OPERATIONS = sorted(LAMBDA.operation_names)
WHEN = datetime(2024, 1, 2, 3, 4, 5, tzinfo=UTC)


def _skipped(shape: Shape) -> bool:
    """Members the codec need not carry: event streams and JSON-valued headers."""
    return bool(
        shape.serialization.get("eventstream")
        or getattr(shape, "is_document_type", False)
        or (
            shape.serialization.get("location") == "header" and shape.serialization.get("jsonvalue")
        )
        or shape.metadata.get("eventstream")
    )


def example(shape: Shape, name: str, depth: int = 0) -> Any:
    """A deterministic example value of a shape (structures three levels deep)."""
    kind = shape.type_name
    if kind == "structure":
        if depth > 3:
            return {}
        return {
            member: example(member_shape, member, depth + 1)
            for member, member_shape in shape.members.items()
            if not _skipped(member_shape)
        }
    if kind == "list":
        return [example(shape.member, name, depth + 1)]
    if kind == "map":
        return {"key1": example(shape.value, name, depth + 1)}
    if kind in ("integer", "long"):
        return max(7, int(shape.metadata.get("min", 0)))
    if kind in ("float", "double"):
        return max(1.5, float(shape.metadata.get("min", 0)))
    if kind == "boolean":
        return True
    if kind == "timestamp":
        return WHEN
    if kind == "blob":
        return b"blob-bytes"
    if shape.enum:
        return shape.enum[0]
    return f"v-{name}".ljust(int(shape.metadata.get("min", 0)), "x")


def _streaming(op: OperationModel) -> bool:
    """Operations whose response is an event stream (not a JSON document)."""
    out = op.output_shape
    return out is not None and any(
        m.serialization.get("eventstream")
        or (m.type_name == "structure" and m.metadata.get("eventstream"))
        for m in out.members.values()
    )


@pytest.mark.parametrize("name", OPERATIONS)
def test_request_round_trip(name: str) -> None:
    """botocore's serialized request routes to the same operation and parses to the same params."""
    op = LAMBDA.operation_model(name)
    params = example(op.input_shape, name) if op.input_shape is not None else {}
    request = botocore.serialize.create_serializer("rest-json").serialize_to_request(params, op)
    url = urlsplit(request["url_path"])
    query = {k: (v if isinstance(v, list) else [v]) for k, v in request["query_string"].items()}
    query.update({k: [v] for k, v in parse_qsl(url.query)})
    body = request["body"] if isinstance(request["body"], bytes) else request["body"].encode()
    found, labels = match_operation("lambda", request["method"], url.path, query)
    assert found.name == name
    parsed = parse_request(found, labels, query, request["headers"], body)
    assert parsed == params


@pytest.mark.parametrize(
    "name", [n for n in OPERATIONS if not _streaming(LAMBDA.operation_model(n))]
)
def test_response_round_trip(name: str) -> None:
    """What we serialize, botocore's rest-json parser reads back as the same result."""
    op = LAMBDA.operation_model(name)
    if op.output_shape is None:
        return
    result = example(op.output_shape, name)
    status, headers, body = serialize_response(op, result, "req-1")
    parser = botocore.parsers.create_parser("rest-json")
    lowered = HeadersDict(headers)
    parsed = parser.parse(
        {"status_code": status, "headers": lowered, "body": body}, op.output_shape
    )
    parsed.pop("ResponseMetadata", None)
    payload = op.output_shape.serialization.get("payload")
    if payload and isinstance(parsed.get(payload), str):
        # botocore hands a non-streaming blob payload back as the decoded text of the body.
        parsed[payload] = parsed[payload].encode()
    assert parsed == result


def test_error_shape_reads_as_code_and_message() -> None:
    """An error carries its code in X-Amzn-ErrorType and its message in the body."""
    op = LAMBDA.operation_model("GetFunction")
    headers, body = serialize_error("ResourceNotFoundException", "Function not found: x", "r")
    parser = botocore.parsers.create_parser("rest-json")
    lowered = HeadersDict(headers)
    parsed = parser.parse({"status_code": 404, "headers": lowered, "body": body}, op.output_shape)
    assert parsed["Error"]["Code"] == "ResourceNotFoundException"
    assert parsed["Error"]["Message"] == "Function not found: x"
    assert json.loads(body)["Type"] == "User"


def test_unknown_route_and_bad_body() -> None:
    """No matching route is a 404; a body that is not JSON is a SerializationException."""
    with pytest.raises(WireError) as missing:
        match_operation("lambda", "GET", "/nowhere", {})
    assert missing.value.status == 404
    op, labels = match_operation("lambda", "POST", "/2015-03-31/functions", {})
    assert op.name == "CreateFunction"
    with pytest.raises(WireError) as bad:
        parse_request(op, labels, {}, {}, b"not json")
    assert bad.value.code == "SerializationException"
