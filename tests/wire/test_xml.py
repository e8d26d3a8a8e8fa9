"""The XML response encoder's per-key-order encoders: same bytes on every call and for every key
order, with botocore's parser as the judge, escaping, and the errors of malformed results."""

from __future__ import annotations

import itertools
from typing import Any

import botocore.parsers  # type: ignore[import-untyped]
import pytest

from vpclab.wire import operation_model, serialize_result
from vpclab.wire.xml import _MAX_ORDERS_PER_SHAPE


def _group(index: int) -> dict[str, Any]:
    """A security group result as DescribeSecurityGroups presents one."""
    return {
        "GroupId": f"sg-{index:017x}",
        "GroupName": f"web & <db> {index}\r",
        "Description": "control\x01character",
        "VpcId": None,
        "OwnerId": "123456789012",
        "IpPermissions": [
            {
                "IpProtocol": "tcp",
                "FromPort": 22,
                "ToPort": 22,
                "IpRanges": [{"CidrIp": "10.0.0.0/8", "Description": "ssh"}, None],
                "Ipv6Ranges": [],
                "UserIdGroupPairs": [],
            }
        ],
        "IpPermissionsEgress": [],
        "Tags": [{"Key": "Name", "Value": "ü🐍"}],
    }


def _parse(name: str, body: bytes) -> dict[str, Any]:
    """What boto3 reads from a response body of operation `name`."""
    op = operation_model("ec2", name)
    assert op is not None
    parsed: dict[str, Any] = botocore.parsers.create_parser("ec2").parse(
        {"body": body, "headers": {}, "status_code": 200}, op.output_shape
    )
    parsed.pop("ResponseMetadata")
    return parsed


def _encode(name: str, result: dict[str, Any]) -> bytes:
    """The response body of operation `name` for this result."""
    op = operation_model("ec2", name)
    assert op is not None
    body: bytes = serialize_result(op, result, "req-1", "ec2")
    return body


def test_repeated_encoding_gives_the_same_bytes_botocore_reads_back() -> None:
    """The first call builds the encoders, later calls use them: the bytes never change."""
    result = {"SecurityGroups": [_group(i) for i in range(3)]}
    first = _encode("DescribeSecurityGroups", result)
    assert all(_encode("DescribeSecurityGroups", result) == first for _ in range(3))
    group = _parse("DescribeSecurityGroups", first)["SecurityGroups"][1]
    assert group["GroupName"] == "web & <db> 1\r"
    assert group["Description"] == "control\ufffdcharacter"
    assert "VpcId" not in group
    assert group["IpPermissions"][0]["IpRanges"] == [{"CidrIp": "10.0.0.0/8", "Description": "ssh"}]
    assert group["Tags"] == [{"Key": "Name", "Value": "ü🐍"}]
    assert b"<groupName>web &amp; &lt;db&gt; 1&#13;</groupName>" in first


def test_members_are_written_in_each_dicts_own_order() -> None:
    """Two key orders of one shape each keep their order on the wire."""
    forward = {"VpcId": "vpc-1", "CidrBlock": "10.0.0.0/16", "IsDefault": False}
    backward = dict(reversed(list(forward.items())))
    body = _encode("DescribeVpcs", {"Vpcs": [forward, backward]}).decode()
    first, second = body.split("<item>")[1:]
    assert first.index("<vpcId>") < first.index("<cidrBlock>") < first.index("<isDefault>")
    assert second.index("<isDefault>") < second.index("<cidrBlock>") < second.index("<vpcId>")
    assert _parse("DescribeVpcs", body.encode())["Vpcs"] == [forward, backward]


def test_more_key_orders_than_specialized_still_encode() -> None:
    """Past the per-shape cap of specialized orders the generic loop answers the same."""
    keys = ("VpcId", "CidrBlock", "State", "OwnerId", "InstanceTenancy", "DhcpOptionsId")
    orders = itertools.islice(itertools.permutations(keys), 2 * _MAX_ORDERS_PER_SHAPE)
    vpcs: list[dict[str, Any]] = [
        {name: f"{name}-{index}" for name in order} for index, order in enumerate(orders)
    ]
    assert len({tuple(vpc) for vpc in vpcs}) > _MAX_ORDERS_PER_SHAPE
    parsed = _parse("DescribeVpcs", _encode("DescribeVpcs", {"Vpcs": vpcs}))["Vpcs"]
    assert parsed == vpcs


def test_malformed_results_fail_loudly() -> None:
    """A member the shape lacks is a KeyError naming it; a non-dict structure a TypeError."""
    for _ in range(2):  # before and after the encoders of these key orders exist
        with pytest.raises(KeyError, match="Bogus"):
            _encode("DescribeVpcs", {"Vpcs": [{"VpcId": "vpc-1", "Bogus": 1}]})
        with pytest.raises(TypeError, match="expected a dict, got str"):
            _encode("DescribeVpcs", {"Vpcs": ["vpc-1"]})
        with pytest.raises(TypeError, match="expected a dict, got int"):
            _encode("DescribeVpcs", {"Vpcs": [{"CidrBlockAssociationSet": [7]}]})
