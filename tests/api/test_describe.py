"""Describe semantics shared by every family: filters, pagination, ids, waiters."""

from __future__ import annotations

from typing import Any

import pytest

from tests.support import aws_error, raw_call
from vpclab.api.dispatch import Api


@pytest.fixture
def tagged_vpcs(ec2: Any) -> dict[str, str]:
    """Four VPCs tagged Name/env, by name."""
    spec = [
        ("web", "prod", "10.1.0.0/16"),
        ("db", "prod", "10.2.0.0/16"),
        ("web2", "dev", "10.3.0.0/16"),
        ("misc", "dev", "192.168.0.0/16"),
    ]
    out = {}
    for name, env, cidr in spec:
        vpc = ec2.create_vpc(
            CidrBlock=cidr,
            TagSpecifications=[
                {
                    "ResourceType": "vpc",
                    "Tags": [{"Key": "Name", "Value": name}, {"Key": "env", "Value": env}],
                }
            ],
        )["Vpc"]
        out[name] = vpc["VpcId"]
    return out


def names(ec2: Any, filters: list[dict[str, Any]]) -> set[str]:
    """The Name tags of the VPCs a filtered DescribeVpcs returns."""
    vpcs = ec2.describe_vpcs(Filters=filters)["Vpcs"]
    return {t["Value"] for v in vpcs for t in v.get("Tags", []) if t["Key"] == "Name"}


def test_filters_or_across_values(ec2: Any, tagged_vpcs: dict[str, str]) -> None:
    """Several values of one filter: any may match."""
    assert names(ec2, [{"Name": "cidr", "Values": ["10.1.0.0/16", "10.3.0.0/16"]}]) == {
        "web",
        "web2",
    }


def test_filters_and_across_names(ec2: Any, tagged_vpcs: dict[str, str]) -> None:
    """Several filters: all must match."""
    assert names(
        ec2, [{"Name": "tag:env", "Values": ["prod"]}, {"Name": "tag:Name", "Values": ["web*"]}]
    ) == {"web"}


def test_filters_star_and_question_mark_wildcards(ec2: Any, tagged_vpcs: dict[str, str]) -> None:
    """'*' matches any run, '?' exactly one character; everything else is literal."""
    assert names(ec2, [{"Name": "tag:Name", "Values": ["web*"]}]) == {"web", "web2"}
    assert names(ec2, [{"Name": "tag:Name", "Values": ["web?"]}]) == {"web2"}
    assert names(ec2, [{"Name": "cidr", "Values": ["10.?.0.0/16"]}]) == {"web", "db", "web2"}
    assert names(ec2, [{"Name": "cidr", "Values": ["10.1.0.0"]}]) == set()


def test_filters_tag_key_and_tag_value(ec2: Any, tagged_vpcs: dict[str, str]) -> None:
    """tag-key matches any key, tag-value any value, independently of each other."""
    assert names(ec2, [{"Name": "tag-key", "Values": ["env"]}]) == set(tagged_vpcs)
    assert names(ec2, [{"Name": "tag-value", "Values": ["dev"]}]) == {"web2", "misc"}
    assert names(ec2, [{"Name": "tag:missing", "Values": ["*"]}]) == set()


def test_filters_on_fields(ec2: Any, tagged_vpcs: dict[str, str]) -> None:
    """Field filters: vpc-id, state, is-default, owner-id, dhcp-options-id."""
    assert names(ec2, [{"Name": "vpc-id", "Values": [tagged_vpcs["db"]]}]) == {"db"}
    assert names(ec2, [{"Name": "is-default", "Values": ["false"]}]) == set(tagged_vpcs)
    every = ec2.describe_vpcs(
        Filters=[
            {"Name": "state", "Values": ["available"]},
            {"Name": "owner-id", "Values": ["123456789012"]},
        ]
    )["Vpcs"]
    assert len(every) == 5


def test_unknown_filter_name_is_invalid_parameter_value(ec2: Any) -> None:
    """A filter the operation does not support is refused."""
    assert aws_error(ec2.describe_vpcs, Filters=[{"Name": "colour", "Values": ["red"]}]) == (
        "InvalidParameterValue",
        "The filter 'colour' is invalid",
    )
    assert aws_error(ec2.describe_subnets, Filters=[{"Name": "colour", "Values": ["x"]}])[0] == (
        "InvalidParameterValue"
    )


def test_subnet_filters(ec2: Any) -> None:
    """DescribeSubnets filters by vpc-id, cidr-block, availability-zone and default-for-az."""
    vpc = ec2.create_vpc(CidrBlock="10.0.0.0/16")["Vpc"]["VpcId"]
    a = ec2.create_subnet(VpcId=vpc, CidrBlock="10.0.1.0/24", AvailabilityZone="us-east-1a")[
        "Subnet"
    ]
    ec2.create_subnet(VpcId=vpc, CidrBlock="10.0.2.0/24", AvailabilityZone="us-east-1b")
    chosen = ec2.describe_subnets(
        Filters=[
            {"Name": "vpc-id", "Values": [vpc]},
            {"Name": "availability-zone", "Values": ["us-east-1a"]},
        ]
    )
    assert [s["SubnetId"] for s in chosen["Subnets"]] == [a["SubnetId"]]
    by_cidr = ec2.describe_subnets(Filters=[{"Name": "cidr-block", "Values": ["10.0.*"]}])
    assert len(by_cidr["Subnets"]) == 2
    defaults = ec2.describe_subnets(Filters=[{"Name": "default-for-az", "Values": ["true"]}])
    assert len(defaults["Subnets"]) == 6


