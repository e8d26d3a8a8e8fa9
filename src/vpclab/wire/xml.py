"""Response encoding for the `ec2` and `query` protocols, driven by botocore's service models.

Each operation's output shape is compiled once into an output plan (element tags precomputed);
serializing appends string fragments to one list and joins it once.
"""

from __future__ import annotations

import base64
import re
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

from botocore.model import OperationModel, Shape  # type: ignore[import-untyped,unused-ignore]

_XML_DECL = '<?xml version="1.0" encoding="UTF-8"?>\n'

# Characters that must not appear raw in element text: markup, CR (XML parsers turn a raw CR into
# LF) and the characters XML 1.0 cannot carry at all (replaced by U+FFFD).
_NEEDS_ESCAPE = re.compile("[&<>\r\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")
_ESCAPES = {"&": "&amp;", "<": "&lt;", ">": "&gt;", "\r": "&#13;"}


def _escape_char(match: re.Match[str]) -> str:
    """Return the XML-safe replacement of one character found by `_NEEDS_ESCAPE`."""
    return _ESCAPES.get(match.group(), "\ufffd")


def escape(text: str) -> str:
    """Make a string safe as XML element text (fast when there is nothing to escape)."""
    if _NEEDS_ESCAPE.search(text) is None:
        return text
    return _NEEDS_ESCAPE.sub(_escape_char, text)


def _timestamp(value: Any) -> str:
    """Format a timestamp as ISO 8601 UTC with milliseconds and `Z` (naive means UTC)."""
    if isinstance(value, datetime):
        if value.tzinfo is not None:
            value = value.astimezone(UTC)
        return (
            f"{value.year:04d}-{value.month:02d}-{value.day:02d}T{value.hour:02d}:"
            f"{value.minute:02d}:{value.second:02d}.{value.microsecond // 1000:03d}Z"
        )
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return _timestamp(datetime.fromtimestamp(value, UTC))
    return escape(str(value))


def _float(value: Any) -> str:
    """Format a float so that it parses back to the same value."""
    number = float(value)
    if number != number:
        return "NaN"
    if number in (float("inf"), float("-inf")):
        return "Infinity" if number > 0 else "-Infinity"
    return repr(number)


def _blob(value: Any) -> str:
    """Encode a blob as base64 text (strings are taken as UTF-8)."""
    if isinstance(value, str):
        value = value.encode("utf-8")
    return base64.b64encode(value).decode("ascii")


# Plan kinds (small ints compare fast in the emit loop).
_STRING, _BOOL, _INT, _FLOAT, _TIMESTAMP, _BLOB, _STRUCT, _LIST, _MAP = range(9)
_SCALAR_KINDS = {
    "string": _STRING,
    "character": _STRING,
    "boolean": _BOOL,
    "integer": _INT,
    "long": _INT,
    "float": _FLOAT,
    "double": _FLOAT,
    "timestamp": _TIMESTAMP,
    "blob": _BLOB,
}


class _Out:
    """Compiled encoder of one shape; `kind` selects the branch in `_emit`."""

    __slots__ = (
        "by_keys",
        "flat",
        "item",
        "item_tags",
        "key",
        "key_tags",
        "kind",
        "members",
        "met_once",
        "name",
    )

    def __init__(self, kind: int, name: str) -> None:
        """Create an encoder of the given kind for the shape called `name`."""
        self.kind = kind
        self.name = name
        # structure: member name -> (open tag, close tag, member encoder, empty-list tag)
        self.members: dict[str, tuple[str, str, _Out, str]] = {}
        # list: item plan and its tags; map: value plan and key plan with their tags
        self.item: _Out | None = None
        self.item_tags: tuple[str, str] = ("", "")
        self.key: _Out | None = None
        self.key_tags: tuple[str, str] = ("", "")
        self.flat = False
        # structure: member names in a dict's order -> its specialized encoder (None: generic)
        self.by_keys: dict[tuple[str, ...], _MembersEncoder | None] = {}
        self.met_once: set[tuple[str, ...]] = set()  # key orders encoded once, generically


def _tags(name: str) -> tuple[str, str]:
    """Return the open and close tags of an element."""
    return f"<{name}>", f"</{name}>"


