"""Focused cases for request decoding: exact segment matching, validation errors, limits."""

from __future__ import annotations

from typing import Any

import pytest

from vpclab.wire import WireError, decode_form, operation_model, parse_params


def _parse(action: str, body: bytes, service: str = "ec2", protocol: str = "ec2") -> Any:
    """Decode a form body and parse it for `action`, the way the api layer will."""
    op = operation_model(service, action)
    assert op is not None
    params = decode_form(body)
    params.pop("Action", None)
    params.pop("Version", None)
    return parse_params(op, params, protocol)


def _error(action: str, body: bytes) -> WireError:
    """Return the WireError that decoding `body` for `action` raises."""
    with pytest.raises(WireError) as info:
        _parse(action, body)
    return info.value


def test_prefix_sibling_keys_match_exactly() -> None:
    """Ipv6PrefixCount and Ipv6Prefix.N are different members despite the shared prefix."""
    got = _parse(
        "AssignIpv6Addresses",
        b"NetworkInterfaceId=eni-1&Ipv6PrefixCount=2&Ipv6Prefix.1=2001:db8::/80",
    )
    assert got == {
        "NetworkInterfaceId": "eni-1",
        "Ipv6PrefixCount": 2,
        "Ipv6Prefixes": ["2001:db8::/80"],
    }


def test_filters_and_query_names() -> None:
    """Filter.N.Name / Filter.N.Value.M and VpcId.N map to Filters and VpcIds."""
    got = _parse(
        "DescribeVpcs",
        b"Filter.1.Name=cidr&Filter.1.Value.1=10.0.0.0%2F16&Filter.1.Value.2=x"
        b"&VpcId.2=vpc-2&VpcId.1=vpc-1&MaxResults=5&DryRun=TRUE",
    )
    assert got == {
        "Filters": [{"Name": "cidr", "Values": ["10.0.0.0/16", "x"]}],
        "VpcIds": ["vpc-1", "vpc-2"],
        "MaxResults": 5,
        "DryRun": True,
    }


def test_list_gaps_are_tolerated() -> None:
    """Items are ordered by index; missing indices are skipped."""
    assert _parse("DescribeVpcs", b"VpcId.7=b&VpcId.3=a") == {"VpcIds": ["a", "b"]}


def test_unknown_parameter() -> None:
    """A key that names no member is UnknownParameter, named in full."""
    err = _error("DescribeVpcs", b"Foo=1")
    assert (err.code, err.message) == ("UnknownParameter", "The parameter Foo is not recognized")
    err = _error("DescribeVpcs", b"Filter.1.Nope=1")
    assert err.code == "UnknownParameter" and "Filter.1.Nope" in err.message


def test_missing_required_parameter() -> None:
    """CreateSubnet without VpcId is MissingParameter."""
    err = _error("CreateSubnet", b"CidrBlock=10.0.0.0%2F24")
    assert (err.code, err.message) == (
        "MissingParameter",
        "The request must contain the parameter VpcId",
    )


def test_bad_integer_and_huge_integer() -> None:
    """Non-integers and integers beyond 64 bits are InvalidParameterValue."""
    err = _error("DescribeVpcs", b"MaxResults=abc")
    assert err.code == "InvalidParameterValue"
    assert err.message == "Value (abc) for parameter MaxResults is invalid. Expected: 'Integer'."
    assert _error("DescribeVpcs", b"MaxResults=9223372036854775808").code == (
        "InvalidParameterValue"
    )
    assert _error("DescribeVpcs", b"MaxResults=" + b"9" * 5000).code == "InvalidParameterValue"


def test_bad_boolean() -> None:
    """A boolean other than true/false is InvalidParameterValue."""
    err = _error("DescribeVpcs", b"DryRun=yes")
    assert err.code == "InvalidParameterValue" and "DryRun" in err.message


def test_invalid_utf8_and_duplicate_key() -> None:
    """The form decoder rejects bad UTF-8 and repeated keys."""
    with pytest.raises(WireError) as info:
        decode_form(b"VpcId.1=%ff")
    assert info.value.code == "InvalidParameterValue"
    with pytest.raises(WireError) as info:
        decode_form(b"VpcId.1=a&VpcId.1=b")
    assert "VpcId.1" in info.value.message


def test_too_many_list_members() -> None:
    """More than 10,000 members in one list (or parameters in all) is rejected."""
    op = operation_model("ec2", "DescribeVpcs")
    params = {f"VpcId.{i}": "v" for i in range(1, 10_002)}
    with pytest.raises(WireError) as info:
        parse_params(op, params, "ec2")
    assert info.value.code == "InvalidParameterValue" and "10000" in info.value.message


def test_query_protocol_members_and_empty_list() -> None:
    """RDS lists are Key.{member name}.N (here Filter and Value); `Key=` is an empty list."""
    got = _parse(
        "DescribeDBInstances",
        b"Filters.Filter.1.Name=engine&Filters.Filter.1.Values.Value.1=mysql&MaxRecords=20",
        service="rds",
        protocol="query",
    )
    assert got == {"Filters": [{"Name": "engine", "Values": ["mysql"]}], "MaxRecords": 20}
    got = _parse("DescribeDBInstances", b"Filters=", service="rds", protocol="query")
    assert got == {"Filters": []}
