"""Generic REST-JSON codec over a botocore service model (Lambda): route a request by method
and requestUri template, parse its path/query/header/body members, serialize outputs and errors
the way botocore's rest-json parser reads them."""

from __future__ import annotations

import base64
import binascii
import json
import re
from collections.abc import Mapping
from datetime import UTC, datetime
from functools import lru_cache
from typing import Any
from urllib.parse import unquote

from botocore.model import OperationModel, Shape  # type: ignore[import-untyped]

from vpclab.wire.errors import WireError
from vpclab.wire.service_model import service_model

_LABEL = re.compile(r"\{([^}]+?)(\+?)\}")


def _template(uri: str) -> tuple[re.Pattern[str], dict[str, str], int]:
    """A requestUri as a regex over the path, its fixed query pairs, and its literal length."""
    path, _, fixed = uri.partition("?")
    pattern, last = "", 0
    for match in _LABEL.finditer(path):
        pattern += re.escape(path[last : match.start()])
        name = match.group(1)
        pattern += f"(?P<{_group(name)}>.+)" if match.group(2) else f"(?P<{_group(name)}>[^/]+)"
        last = match.end()
    pattern += re.escape(path[last:])
    literal = len(_LABEL.sub("", path))
    pairs = dict(p.partition("=")[::2] for p in fixed.split("&") if p)
    return re.compile(f"^{pattern}/?$"), pairs, literal


def _group(label: str) -> str:
    """A regex group name for a URI label (labels may hold characters groups cannot)."""
    return "g_" + re.sub(r"\W", "_", label)


@lru_cache(maxsize=8)
def _routes(service: str) -> list[tuple[str, re.Pattern[str], dict[str, str], int, str]]:
    """Every operation's (method, path regex, fixed query, literal length, name), most specific first."""
    model = service_model(service)
    routes = []
    for name in model.operation_names:
        http = model.operation_model(name).http
        pattern, fixed, literal = _template(http["requestUri"])
        routes.append((http["method"], pattern, fixed, literal, name))
    routes.sort(key=lambda r: (-len(r[2]), -r[3]))
    return routes


def match_operation(
    service: str, method: str, path: str, query: Mapping[str, list[str]]
) -> tuple[OperationModel, dict[str, str]]:
    """The operation a request names and its URI labels (URL-decoded)."""
    for verb, pattern, fixed, _, name in _routes(service):
        if verb != method.upper():
            continue
        found = pattern.match(path)
        if found is None or any(v not in query.get(k, ()) for k, v in fixed.items()):
            continue
        op = service_model(service).operation_model(name)
        labels = {}
        for label in _LABEL.finditer(op.http["requestUri"].partition("?")[0]):
            labels[label.group(1)] = unquote(found.group(_group(label.group(1))))
        return op, labels
    raise WireError("UnknownOperationException", f"No operation matches {method} {path}", 404)


# -- input -----------------------------------------------------------------------------------------
def _scalar_from_text(shape: Shape, text: str, name: str) -> Any:
    """A URI/query/header string as the member's type."""
    kind = shape.type_name
    try:
        if kind in ("integer", "long"):
            return int(text)
        if kind in ("float", "double"):
            return float(text)
    except ValueError:
        raise WireError("ValidationException", f"Invalid value '{text}' for {name}") from None
    if kind == "boolean":
        return text.lower() == "true"
    if kind == "timestamp":
        return _parse_time(text)
    return text


def _parse_time(value: Any) -> datetime:
    """A timestamp sent as epoch seconds or ISO 8601."""
    if isinstance(value, int | float):
        return datetime.fromtimestamp(value, tz=UTC)
    try:
        return datetime.fromtimestamp(float(value), tz=UTC)
    except ValueError:
        return datetime.fromisoformat(str(value).replace("Z", "+00:00"))


def _from_json(shape: Shape, value: Any, name: str) -> Any:
    """A JSON body value as the member's Python value (blobs base64-decoded)."""
    kind = shape.type_name
    if value is None:
        return None
    if kind == "structure":
        if not isinstance(value, dict):
            raise WireError("SerializationException", f"Expected an object for {name}")
        out = {}
        for member, member_shape in shape.members.items():
            key = member_shape.serialization.get("name", member)
            if key in value:
                out[member] = _from_json(member_shape, value[key], member)
        return out
    if kind == "list":
        if not isinstance(value, list):
            raise WireError("SerializationException", f"Expected a list for {name}")
        return [_from_json(shape.member, v, name) for v in value]
    if kind == "map":
        return {k: _from_json(shape.value, v, name) for k, v in value.items()}
    if kind == "blob":
        try:
            return base64.b64decode(value, validate=True)
        except (binascii.Error, TypeError):
            raise WireError("SerializationException", f"Invalid base64 for {name}") from None
    if kind == "timestamp":
        return _parse_time(value)
    return value


