"""CreateTags, DeleteTags, DescribeTags and TagSpecifications."""

from __future__ import annotations

from typing import Any

import pytest

from tests.support import aws_error


def tags_of(ec2: Any, vpc_id: str) -> dict[str, str]:
    """The tags of a VPC as DescribeVpcs shows them."""
    vpc = ec2.describe_vpcs(VpcIds=[vpc_id])["Vpcs"][0]
    return {t["Key"]: t["Value"] for t in vpc.get("Tags", [])}


@pytest.fixture
def two_vpcs(ec2: Any) -> list[str]:
    """Two untagged VPCs."""
    return [ec2.create_vpc(CidrBlock=f"10.{n}.0.0/16")["Vpc"]["VpcId"] for n in (1, 2)]


def test_create_tags_on_several_resources_and_overwrite(ec2: Any, two_vpcs: list[str]) -> None:
    """One call tags every resource named; a second call overwrites a key's value."""
    ec2.create_tags(
        Resources=two_vpcs, Tags=[{"Key": "env", "Value": "dev"}, {"Key": "team", "Value": ""}]
    )
    ec2.create_tags(Resources=[two_vpcs[0]], Tags=[{"Key": "env", "Value": "prod"}])
    assert tags_of(ec2, two_vpcs[0]) == {"env": "prod", "team": ""}
    assert tags_of(ec2, two_vpcs[1]) == {"env": "dev", "team": ""}


def test_create_tags_across_kinds(ec2: Any, two_vpcs: list[str]) -> None:
    """Tags work on subnets as well as VPCs, in one call."""
    subnet = ec2.create_subnet(VpcId=two_vpcs[0], CidrBlock="10.1.1.0/24")["Subnet"]["SubnetId"]
    ec2.create_tags(Resources=[two_vpcs[0], subnet], Tags=[{"Key": "Name", "Value": "x"}])
    shown = ec2.describe_subnets(SubnetIds=[subnet])["Subnets"][0]["Tags"]
    assert shown == [{"Key": "Name", "Value": "x"}]


def test_create_tags_is_all_or_nothing(ec2: Any, two_vpcs: list[str]) -> None:
    """An unknown id among the resources fails the call and tags nothing."""
    code, _ = aws_error(
        ec2.create_tags,
        Resources=[two_vpcs[0], "vpc-0123456789abcdef0"],
        Tags=[{"Key": "a", "Value": "b"}],
    )
    assert code == "InvalidVpcID.NotFound"
    assert tags_of(ec2, two_vpcs[0]) == {}


def test_create_tags_on_unknown_kind_of_id(ec2: Any) -> None:
    """An id of no known kind is InvalidID."""
    assert (
        aws_error(ec2.create_tags, Resources=["bogus-123"], Tags=[{"Key": "a", "Value": "b"}])[0]
        == "InvalidID"
    )


def test_delete_tags_by_key_by_key_and_value_and_all(ec2: Any, two_vpcs: list[str]) -> None:
    """Key alone removes it; key+value removes it only when the value matches; no tags removes all."""
    vpc = two_vpcs[0]
    ec2.create_tags(Resources=[vpc], Tags=[{"Key": k, "Value": "1"} for k in ("a", "b", "c", "d")])
    ec2.delete_tags(Resources=[vpc], Tags=[{"Key": "a"}])
    ec2.delete_tags(Resources=[vpc], Tags=[{"Key": "b", "Value": "2"}, {"Key": "c", "Value": "1"}])
    assert tags_of(ec2, vpc) == {"b": "1", "d": "1"}
    ec2.delete_tags(Resources=[vpc])
    assert tags_of(ec2, vpc) == {}


