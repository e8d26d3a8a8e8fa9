"""Managed prefix lists through boto3: AWS-managed service lists, customer lists, SG use (SG-19)."""

from __future__ import annotations

from typing import Any

from tests.support import aws_error


def make_list(
    ec2: Any, name: str = "office", max_entries: int = 5, **kwargs: Any
) -> dict[str, Any]:
    """A fresh customer-managed IPv4 list as CreateManagedPrefixList answers it."""
    created: dict[str, Any] = ec2.create_managed_prefix_list(
        PrefixListName=name, AddressFamily="IPv4", MaxEntries=max_entries, **kwargs
    )["PrefixList"]
    return created


def entries(ec2: Any, plist_id: str, **kwargs: Any) -> list[dict[str, Any]]:
    """The entries of a list."""
    found: list[dict[str, Any]] = ec2.get_managed_prefix_list_entries(
        PrefixListId=plist_id, **kwargs
    )["Entries"]
    return found


def aws_list(ec2: Any, service: str, region: str = "us-east-1") -> dict[str, Any]:
    """An AWS-managed list by name."""
    found = ec2.describe_managed_prefix_lists(
        Filters=[{"Name": "prefix-list-name", "Values": [f"com.amazonaws.{region}.{service}"]}]
    )["PrefixLists"]
    assert len(found) == 1
    plist: dict[str, Any] = found[0]
    return plist


def test_aws_managed_service_lists_exist_in_every_partition(ec2: Any, make_client: Any) -> None:
    """s3 and dynamodb lists owned by AWS exist per region, with one id per region."""
    s3 = aws_list(ec2, "s3")
    assert s3["OwnerId"] == "AWS"
    assert s3["PrefixListArn"] == f"arn:aws:ec2:us-east-1:aws:prefix-list/{s3['PrefixListId']}"
    assert entries(ec2, s3["PrefixListId"])
    assert aws_list(ec2, "dynamodb")["AddressFamily"] == "IPv4"
    other_account = make_client(access_key="111122223333")
    assert aws_list(other_account, "s3")["PrefixListId"] == s3["PrefixListId"]
    west = make_client(region="us-west-2")
    assert aws_list(west, "s3", "us-west-2")["PrefixListId"] != s3["PrefixListId"]
    owned = ec2.describe_managed_prefix_lists(Filters=[{"Name": "owner-id", "Values": ["AWS"]}])
    assert len(owned["PrefixLists"]) == 2


def test_describe_prefix_lists_shows_only_aws_lists_with_cidrs(ec2: Any) -> None:
    """DescribePrefixLists lists only AWS service lists, with their CIDRs."""
    make_list(ec2)
    found = ec2.describe_prefix_lists()["PrefixLists"]
    assert sorted(p["PrefixListName"] for p in found) == [
        "com.amazonaws.us-east-1.dynamodb",
        "com.amazonaws.us-east-1.s3",
    ]
    assert all(p["Cidrs"] for p in found)


def test_create_list_canonicalises_entries_and_tags(ec2: Any) -> None:
    """A new list has canonical entries, version 1 and its tags."""
    created = make_list(
        ec2,
        Entries=[{"Cidr": "10.1.2.3/16", "Description": "office"}],
        TagSpecifications=[{"ResourceType": "prefix-list", "Tags": [{"Key": "k", "Value": "v"}]}],
    )
    assert created["State"] == "create-in-progress"
    assert created["OwnerId"] == "123456789012"
    assert (created["Version"], created["MaxEntries"]) == (1, 5)
    assert entries(ec2, created["PrefixListId"]) == [
        {"Cidr": "10.1.0.0/16", "Description": "office"}
    ]
    (shown,) = ec2.describe_managed_prefix_lists(PrefixListIds=[created["PrefixListId"]])[
        "PrefixLists"
    ]
    assert (shown["State"], shown["Tags"]) == ("create-complete", [{"Key": "k", "Value": "v"}])