def _emit(out: list[str], plan: _Out, value: Any, open_tag: str, close_tag: str) -> None:
    """Append the XML of `value` wrapped in the given tags (flattened lists repeat them)."""
    kind = plan.kind
    if kind == _STRING:
        out.append(f"{open_tag}{escape(value if type(value) is str else str(value))}{close_tag}")
    elif kind == _STRUCT:
        if not isinstance(value, dict):
            raise TypeError(f"{plan.name}: expected a dict, got {type(value).__name__}")
        out.append(open_tag)
        _emit_members(out, plan, value)
        out.append(close_tag)
    elif kind == _LIST:
        item = plan.item
        assert item is not None
        item_open, item_close = plan.item_tags
        if plan.flat:
            for element in value:
                if element is not None:
                    _emit(out, item, element, open_tag, close_tag)
            return
        if not value:
            out.append(f"{open_tag[:-1]}/>")
            return
        out.append(open_tag)
        for element in value:
            if element is not None:
                _emit(out, item, element, item_open, item_close)
        out.append(close_tag)
    elif kind == _BOOL:
        out.append(f"{open_tag}{'true' if value else 'false'}{close_tag}")
    elif kind == _INT:
        out.append(f"{open_tag}{int(value)}{close_tag}")
    elif kind == _TIMESTAMP:
        out.append(f"{open_tag}{_timestamp(value)}{close_tag}")
    elif kind == _FLOAT:
        out.append(f"{open_tag}{_float(value)}{close_tag}")
    elif kind == _BLOB:
        out.append(f"{open_tag}{_blob(value)}{close_tag}")
    else:  # _MAP
        key_plan, value_plan = plan.key, plan.item
        assert key_plan is not None and value_plan is not None
        key_open, key_close = plan.key_tags
        value_open, value_close = plan.item_tags
        if not plan.flat:
            out.append(open_tag)
        for key, entry in value.items():
            out.append("<entry>" if not plan.flat else open_tag)
            _emit(out, key_plan, key, key_open, key_close)
            if entry is not None:
                _emit(out, value_plan, entry, value_open, value_close)
            out.append("</entry>" if not plan.flat else close_tag)
        if not plan.flat:
            out.append(close_tag)


_MembersEncoder = Callable[[list[str], dict[str, Any]], None]
_UNSEEN: Any = object()  # a key order not met yet


def _emit_members(out: list[str], plan: _Out, value: dict[str, Any]) -> None:
    """Append the members of a structure with the encoder specialized for its keys' order.

    Presenters build their dicts with the same keys in the same order every time, so a handful
    of orders per shape covers every response: for each, `_specialize` writes straight-line code
    (one branch per member, its tags as literals): a fifth to a third less time than the
    generic loop `_emit_members_any`.
    """
    keys = tuple(value)
    by_keys = plan.by_keys
    encoder = by_keys.get(keys, _UNSEEN)
    if encoder is _UNSEEN:
        if keys in plan.met_once:  # met again: worth its code
            encoder = _specialize(plan, keys) if len(by_keys) < _MAX_ORDERS_PER_SHAPE else None
            by_keys[keys] = encoder
        else:  # met once: the generic loop (a server's first answer skips the code generation)
            plan.met_once.add(keys)
            encoder = None
    if encoder is None:
        _emit_members_any(out, plan, value)
    else:
        encoder(out, value)