def test_tag_specifications_on_create(ec2: Any) -> None:
    """TagSpecifications tag the new resource; a spec for another type is refused and nothing is made."""
    vpc = ec2.create_vpc(
        CidrBlock="10.0.0.0/16",
        TagSpecifications=[{"ResourceType": "vpc", "Tags": [{"Key": "Name", "Value": "main"}]}],
    )["Vpc"]
    assert vpc["Tags"] == [{"Key": "Name", "Value": "main"}]
    before = len(ec2.describe_vpcs()["Vpcs"])
    code, _ = aws_error(
        ec2.create_vpc,
        CidrBlock="10.1.0.0/16",
        TagSpecifications=[{"ResourceType": "subnet", "Tags": [{"Key": "a", "Value": "b"}]}],
    )
    assert code == "InvalidParameterValue"
    assert len(ec2.describe_vpcs()["Vpcs"]) == before
    subnet = ec2.create_subnet(
        VpcId=vpc["VpcId"],
        CidrBlock="10.0.1.0/24",
        TagSpecifications=[{"ResourceType": "subnet", "Tags": [{"Key": "tier", "Value": "web"}]}],
    )["Subnet"]
    assert subnet["Tags"] == [{"Key": "tier", "Value": "web"}]


@pytest.mark.parametrize(
    ("tags", "code"),
    [
        ([{"Key": f"k{i}", "Value": "v"} for i in range(51)], "TagLimitExceeded"),
        ([{"Key": "k" * 129, "Value": "v"}], "InvalidParameterValue"),
        ([{"Key": "k", "Value": "v" * 257}], "InvalidParameterValue"),
        ([{"Key": "aws:owner", "Value": "v"}], "InvalidParameterValue"),
    ],
)
def test_tag_limits(ec2: Any, two_vpcs: list[str], tags: list[dict[str, str]], code: str) -> None:
    """50 tags per resource, keys up to 128, values up to 256 characters, no aws: prefix."""
    assert aws_error(ec2.create_tags, Resources=[two_vpcs[0]], Tags=tags)[0] == code
    assert tags_of(ec2, two_vpcs[0]) == {}


def test_tag_limits_at_the_edge_are_accepted(ec2: Any, two_vpcs: list[str]) -> None:
    """Exactly 50 tags, a 128-character key and a 256-character value are fine."""
    ec2.create_tags(
        Resources=[two_vpcs[0]], Tags=[{"Key": f"k{i}", "Value": "v"} for i in range(49)]
    )
    ec2.create_tags(Resources=[two_vpcs[0]], Tags=[{"Key": "k" * 128, "Value": "v" * 256}])
    assert len(tags_of(ec2, two_vpcs[0])) == 50


def test_describe_tags_rows_and_filters(ec2: Any, two_vpcs: list[str]) -> None:
    """One row per (resource, tag), filterable by resource-id, resource-type, key and value."""
    subnet = ec2.create_subnet(VpcId=two_vpcs[0], CidrBlock="10.1.1.0/24")["Subnet"]["SubnetId"]
    ec2.create_tags(Resources=[*two_vpcs, subnet], Tags=[{"Key": "env", "Value": "dev"}])
    ec2.create_tags(Resources=[two_vpcs[0]], Tags=[{"Key": "Name", "Value": "one"}])
    rows = ec2.describe_tags()["Tags"]
    assert len(rows) == 4
    assert {"ResourceId": subnet, "ResourceType": "subnet", "Key": "env", "Value": "dev"} in rows

    def count(filters: list[dict[str, Any]]) -> int:
        return len(ec2.describe_tags(Filters=filters)["Tags"])

    assert count([{"Name": "resource-type", "Values": ["vpc"]}]) == 3
    assert count([{"Name": "resource-id", "Values": [two_vpcs[0]]}]) == 2
    assert count([{"Name": "key", "Values": ["Na*"]}]) == 1
    assert (
        count(
            [{"Name": "value", "Values": ["dev"]}, {"Name": "resource-type", "Values": ["subnet"]}]
        )
        == 1
    )
    assert aws_error(ec2.describe_tags, Filters=[{"Name": "colour", "Values": ["x"]}])[0] == (
        "InvalidParameterValue"
    )