def test_create_list_validations(ec2: Any) -> None:
    """Reserved names, bad families, sizes and CIDRs, and overfull lists are refused."""
    code, _ = aws_error(
        ec2.create_managed_prefix_list,
        PrefixListName="com.amazonaws.mine",
        AddressFamily="IPv4",
        MaxEntries=1,
    )
    assert code == "InvalidParameterValue"
    code, _ = aws_error(
        ec2.create_managed_prefix_list, PrefixListName="x", AddressFamily="IPv5", MaxEntries=1
    )
    assert code == "InvalidParameterValue"
    code, _ = aws_error(
        ec2.create_managed_prefix_list, PrefixListName="x", AddressFamily="IPv4", MaxEntries=1001
    )
    assert code == "InvalidParameterValue"
    code, _ = aws_error(
        ec2.create_managed_prefix_list,
        PrefixListName="x",
        AddressFamily="IPv6",
        MaxEntries=2,
        Entries=[{"Cidr": "10.0.0.0/8"}],
    )
    assert code == "InvalidParameterValue"
    code, _ = aws_error(
        ec2.create_managed_prefix_list,
        PrefixListName="x",
        AddressFamily="IPv4",
        MaxEntries=1,
        Entries=[{"Cidr": "10.0.0.0/8"}, {"Cidr": "10.1.0.0/16"}],
    )
    assert code == "PrefixListMaxEntriesExceeded"


def test_modify_entries_bumps_version_and_keeps_history(ec2: Any) -> None:
    """Entry changes bump the version, keep old versions readable and check CurrentVersion."""
    plist = make_list(ec2, Entries=[{"Cidr": "10.0.0.0/8"}])["PrefixListId"]
    out = ec2.modify_managed_prefix_list(
        PrefixListId=plist,
        CurrentVersion=1,
        AddEntries=[{"Cidr": "192.168.1.0/24"}],
        RemoveEntries=[{"Cidr": "10.0.0.0/8"}],
    )["PrefixList"]
    assert (out["Version"], out["State"]) == (2, "modify-in-progress")
    assert entries(ec2, plist) == [{"Cidr": "192.168.1.0/24"}]
    assert entries(ec2, plist, TargetVersion=1) == [{"Cidr": "10.0.0.0/8"}]
    code, message = aws_error(
        ec2.modify_managed_prefix_list,
        PrefixListId=plist,
        CurrentVersion=1,
        AddEntries=[{"Cidr": "1.0.0.0/8"}],
    )
    assert (code, message) == (
        "PrefixListVersionMismatch",
        "The prefix list has the incorrect version number.",
    )


def test_modify_max_entries_alone_and_not_with_entries(ec2: Any) -> None:
    """MaxEntries changes alone, never below the entry count, never with entry changes."""
    plist = make_list(ec2, max_entries=2, Entries=[{"Cidr": "10.0.0.0/8"}, {"Cidr": "11.0.0.0/8"}])[
        "PrefixListId"
    ]
    code, _ = aws_error(
        ec2.modify_managed_prefix_list,
        PrefixListId=plist,
        CurrentVersion=1,
        MaxEntries=3,
        AddEntries=[{"Cidr": "12.0.0.0/8"}],
    )
    assert code == "InvalidParameterCombination"
    code, _ = aws_error(
        ec2.modify_managed_prefix_list,
        PrefixListId=plist,
        CurrentVersion=1,
        AddEntries=[{"Cidr": "12.0.0.0/8"}],
    )
    assert code == "PrefixListMaxEntriesExceeded"
    code, _ = aws_error(ec2.modify_managed_prefix_list, PrefixListId=plist, MaxEntries=1)
    assert code == "PrefixListMaxEntriesExceeded"
    out = ec2.modify_managed_prefix_list(PrefixListId=plist, MaxEntries=3, PrefixListName="renamed")
    assert (out["PrefixList"]["MaxEntries"], out["PrefixList"]["PrefixListName"]) == (3, "renamed")


def test_aws_managed_lists_cannot_be_changed(ec2: Any) -> None:
    """AWS-managed lists cannot be deleted by a customer."""
    s3 = aws_list(ec2, "s3")["PrefixListId"]
    code, _ = aws_error(ec2.delete_managed_prefix_list, PrefixListId=s3)
    assert code == "UnauthorizedOperation"


def test_unknown_and_malformed_list_ids(ec2: Any) -> None:
    """Unknown and malformed prefix list ids get EC2's codes."""
    code, _ = aws_error(ec2.get_managed_prefix_list_entries, PrefixListId="pl-0123456789abcdef0")
    assert code == "InvalidPrefixListID.NotFound"
    code, _ = aws_error(ec2.describe_managed_prefix_lists, PrefixListIds=["nope"])
    assert code == "InvalidPrefixListId.Malformed"