@pytest.mark.parametrize(
    ("operation", "key"), [("describe_vpcs", "Vpcs"), ("describe_subnets", "Subnets")]
)
def test_paginators_walk_every_item_once(ec2: Any, operation: str, key: str) -> None:
    """botocore paginators with MaxResults see every item exactly once, across several pages."""
    vpc = ec2.create_vpc(CidrBlock="10.0.0.0/16")["Vpc"]["VpcId"]
    for n in range(12):
        ec2.create_vpc(CidrBlock=f"10.{n + 1}.0.0/16")
        ec2.create_subnet(VpcId=vpc, CidrBlock=f"10.0.{n}.0/24")
    every = getattr(ec2, operation)()[key]
    pages = list(ec2.get_paginator(operation).paginate(PaginationConfig={"PageSize": 5}))
    assert len(pages) >= 3
    assert all(len(p[key]) <= 5 for p in pages)
    seen = [item[key[:-1] + "Id"] for p in pages for item in p[key]]
    assert len(seen) == len(set(seen)) == len(every)


def test_describe_tags_paginator(ec2: Any) -> None:
    """DescribeTags pages over one row per (resource, tag)."""
    for n in range(4):
        vpc = ec2.create_vpc(CidrBlock=f"10.{n}.0.0/16")["Vpc"]["VpcId"]
        ec2.create_tags(Resources=[vpc], Tags=[{"Key": f"k{i}", "Value": "v"} for i in range(3)])
    pages = list(ec2.get_paginator("describe_tags").paginate(PaginationConfig={"PageSize": 5}))
    rows = [(t["ResourceId"], t["Key"]) for p in pages for t in p["Tags"]]
    assert len(pages) == 3
    assert len(rows) == len(set(rows)) == 12


def test_max_results_with_filters_pages_the_filtered_set(
    ec2: Any, tagged_vpcs: dict[str, str]
) -> None:
    """Filters apply before the page is cut: pages hold only matches."""
    first = ec2.describe_vpcs(
        Filters=[{"Name": "tag:env", "Values": ["prod", "dev"]}], MaxResults=5
    )
    assert len(first["Vpcs"]) == 4
    assert "NextToken" not in first


@pytest.mark.parametrize("value", ["4", "1001", "0"])
def test_max_results_out_of_range(api: Api, value: str) -> None:
    """MaxResults must be 5..1000 (sent raw: botocore would refuse some of these itself)."""
    status, body = raw_call(
        api, {"Action": "DescribeVpcs", "Version": "2016-11-15", "MaxResults": value}
    )
    assert status == 400
    assert "<Code>InvalidParameterValue</Code>" in body


def test_ids_and_max_results_together_are_refused(ec2: Any, tagged_vpcs: dict[str, str]) -> None:
    """EC2 refuses MaxResults with an explicit id list."""
    code, _ = aws_error(ec2.describe_vpcs, VpcIds=[tagged_vpcs["web"]], MaxResults=5)
    assert code == "InvalidParameterCombination"


def test_bad_next_token(ec2: Any) -> None:
    """A token vpclab never issued is InvalidNextToken."""
    assert aws_error(ec2.describe_vpcs, MaxResults=5, NextToken="garbage")[0] == "InvalidNextToken"


def test_ids_select_exactly_those(ec2: Any, tagged_vpcs: dict[str, str]) -> None:
    """Listing ids returns exactly them, filters still apply."""
    ids = [tagged_vpcs["web"], tagged_vpcs["db"]]
    assert {v["VpcId"] for v in ec2.describe_vpcs(VpcIds=ids)["Vpcs"]} == set(ids)
    assert (
        ec2.describe_vpcs(VpcIds=ids, Filters=[{"Name": "tag:env", "Values": ["dev"]}])["Vpcs"]
        == []
    )


@pytest.mark.parametrize(
    ("operation", "param", "bad_id", "code"),
    [
        ("describe_vpcs", "VpcIds", "vpc-0123456789abcdef0", "InvalidVpcID.NotFound"),
        ("describe_vpcs", "VpcIds", "vpc-xyz", "InvalidVpcID.Malformed"),
        ("describe_vpcs", "VpcIds", "subnet-0123456789abcdef0", "InvalidVpcID.Malformed"),
        ("describe_subnets", "SubnetIds", "subnet-0123456789abcdef0", "InvalidSubnetID.NotFound"),
        ("describe_subnets", "SubnetIds", "sub-1", "InvalidSubnetID.Malformed"),
    ],
)
def test_unknown_and_malformed_ids(
    ec2: Any, tagged_vpcs: dict[str, str], operation: str, param: str, bad_id: str, code: str
) -> None:
    """One unknown id fails the whole Describe with the exact EC2 code."""
    ids = [tagged_vpcs["web"], bad_id] if param == "VpcIds" else [bad_id]
    got, message = aws_error(getattr(ec2, operation), **{param: ids})
    assert got == code
    assert bad_id in message


def test_waiters_vpc_available_vpc_exists_subnet_available(ec2: Any) -> None:
    """botocore's waiters succeed on the first poll."""
    vpc = ec2.create_vpc(CidrBlock="10.0.0.0/16")["Vpc"]["VpcId"]
    subnet = ec2.create_subnet(VpcId=vpc, CidrBlock="10.0.1.0/24")["Subnet"]["SubnetId"]
    fast = {"Delay": 0, "MaxAttempts": 2}
    ec2.get_waiter("vpc_exists").wait(VpcIds=[vpc], WaiterConfig=fast)
    ec2.get_waiter("vpc_available").wait(VpcIds=[vpc], WaiterConfig=fast)
    ec2.get_waiter("subnet_available").wait(SubnetIds=[subnet], WaiterConfig=fast)