def _emit_members_any(out: list[str], plan: _Out, value: dict[str, Any]) -> None:
    """Append the members of a structure; a key the shape does not have is a KeyError.

    The common member kinds (strings, numbers, booleans, structures and lists of structures)
    are written inline rather than through `_emit`: a Describe over hundreds of resources
    emits tens of thousands of elements, and the call per element was half of its server time.
    """
    members = plan.members
    append = out.append
    needs_escape = _NEEDS_ESCAPE.search
    for name, member_value in value.items():
        member = members.get(name)
        if member is None:
            unknown = sorted(set(value) - set(members))
            raise KeyError(f"{plan.name} has no member(s) {', '.join(unknown)}")
        if member_value is None:
            continue
        open_tag, close_tag, member_plan, empty_tag = member
        kind = member_plan.kind
        if kind == _STRING and type(member_value) is str:
            if needs_escape(member_value) is not None:
                member_value = escape(member_value)
            append(f"{open_tag}{member_value}{close_tag}")
        elif kind == _LIST and not member_plan.flat:
            if not member_value:
                append(empty_tag)
                continue
            item = member_plan.item
            assert item is not None
            item_open, item_close = member_plan.item_tags
            append(open_tag)
            if item.kind == _STRUCT:
                for element in member_value:
                    if element is None:
                        continue
                    if not isinstance(element, dict):
                        raise TypeError(
                            f"{item.name}: expected a dict, got {type(element).__name__}"
                        )
                    append(item_open)
                    _emit_members_any(out, item, element)
                    append(item_close)
            else:
                for element in member_value:
                    if element is not None:
                        _emit(out, item, element, item_open, item_close)
            append(close_tag)
        elif kind == _STRUCT and isinstance(member_value, dict):
            append(open_tag)
            _emit_members_any(out, member_plan, member_value)
            append(close_tag)
        elif kind == _BOOL:
            append(f"{open_tag}{'true' if member_value else 'false'}{close_tag}")
        elif kind == _INT:
            append(f"{open_tag}{int(member_value)}{close_tag}")
        else:
            _emit(out, member_plan, member_value, open_tag, close_tag)


# Key orders specialized per shape at most (beyond it the generic loop serves the others).
_MAX_ORDERS_PER_SHAPE = 32
# Element names written as literals into generated code (botocore's are all of this form).
_PLAIN_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_.:-]*")


def _not_a_dict(plan: _Out, element: Any) -> TypeError:
    """The error of a list item that should be a structure and is not."""
    return TypeError(f"{plan.name}: expected a dict, got {type(element).__name__}")


def _string_lines(var: str, open_tag: str, close_tag: str, fallback: str) -> list[str]:
    """Generated lines appending a string element (escaped when needed) or, for any other
    type, handing it to `fallback` (a call of `_emit`)."""
    return [
        f"if type({var}) is str:",
        f"    if search({var}) is not None:",
        f"        {var} = escape({var})",
        f'    append(f"{open_tag}{{{var}}}{close_tag}")',
        "else:",
        f"    {fallback}",
    ]


def _member_lines(
    index: int, member: tuple[str, str, _Out, str], names: dict[str, Any]
) -> list[str]:
    """Generated lines appending member number `index` (a local `v<index>`, not None)."""
    open_tag, close_tag, plan, empty_tag = member
    var = f"v{index}"
    names[f"P{index}"], names[f"O{index}"], names[f"C{index}"] = plan, open_tag, close_tag
    generic = f"_emit(out, P{index}, {var}, O{index}, C{index})"
    kind = plan.kind
    if kind == _STRING:
        return _string_lines(var, open_tag, close_tag, generic)
    if kind == _BOOL:
        return [f'append("{open_tag}true{close_tag}" if {var} else "{open_tag}false{close_tag}")']
    if kind == _INT:
        return [f'append(f"{open_tag}{{int({var})}}{close_tag}")']
    if kind == _STRUCT:
        names[f"K{index}"] = plan.by_keys
        return [
            f"if isinstance({var}, dict):",
            f'    append("{open_tag}")',
            f"    if (nested := K{index}.get(tuple({var}))) is not None:",
            f"        nested(out, {var})",
            "    else:",
            f"        _emit_members(out, P{index}, {var})",
            f'    append("{close_tag}")',
            "else:",
            f"    {generic}",
        ]
    if kind != _LIST or plan.flat or plan.item is None:
        return [generic]
    item = plan.item
    item_open, item_close = plan.item_tags
    names[f"I{index}"], names[f"J{index}"] = item, item.by_keys
    if item.kind == _STRUCT:
        each = [
            "if isinstance(e, dict):",
            f'    append("{item_open}")',
            f"    if (nested := J{index}.get(tuple(e))) is not None:",
            "        nested(out, e)",
            "    else:",
            f"        _emit_members(out, I{index}, e)",
            f'    append("{item_close}")',
            "elif e is not None:",
            f"    raise _not_a_dict(I{index}, e)",
        ]
    elif item.kind == _STRING:
        fallback = f'_emit(out, I{index}, e, "{item_open}", "{item_close}")'
        each = [
            "if e is not None:",
            *("    " + line for line in _string_lines("e", item_open, item_close, fallback)),
        ]
    else:
        each = ["if e is not None:", f'    _emit(out, I{index}, e, "{item_open}", "{item_close}")']
    return [
        f"if not {var}:",
        f'    append("{empty_tag}")',
        "else:",
        f'    append("{open_tag}")',
        f"    for e in {var}:",
        *("        " + line for line in each),
        f'    append("{close_tag}")',
    ]