def test_list_usable_in_sg_rules_and_delete_refused_while_referenced(ec2: Any) -> None:
    """Lists serve as SG peers, show their users, and cannot be deleted while used."""
    vpc = ec2.create_vpc(CidrBlock="10.0.0.0/16")["Vpc"]["VpcId"]
    group_id = ec2.create_security_group(GroupName="g", Description="d", VpcId=vpc)["GroupId"]
    plist = make_list(ec2)["PrefixListId"]
    s3 = aws_list(ec2, "s3")["PrefixListId"]
    permission = {
        "IpProtocol": "tcp",
        "FromPort": 443,
        "ToPort": 443,
        "PrefixListIds": [{"PrefixListId": plist}, {"PrefixListId": s3, "Description": "s3"}],
    }
    ec2.authorize_security_group_egress(GroupId=group_id, IpPermissions=[permission])
    filtered = ec2.describe_security_groups(
        Filters=[{"Name": "egress.ip-permission.prefix-list-id", "Values": [s3]}]
    )["SecurityGroups"]
    assert [g["GroupId"] for g in filtered] == [group_id]
    used = ec2.get_managed_prefix_list_associations(PrefixListId=plist)["PrefixListAssociations"]
    assert used == [{"ResourceId": group_id, "ResourceOwner": "123456789012"}]
    code, _ = aws_error(ec2.delete_managed_prefix_list, PrefixListId=plist)
    assert code == "DependencyViolation"
    ec2.revoke_security_group_egress(GroupId=group_id, IpPermissions=[permission])
    deleted = ec2.delete_managed_prefix_list(PrefixListId=plist)["PrefixList"]
    assert deleted["State"] == "delete-in-progress"
    code, _ = aws_error(ec2.get_managed_prefix_list_entries, PrefixListId=plist)
    assert code == "InvalidPrefixListID.NotFound"


def test_sg_19_growing_a_referenced_list_must_fit_the_rule_quota(ec2: Any) -> None:
    """Raising MaxEntries of a referenced list must keep referencing groups within quota."""
    vpc = ec2.create_vpc(CidrBlock="10.0.0.0/16")["Vpc"]["VpcId"]
    group_id = ec2.create_security_group(GroupName="g", Description="d", VpcId=vpc)["GroupId"]
    plist = make_list(ec2, max_entries=10)["PrefixListId"]
    ec2.authorize_security_group_ingress(
        GroupId=group_id,
        IpPermissions=[
            {
                "IpProtocol": "tcp",
                "FromPort": 1,
                "ToPort": 1,
                "PrefixListIds": [{"PrefixListId": plist}],
            }
        ],
    )
    code, _ = aws_error(ec2.modify_managed_prefix_list, PrefixListId=plist, MaxEntries=61)
    assert code == "RulesPerSecurityGroupLimitExceeded"
    ec2.modify_managed_prefix_list(PrefixListId=plist, MaxEntries=60)


def test_prefix_list_pages(ec2: Any) -> None:
    """DescribeManagedPrefixLists pages by MaxResults."""
    for index in range(3):
        make_list(ec2, name=f"l{index}")
    first = ec2.describe_managed_prefix_lists(MaxResults=2)
    assert len(first["PrefixLists"]) == 2
    rest = ec2.describe_managed_prefix_lists(MaxResults=10, NextToken=first["NextToken"])
    assert len(rest["PrefixLists"]) == 3


def test_list_referenced_by_route_cannot_be_deleted(ec2: Any) -> None:
    """A list used as a route destination cannot be deleted until the route goes."""
    vpc = ec2.create_vpc(CidrBlock="10.0.0.0/16")["Vpc"]["VpcId"]
    igw = ec2.create_internet_gateway()["InternetGateway"]["InternetGatewayId"]
    ec2.attach_internet_gateway(InternetGatewayId=igw, VpcId=vpc)
    table = ec2.create_route_table(VpcId=vpc)["RouteTable"]["RouteTableId"]
    plist = make_list(ec2, Entries=[{"Cidr": "198.51.100.0/24"}])["PrefixListId"]
    ec2.create_route(RouteTableId=table, DestinationPrefixListId=plist, GatewayId=igw)
    used = ec2.get_managed_prefix_list_associations(PrefixListId=plist)["PrefixListAssociations"]
    assert used == [{"ResourceId": table, "ResourceOwner": "123456789012"}]
    code, _ = aws_error(ec2.delete_managed_prefix_list, PrefixListId=plist)
    assert code == "DependencyViolation"
    ec2.delete_route(RouteTableId=table, DestinationPrefixListId=plist)
    ec2.delete_managed_prefix_list(PrefixListId=plist)