def parse_request(
    op: OperationModel,
    labels: Mapping[str, str],
    query: Mapping[str, list[str]],
    headers: Mapping[str, str],
    body: bytes,
) -> dict[str, Any]:
    """The request's members by botocore name, from URI, query string, headers and JSON body."""
    shape = op.input_shape
    if shape is None:
        return {}
    lowered = {k.lower(): v for k, v in headers.items()}
    payload = shape.serialization.get("payload")
    params: dict[str, Any] = {}
    body_members: dict[str, Shape] = {}
    for member, member_shape in shape.members.items():
        where = member_shape.serialization.get("location")
        wire_name = member_shape.serialization.get("name", member)
        if where == "uri" and wire_name in labels:
            params[member] = _scalar_from_text(member_shape, labels[wire_name], member)
        elif where == "querystring" and wire_name in query:
            values = query[wire_name]
            params[member] = (
                [_scalar_from_text(member_shape.member, v, member) for v in values]
                if member_shape.type_name == "list"
                else _scalar_from_text(member_shape, values[-1], member)
            )
        elif where == "header" and wire_name.lower() in lowered:
            params[member] = _scalar_from_text(member_shape, lowered[wire_name.lower()], member)
        elif where is None and member != payload:
            body_members[member] = member_shape
    if payload is not None and body:
        payload_shape = shape.members[payload]
        if payload_shape.type_name in ("blob", "string"):
            params[payload] = body if payload_shape.type_name == "blob" else body.decode()
        else:
            params[payload] = _from_json(payload_shape, _load(body), payload)
    elif body_members and body:
        document = _load(body)
        for member, member_shape in body_members.items():
            key = member_shape.serialization.get("name", member)
            if key in document:
                params[member] = _from_json(member_shape, document[key], member)
    for required in shape.required_members:
        if required not in params:
            raise WireError(
                "ValidationException", f"1 validation error detected: {required} is required"
            )
    return params


def _load(body: bytes) -> dict[str, Any]:
    """The JSON object of a request body."""
    try:
        document = json.loads(body)
    except (ValueError, UnicodeDecodeError):
        raise WireError("SerializationException", "The request body is not valid JSON") from None
    if not isinstance(document, dict):
        raise WireError("SerializationException", "The request body must be a JSON object")
    return document


# -- output ----------------------------------------------------------------------------------------
def _to_json(shape: Shape, value: Any) -> Any:
    """A Python value as the JSON botocore's rest-json parser reads for this shape."""
    kind = shape.type_name
    if kind == "structure":
        return {
            member_shape.serialization.get("name", member): _to_json(member_shape, value[member])
            for member, member_shape in shape.members.items()
            if value.get(member) is not None
        }
    if kind == "list":
        return [_to_json(shape.member, v) for v in value]
    if kind == "map":
        return {k: _to_json(shape.value, v) for k, v in value.items()}
    if kind == "blob":
        raw = value.encode() if isinstance(value, str) else value
        return base64.b64encode(raw).decode()
    if kind == "timestamp":
        return value.timestamp() if isinstance(value, datetime) else value
    return value


def _header_text(shape: Shape, value: Any) -> str:
    """A scalar output member as a header value."""
    if shape.type_name == "boolean":
        return "true" if value else "false"
    if shape.type_name == "timestamp" and isinstance(value, datetime):
        return value.strftime("%a, %d %b %Y %H:%M:%S GMT")
    return str(value)


def serialize_response(
    op: OperationModel, result: Mapping[str, Any], request_id: str
) -> tuple[int, dict[str, str], bytes]:
    """Status (the model's responseCode), headers and JSON body of a successful result."""
    status = int(op.http.get("responseCode", 200))
    headers = {"Content-Type": "application/json", "x-amzn-RequestId": request_id}
    shape = op.output_shape
    if shape is None:
        return status, headers, b""
    payload = shape.serialization.get("payload")
    document: dict[str, Any] = {}
    body: bytes | None = None
    for member, member_shape in shape.members.items():
        value = result.get(member)
        if value is None:
            continue
        where = member_shape.serialization.get("location")
        wire_name = member_shape.serialization.get("name", member)
        if where == "header":
            headers[wire_name] = _header_text(member_shape, value)
        elif where == "headers":
            headers.update({wire_name + k: str(v) for k, v in value.items()})
        elif where == "statusCode":
            status = int(value)
        elif member == payload:
            if member_shape.type_name == "blob":
                body = value if isinstance(value, bytes) else str(value).encode()
            else:
                body = json.dumps(_to_json(member_shape, value)).encode()
        else:
            document[wire_name] = _to_json(member_shape, value)
    if body is None:
        body = json.dumps(document).encode()
    return status, headers, body


def serialize_error(code: str, message: str, request_id: str) -> tuple[dict[str, str], bytes]:
    """Headers and body of an error, as Lambda sends them (code in X-Amzn-ErrorType)."""
    headers = {
        "Content-Type": "application/json",
        "X-Amzn-ErrorType": code,
        "x-amzn-RequestId": request_id,
    }
    return headers, json.dumps({"Type": "User", "message": message}).encode()