def _specialize(plan: _Out, keys: tuple[str, ...]) -> _MembersEncoder | None:
    """Straight-line code appending a structure whose dict has exactly these keys in this order
    (same output as `_emit_members_any`); None when a key is not a member or a tag is unusual."""
    members = [plan.members.get(key) for key in keys]
    if not keys or any(member is None for member in members):
        return None
    tags = [tag for member in members if member is not None for tag in member[:2]]
    tags += [tag for member in members if member is not None for tag in member[2].item_tags]
    if not all(_PLAIN_NAME.fullmatch(tag.strip("</>")) for tag in tags if tag):
        return None
    names: dict[str, Any] = {
        "search": _NEEDS_ESCAPE.search,
        "escape": escape,
        "_emit": _emit,
        "_emit_members": _emit_members,
        "_not_a_dict": _not_a_dict,
    }
    variables = ", ".join(f"v{index}" for index in range(len(keys)))
    body = ["append = out.append", f"{variables}, = value.values()"]
    for index, member in enumerate(members):
        assert member is not None
        body.append(f"if v{index} is not None:")
        body.extend("    " + line for line in _member_lines(index, member, names))
    source = "def encode(out, value):\n" + "".join(f"    {line}\n" for line in body)
    exec(compile(source, f"<xml encoder of {plan.name}>", "exec"), names)
    encoder: _MembersEncoder = names["encode"]
    return encoder


class _OutCompiler:
    """Compiles output shapes of one service and protocol into encoders, sharing sub-plans."""

    def __init__(self, protocol: str) -> None:
        """Prepare an empty cache of encoders keyed by shape name and flattening."""
        self.default_item = "item" if protocol == "ec2" else "member"
        self.plans: dict[tuple[str, bool], _Out] = {}

    def compile(self, shape: Shape) -> _Out:
        """Return the (cached) encoder of `shape`, building it on first use."""
        flattened = bool(shape.serialization.get("flattened"))
        key = (shape.name, flattened)
        plan = self.plans.get(key)
        if plan is not None:
            return plan
        kind = shape.type_name
        if kind == "structure":
            plan = self.plans[key] = _Out(_STRUCT, shape.name)
            for name, member in shape.members.items():
                if member.serialization.get("location"):
                    continue
                open_tag, close_tag = _tags(self.element_name(member, name))
                empty_tag = f"{open_tag[:-1]}/>"
                plan.members[name] = (open_tag, close_tag, self.compile(member), empty_tag)
        elif kind == "list":
            plan = self.plans[key] = _Out(_LIST, shape.name)
            plan.flat = flattened
            plan.item_tags = _tags(shape.member.serialization.get("name") or self.default_item)
            plan.item = self.compile(shape.member)
        elif kind == "map":
            plan = self.plans[key] = _Out(_MAP, shape.name)
            plan.flat = flattened
            plan.key_tags = _tags(shape.key.serialization.get("name") or "key")
            plan.item_tags = _tags(shape.value.serialization.get("name") or "value")
            plan.key = self.compile(shape.key)
            plan.item = self.compile(shape.value)
        elif kind in _SCALAR_KINDS:
            plan = self.plans[key] = _Out(_SCALAR_KINDS[kind], shape.name)
        else:
            raise ValueError(f"unsupported shape type {kind} ({shape.name})")
        return plan

    @staticmethod
    def element_name(shape: Shape, default: str) -> str:
        """Return the element name of a structure member (flattened lists use their item name)."""
        serialization = shape.serialization
        if shape.type_name == "list" and serialization.get("flattened"):
            item_name: str | None = shape.member.serialization.get("name")
            if item_name:
                return item_name
        name: str = serialization.get("name") or default
        return name


