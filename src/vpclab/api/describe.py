"""The one way every Describe works: select by ids, filter, paginate, present."""

from __future__ import annotations

import base64
import binascii
from collections.abc import Callable, Mapping, Sequence
from typing import Any, TypeVar

from vpclab.control import filters as flt
from vpclab.model.errors import DomainError

T = TypeVar("T")


def _encode_token(last_key: str) -> str:
    """An opaque NextToken pointing just past the last item returned."""
    return base64.urlsafe_b64encode(f"v1:{last_key}".encode()).decode()


def _decode_token(token: str) -> str:
    """The key a NextToken points past (InvalidNextToken when it is not one of ours)."""
    try:
        raw = base64.urlsafe_b64decode(token.encode()).decode()
    except (binascii.Error, UnicodeDecodeError, ValueError):
        raw = ""
    if not raw.startswith("v1:"):
        raise DomainError("InvalidNextToken", f"The token '{token}' is invalid")
    return raw[3:]


def paginate(
    items: Sequence[T],
    params: Mapping[str, Any],
    key: Callable[[T], str],
    *,
    minimum: int = 5,
    maximum: int = 1000,
    max_name: str = "MaxResults",
) -> tuple[list[T], str | None]:
    """A page of items sorted by key, and the token of the next page (None at the end)."""
    max_results = params.get(max_name)
    token = params.get("NextToken")
    ordered = sorted(items, key=key)
    if token:
        after = _decode_token(token)
        ordered = [i for i in ordered if key(i) > after]
    if max_results is None:
        return list(ordered), None
    if not minimum <= max_results <= maximum:
        raise DomainError(
            "InvalidParameterValue",
            f"Value ( {max_results} ) for parameter maxResults is invalid. "
            f"Expecting a value greater than {minimum - 1} and less than {maximum + 1}.",
        )
    page = list(ordered[:max_results])
    if len(ordered) > max_results:
        return page, _encode_token(key(page[-1]))
    return page, None


def describe(
    items: Sequence[T],
    params: Mapping[str, Any],
    *,
    fields: Mapping[str, flt.FieldGetter],
    present: Callable[[T], dict[str, Any]],
    list_key: str,
    key: Callable[[T], str] = lambda item: getattr(item, "id"),  # noqa: B009
    ids_given: bool = False,
    minimum: int = 5,
    maximum: int = 1000,
) -> dict[str, Any]:
    """A Describe result: filters applied, then a page (MaxResults cannot be combined with ids)."""
    if ids_given and params.get("MaxResults") is not None:
        raise DomainError(
            "InvalidParameterCombination",
            "The parameter 'MaxResults' cannot be used with explicitly listed resource IDs",
        )
    chosen = flt.apply(items, params.get("Filters"), fields)
    page, next_token = paginate(chosen, params, key, minimum=minimum, maximum=maximum)
    result: dict[str, Any] = {list_key: [present(item) for item in page]}
    if next_token:
        result["NextToken"] = next_token
    return result