class _OperationOut:
    """Precomputed envelope and member encoder of one operation's response."""

    __slots__ = ("head", "id_first", "middle", "plan", "tail")

    def __init__(
        self, head: str, plan: _Out | None, middle: str, tail: str, id_first: bool
    ) -> None:
        """Keep the envelope texts around the request id and the members, and their order."""
        self.head = head
        self.plan = plan
        self.middle = middle
        self.tail = tail
        self.id_first = id_first


_COMPILERS: dict[tuple[str, str, str], _OutCompiler] = {}
# Fast path keyed by the (botocore-cached) OperationModel object itself; the object is kept in
# the value so that a recycled id() can never return another operation's plan.
_BY_OPERATION: dict[tuple[int, str], tuple[OperationModel, _OperationOut]] = {}
_OPERATION_PLANS: dict[tuple[str, str, str, str], _OperationOut] = {}


def _operation_out(op: OperationModel, protocol: str) -> _OperationOut:
    """Return the cached response encoder of an operation."""
    fast = _BY_OPERATION.get((id(op), protocol))
    if fast is not None and fast[0] is op:
        return fast[1]
    service = op.service_model
    key = (service.service_name, service.api_version, op.name, protocol)
    cached = _OPERATION_PLANS.get(key)
    if cached is not None:
        _BY_OPERATION[(id(op), protocol)] = (op, cached)
        return cached
    compiler_key = (service.service_name, service.api_version, protocol)
    compiler = _COMPILERS.get(compiler_key)
    if compiler is None:
        compiler = _COMPILERS[compiler_key] = _OutCompiler(protocol)
    shape = op.output_shape
    plan = compiler.compile(shape) if shape is not None else None
    namespace = service.metadata.get("xmlNamespace", "")
    root = f"{op.name}Response"
    if protocol == "ec2":
        # <Root><requestId>ID</requestId>members</Root>
        if namespace and not namespace.endswith("/"):
            namespace += "/"
        head = f'{_XML_DECL}<{root} xmlns="{escape(namespace)}"><requestId>'
        compiled = _OperationOut(head, plan, "</requestId>", f"</{root}>", id_first=True)
    else:
        # <Root><Wrapper>members</Wrapper><ResponseMetadata><RequestId>ID</RequestId>...</Root>
        head = f'{_XML_DECL}<{root} xmlns="{escape(namespace)}">'
        middle = "<ResponseMetadata><RequestId>"
        if shape is not None:
            wrapper = shape.serialization.get("resultWrapper") or f"{op.name}Result"
            head += f"<{wrapper}>"
            middle = f"</{wrapper}>{middle}"
        tail = f"</RequestId></ResponseMetadata></{root}>"
        compiled = _OperationOut(head, plan, middle, tail, id_first=False)
    _OPERATION_PLANS[key] = compiled
    _BY_OPERATION[(id(op), protocol)] = (op, compiled)
    return compiled


def serialize_result(
    op: OperationModel, result: dict[str, Any], request_id: str, protocol: str
) -> bytes:
    """Encode an operation's result dict (boto3 member names) as its XML response body."""
    compiled = _operation_out(op, protocol)
    plan = compiled.plan
    if plan is None and result:
        raise KeyError(f"{op.name} has no output, got member(s) {', '.join(sorted(result))}")
    out = [compiled.head]
    if compiled.id_first:
        out.append(escape(request_id))
        out.append(compiled.middle)
        if plan is not None:
            _emit_members(out, plan, result)
    else:
        if plan is not None:
            _emit_members(out, plan, result)
        out.append(compiled.middle)
        out.append(escape(request_id))
    out.append(compiled.tail)
    return "".join(out).encode("utf-8")


def serialize_error(code: str, message: str, request_id: str, protocol: str) -> bytes:
    """Encode an error response in the protocol's error envelope."""
    if protocol == "ec2":
        text = (
            f"{_XML_DECL}<Response><Errors><Error><Code>{escape(code)}</Code>"
            f"<Message>{escape(message)}</Message></Error></Errors>"
            f"<RequestID>{escape(request_id)}</RequestID></Response>"
        )
    else:
        text = (
            f"{_XML_DECL}<ErrorResponse><Error><Type>Sender</Type><Code>{escape(code)}</Code>"
            f"<Message>{escape(message)}</Message></Error>"
            f"<RequestId>{escape(request_id)}</RequestId></ErrorResponse>"
        )
    return text.encode("utf-8")
