"""Security groups through boto3: spec section 6 (SG-*), AMB-11, AMB-15, PCX-13."""

from __future__ import annotations

from typing import Any

from tests.support import aws_error
from vpclab.control.store import Store
from vpclab.model.ids import new_id
from vpclab.model.interface import NetworkInterface, PrivateIp

OTHER_ACCOUNT = "111122223333"


def make_vpc(ec2: Any, cidr: str = "10.0.0.0/16", **kwargs: Any) -> str:
    """A fresh VPC's id."""
    vpc_id: str = ec2.create_vpc(CidrBlock=cidr, **kwargs)["Vpc"]["VpcId"]
    return vpc_id


def make_group(ec2: Any, vpc_id: str, name: str = "web") -> str:
    """A fresh security group's id."""
    group_id: str = ec2.create_security_group(
        GroupName=name, Description="test group", VpcId=vpc_id
    )["GroupId"]
    return group_id


def group(ec2: Any, group_id: str) -> dict[str, Any]:
    """A group as DescribeSecurityGroups shows it."""
    found: dict[str, Any] = ec2.describe_security_groups(GroupIds=[group_id])["SecurityGroups"][0]
    return found


def default_group(ec2: Any, vpc_id: str) -> dict[str, Any]:
    """The default security group of a VPC."""
    groups = ec2.describe_security_groups(
        Filters=[
            {"Name": "vpc-id", "Values": [vpc_id]},
            {"Name": "group-name", "Values": ["default"]},
        ]
    )["SecurityGroups"]
    assert len(groups) == 1
    found: dict[str, Any] = groups[0]
    return found


def tcp(port: int, **peer: Any) -> dict[str, Any]:
    """A one-port TCP permission for the given peer lists."""
    return {"IpProtocol": "tcp", "FromPort": port, "ToPort": port, **peer}


def cidr(block: str) -> dict[str, Any]:
    """An IpRanges peer."""
    return {"IpRanges": [{"CidrIp": block}]}


def peer_vpcs(ec2: Any, accepter: Any, vpc_a: str, vpc_b: str, owner: str | None = None) -> str:
    """An active peering between two VPCs (accepted by the accepter's client)."""
    kwargs: dict[str, Any] = {"VpcId": vpc_a, "PeerVpcId": vpc_b}
    if owner is not None:
        kwargs["PeerOwnerId"] = owner
    pcx: str = ec2.create_vpc_peering_connection(**kwargs)["VpcPeeringConnection"][
        "VpcPeeringConnectionId"
    ]
    accepter.accept_vpc_peering_connection(VpcPeeringConnectionId=pcx)
    return pcx


def attach_to_eni(store: Store, vpc_id: str, subnet_id: str, group_id: str) -> None:
    """An ENI using the group, put straight into the state (as RunInstances would leave it)."""
    with store.transaction("123456789012", "us-east-1") as tx:
        tx.put(
            NetworkInterface(
                id=new_id("eni"),
                subnet_id=subnet_id,
                vpc_id=vpc_id,
                availability_zone="us-east-1a",
                private_ips=(PrivateIp(address="10.0.0.10", primary=True),),
                groups=(group_id,),
            )
        )


# -- SG-4, SG-5, AMB-15: what groups start with ------------------------------------------------


def test_sg_4_new_group_has_no_ingress_and_one_all_egress_rule(ec2: Any) -> None:
    """A new group starts closed inbound and open outbound to 0.0.0.0/0 on all protocols."""
    vpc = make_vpc(ec2)
    found = group(ec2, make_group(ec2, vpc))
    assert found["IpPermissions"] == []
    assert len(found["IpPermissionsEgress"]) == 1
    egress = found["IpPermissionsEgress"][0]
    assert egress["IpProtocol"] == "-1"
    assert egress["IpRanges"] == [{"CidrIp": "0.0.0.0/0"}]
    assert "FromPort" not in egress


def test_amb_15_new_group_in_ipv6_vpc_gets_only_ipv4_egress(ec2: Any) -> None:
    """AMB-15: custom groups get no ::/0 egress rule even in an IPv6 VPC."""
    vpc = make_vpc(ec2, AmazonProvidedIpv6CidrBlock=True)
    egress = group(ec2, make_group(ec2, vpc))["IpPermissionsEgress"]
    assert [p["Ipv6Ranges"] for p in egress] == [[]]


def test_sg_5_default_group_rules_and_description(ec2: Any) -> None:
    """The default group admits itself, egresses to 0.0.0.0/0 and ::/0, and has AWS's description."""
    vpc = make_vpc(ec2, AmazonProvidedIpv6CidrBlock=True)
    found = default_group(ec2, vpc)
    assert found["Description"] == "default VPC security group"
    (inbound,) = found["IpPermissions"]
    assert inbound["IpProtocol"] == "-1"
    assert inbound["UserIdGroupPairs"] == [{"GroupId": found["GroupId"], "UserId": "123456789012"}]
    (outbound,) = found["IpPermissionsEgress"]
    assert outbound["IpRanges"] == [{"CidrIp": "0.0.0.0/0"}]
    assert outbound["Ipv6Ranges"] == [{"CidrIpv6": "::/0"}]


def test_sg_5_default_group_cannot_be_deleted(ec2: Any) -> None:
    """Deleting the default group is CannotDelete with the documented wording."""
    vpc = make_vpc(ec2)
    default_id = default_group(ec2, vpc)["GroupId"]
    code, message = aws_error(ec2.delete_security_group, GroupId=default_id)
    assert code == "CannotDelete"
    assert (
        message
        == f'the specified group: "{default_id}" name: "default" cannot be deleted by a user'
    )


# -- SG-6: CreateSecurityGroup ----------------------------------------------------------------


def test_sg_6_duplicate_name_is_case_insensitive_per_vpc(ec2: Any) -> None:
    """Names are unique per VPC regardless of case, with the observed Duplicate message."""
    vpc = make_vpc(ec2)
    make_group(ec2, vpc, "Web")
    code, message = aws_error(
        ec2.create_security_group, GroupName="web", Description="again", VpcId=vpc
    )
    assert code == "InvalidGroup.Duplicate"
    assert message == f"The security group 'web' already exists for VPC '{vpc}'"
    other_vpc = make_vpc(ec2, "10.1.0.0/16")
    assert make_group(ec2, other_vpc, "web").startswith("sg-")


def test_sg_6_default_name_is_reserved(ec2: Any) -> None:
    """'default' is reserved for the group AWS creates."""
    vpc = make_vpc(ec2)
    code, _ = aws_error(ec2.create_security_group, GroupName="default", Description="x", VpcId=vpc)
    assert code == "InvalidGroup.Reserved"


BAD_NAMES = [
    ("sg-mine", "ok"),
    ("x" * 256, "ok"),
    ("ok", "d" * 256),
    ("caf\u00e9", "ok"),
    ("ok", "tab\there"),
]


def test_sg_6_invalid_names_and_descriptions_refused(ec2: Any) -> None:
    """sg- prefixes, over-long text and characters outside the allowed set are refused."""
    vpc = make_vpc(ec2)
    for name, description in BAD_NAMES:
        code, _ = aws_error(
            ec2.create_security_group, GroupName=name, Description=description, VpcId=vpc
        )
        assert code == "InvalidParameterValue", (name, description)


def test_sg_6_allowed_characters_and_trailing_spaces_trimmed(ec2: Any) -> None:
    """Every allowed special character is accepted and trailing spaces are dropped."""
    vpc = make_vpc(ec2)
    name = "a-Z_0.9 :/()#,@[]+=&;{}!$*"
    group_id = ec2.create_security_group(GroupName=name + "  ", Description=name, VpcId=vpc)[
        "GroupId"
    ]
    assert group(ec2, group_id)["GroupName"] == name


def test_sg_6_without_vpc_id_uses_default_vpc(ec2: Any) -> None:
    """Without VpcId the group lands in the default VPC."""
    default_vpc = ec2.describe_vpcs(Filters=[{"Name": "is-default", "Values": ["true"]}])["Vpcs"][0]
    group_id = ec2.create_security_group(GroupName="nodefaultvpcid", Description="d")["GroupId"]
    assert group(ec2, group_id)["VpcId"] == default_vpc["VpcId"]


def test_sg_6_without_vpc_id_and_default_vpc_fails(ec2: Any) -> None:
    """Without VpcId and without a default VPC the call is VPCIdNotSpecified."""
    default_vpc = ec2.describe_vpcs(Filters=[{"Name": "is-default", "Values": ["true"]}])["Vpcs"][0]
    ec2.delete_internet_gateway  # noqa: B018 - the default VPC has companions to remove first
    for subnet in ec2.describe_subnets(
        Filters=[{"Name": "vpc-id", "Values": [default_vpc["VpcId"]]}]
    )["Subnets"]:
        ec2.delete_subnet(SubnetId=subnet["SubnetId"])
    for igw in ec2.describe_internet_gateways()["InternetGateways"]:
        ec2.detach_internet_gateway(
            InternetGatewayId=igw["InternetGatewayId"], VpcId=default_vpc["VpcId"]
        )
        ec2.delete_internet_gateway(InternetGatewayId=igw["InternetGatewayId"])
    ec2.delete_vpc(VpcId=default_vpc["VpcId"])
    code, message = aws_error(ec2.create_security_group, GroupName="x", Description="d")
    assert code == "VPCIdNotSpecified"
    assert message.startswith("No default VPC for this user.")


def test_sg_6_tags_on_create_and_arn(ec2: Any) -> None:
    """TagSpecifications tag the new group and the answer carries its ARN."""
    vpc = make_vpc(ec2)
    out = ec2.create_security_group(
        GroupName="tagged",
        Description="d",
        VpcId=vpc,
        TagSpecifications=[
            {"ResourceType": "security-group", "Tags": [{"Key": "team", "Value": "a"}]}
        ],
    )
    assert out["Tags"] == [{"Key": "team", "Value": "a"}]
    assert out["SecurityGroupArn"].endswith(f":security-group/{out['GroupId']}")
    found = ec2.describe_security_groups(Filters=[{"Name": "tag:team", "Values": ["a"]}])
    assert [g["GroupId"] for g in found["SecurityGroups"]] == [out["GroupId"]]


def test_sg_21_unknown_and_malformed_group_ids(ec2: Any) -> None:
    """Unknown ids are InvalidGroup.NotFound, ids of the wrong form are malformed."""
    code, message = aws_error(ec2.describe_security_groups, GroupIds=["sg-0123456789abcdef0"])
    assert code == "InvalidGroup.NotFound"
    assert "sg-0123456789abcdef0" in message
    code, _ = aws_error(ec2.delete_security_group, GroupId="nonsense")
    assert code == "InvalidGroupId.Malformed"


def test_sg_21_group_of_another_region_is_not_found(ec2: Any, make_client: Any) -> None:
    """A group exists only in its own region."""
    vpc = make_vpc(ec2)
    group_id = make_group(ec2, vpc)
    west = make_client(region="us-west-2")
    code, _ = aws_error(west.describe_security_groups, GroupIds=[group_id])
    assert code == "InvalidGroup.NotFound"


# -- SG-11, SG-12, SG-16: authorize ------------------------------------------------------------


def test_sg_16_authorize_returns_rule_ids(ec2: Any) -> None:
    """Authorize answers Return=true and the new rules with sgr- ids."""
    vpc = make_vpc(ec2)
    group_id = make_group(ec2, vpc)
    out = ec2.authorize_security_group_ingress(
        GroupId=group_id, IpPermissions=[tcp(443, **cidr("0.0.0.0/0"))]
    )
    assert out["Return"] is True
    (rule,) = out["SecurityGroupRules"]
    assert rule["SecurityGroupRuleId"].startswith("sgr-")
    assert (rule["IsEgress"], rule["IpProtocol"], rule["FromPort"], rule["ToPort"]) == (
        False,
        "tcp",
        443,
        443,
    )
    assert rule["CidrIpv4"] == "0.0.0.0/0"
    listed = ec2.describe_security_group_rules(SecurityGroupRuleIds=[rule["SecurityGroupRuleId"]])
    assert listed["SecurityGroupRules"][0]["GroupId"] == group_id


def test_sg_12_cidr_canonicalised_and_non_canonical_form_is_duplicate(ec2: Any) -> None:
    """Host bits are cleared, so the canonical form of an existing rule is a duplicate."""
    vpc = make_vpc(ec2)
    group_id = make_group(ec2, vpc)
    out = ec2.authorize_security_group_ingress(
        GroupId=group_id, IpPermissions=[tcp(22, **cidr("10.1.2.3/16"))]
    )
    assert out["SecurityGroupRules"][0]["CidrIpv4"] == "10.1.0.0/16"
    code, message = aws_error(
        ec2.authorize_security_group_ingress,
        GroupId=group_id,
        IpPermissions=[tcp(22, **cidr("10.1.0.0/16"))],
    )
    assert code == "InvalidPermission.Duplicate"
    assert (
        message
        == 'the specified rule "peer: 10.1.0.0/16, TCP, from port: 22, to port: 22, ALLOW" already exists'
    )


def test_sg_12_ipv6_and_single_host_rules(ec2: Any) -> None:
    """IPv6 peers are canonicalised too and single hosts stay /32."""
    vpc = make_vpc(ec2)
    group_id = make_group(ec2, vpc)
    ec2.authorize_security_group_ingress(
        GroupId=group_id,
        IpPermissions=[
            {
                "IpProtocol": "udp",
                "FromPort": 53,
                "ToPort": 53,
                "Ipv6Ranges": [{"CidrIpv6": "2001:DB8::1/64", "Description": "v6 net"}],
                "IpRanges": [{"CidrIp": "192.0.2.7/32"}],
            }
        ],
    )
    (perm,) = group(ec2, group_id)["IpPermissions"]
    assert perm["Ipv6Ranges"] == [{"CidrIpv6": "2001:db8::/64", "Description": "v6 net"}]
    assert perm["IpRanges"] == [{"CidrIp": "192.0.2.7/32"}]


def test_sg_16_duplicate_messages_for_all_and_other_protocols(ec2: Any) -> None:
    """Duplicate messages name ALL or 'protocol: N' as AWS does."""
    vpc = make_vpc(ec2)
    group_id = make_group(ec2, vpc)
    code, message = aws_error(
        ec2.authorize_security_group_egress,
        GroupId=group_id,
        IpPermissions=[{"IpProtocol": "-1", **cidr("0.0.0.0/0")}],
    )
    assert code == "InvalidPermission.Duplicate"
    assert message == 'the specified rule "peer: 0.0.0.0/0, ALL, ALLOW" already exists'
    esp = {"IpProtocol": "50", **cidr("0.0.0.0/0")}
    ec2.authorize_security_group_ingress(GroupId=group_id, IpPermissions=[esp])
    _, message = aws_error(
        ec2.authorize_security_group_ingress, GroupId=group_id, IpPermissions=[esp]
    )
    assert message == 'the specified rule "peer: 0.0.0.0/0, protocol: 50, ALLOW" already exists'


def test_sg_16_duplicate_group_reference_message_and_nothing_added(ec2: Any) -> None:
    """A duplicate anywhere in a request refuses all of it, naming the group peer."""
    vpc = make_vpc(ec2)
    group_id = make_group(ec2, vpc)
    pair = {"UserIdGroupPairs": [{"GroupId": group_id}]}
    ec2.authorize_security_group_ingress(GroupId=group_id, IpPermissions=[tcp(80, **pair)])
    code, message = aws_error(
        ec2.authorize_security_group_ingress,
        GroupId=group_id,
        IpPermissions=[tcp(81, **cidr("10.0.0.0/8")), tcp(80, **pair)],
    )
    assert code == "InvalidPermission.Duplicate"
    assert (
        message
        == f'the specified rule "peer: {group_id}, TCP, from port: 80, to port: 80, ALLOW" already exists'
    )
    assert len(group(ec2, group_id)["IpPermissions"]) == 1  # the whole request was refused


def test_sg_11_protocol_numbers_normalised_and_all_ports_for_other_protocols(ec2: Any) -> None:
    """6 means tcp; other protocol numbers allow every port whatever ports were sent."""
    vpc = make_vpc(ec2)
    group_id = make_group(ec2, vpc)
    out = ec2.authorize_security_group_ingress(
        GroupId=group_id,
        IpPermissions=[
            {"IpProtocol": "6", "FromPort": 80, "ToPort": 90, **cidr("10.0.0.0/8")},
            {"IpProtocol": "47", "FromPort": 5, "ToPort": 6, **cidr("10.0.0.0/8")},
        ],
    )
    rules = out["SecurityGroupRules"]
    assert (rules[0]["IpProtocol"], rules[0]["FromPort"], rules[0]["ToPort"]) == ("tcp", 80, 90)
    assert (rules[1]["IpProtocol"], rules[1]["FromPort"], rules[1]["ToPort"]) == ("47", -1, -1)


MALFORMED_PORTS: list[dict[str, Any]] = [
    {"IpProtocol": "tcp", "FromPort": 90, "ToPort": 80},
    {"IpProtocol": "tcp", "FromPort": 0, "ToPort": 70000},
    {"IpProtocol": "udp", "FromPort": 53},
    {"IpProtocol": "icmp", "FromPort": -1, "ToPort": 4},
    {"IpProtocol": "icmp", "FromPort": 3, "ToPort": 300},
    {"IpProtocol": "icmp"},
]


def test_sg_11_bad_ports_and_icmp_combinations_are_malformed(ec2: Any) -> None:
    """Reversed or out-of-range ports and ICMP code without type are InvalidPermission.Malformed."""
    vpc = make_vpc(ec2)
    group_id = make_group(ec2, vpc)
    for permission in MALFORMED_PORTS:
        code, _ = aws_error(
            ec2.authorize_security_group_ingress,
            GroupId=group_id,
            IpPermissions=[{**permission, **cidr("10.0.0.0/8")}],
        )
        assert code == "InvalidPermission.Malformed", permission
    assert group(ec2, group_id)["IpPermissions"] == []


def test_sg_11_icmp_type_and_code_and_icmpv6_defaults(ec2: Any) -> None:
    """ICMP keeps type/code; ICMPv6 without ports means all types and codes."""
    vpc = make_vpc(ec2)
    group_id = make_group(ec2, vpc)
    out = ec2.authorize_security_group_ingress(
        GroupId=group_id,
        IpPermissions=[
            {"IpProtocol": "icmp", "FromPort": 3, "ToPort": 4, **cidr("0.0.0.0/0")},
            {"IpProtocol": "icmpv6", "Ipv6Ranges": [{"CidrIpv6": "::/0"}]},
        ],
    )
    icmp, icmpv6 = out["SecurityGroupRules"]
    assert (icmp["FromPort"], icmp["ToPort"]) == (3, 4)
    assert (icmpv6["IpProtocol"], icmpv6["FromPort"], icmpv6["ToPort"]) == ("icmpv6", -1, -1)


def test_sg_11_unknown_protocol_and_bad_cidr_refused(ec2: Any) -> None:
    """Unknown protocol names and invalid or wrong-family CIDRs are refused."""
    vpc = make_vpc(ec2)
    group_id = make_group(ec2, vpc)
    code, message = aws_error(
        ec2.authorize_security_group_ingress,
        GroupId=group_id,
        IpPermissions=[{"IpProtocol": "gre", **cidr("10.0.0.0/8")}],
    )
    assert (code, message) == (
        "InvalidParameterValue",
        "Invalid value 'gre' for IP protocol. Unknown protocol.",
    )
    code, _ = aws_error(
        ec2.authorize_security_group_ingress,
        GroupId=group_id,
        IpPermissions=[tcp(22, **cidr("10.0.0.0/33"))],
    )
    assert code == "InvalidParameterValue"
    code, _ = aws_error(
        ec2.authorize_security_group_ingress,
        GroupId=group_id,
        IpPermissions=[tcp(22, Ipv6Ranges=[{"CidrIpv6": "10.0.0.0/8"}])],
    )
    assert code == "InvalidParameterValue"


def test_sg_16_legacy_top_level_ingress_form(ec2: Any) -> None:
    """The top-level CidrIp form works for ingress and cannot be mixed with IpPermissions."""
    vpc = make_vpc(ec2)
    group_id = make_group(ec2, vpc)
    out = ec2.authorize_security_group_ingress(
        GroupId=group_id, IpProtocol="tcp", FromPort=22, ToPort=22, CidrIp="203.0.113.9/32"
    )
    assert out["SecurityGroupRules"][0]["CidrIpv4"] == "203.0.113.9/32"
    code, _ = aws_error(
        ec2.authorize_security_group_ingress,
        GroupId=group_id,
        CidrIp="198.51.100.0/24",
        IpProtocol="tcp",
        FromPort=1,
        ToPort=2,
        IpPermissions=[tcp(3, **cidr("10.0.0.0/8"))],
    )
    assert code == "InvalidParameterCombination"


def test_sg_16_ingress_by_group_name_only_in_default_vpc(ec2: Any) -> None:
    """GroupName names a group only in the default VPC; the legacy source group grants all traffic."""
    group_id = ec2.create_security_group(GroupName="legacy", Description="d")["GroupId"]
    ec2.authorize_security_group_ingress(GroupName="legacy", SourceSecurityGroupName="default")
    (perm,) = group(ec2, group_id)["IpPermissions"]
    assert perm["IpProtocol"] == "-1"
    default_id = ec2.describe_security_groups(GroupNames=["default"])["SecurityGroups"][0][
        "GroupId"
    ]
    assert perm["UserIdGroupPairs"][0]["GroupId"] == default_id
    vpc = make_vpc(ec2)
    make_group(ec2, vpc, "elsewhere")
    code, _ = aws_error(
        ec2.authorize_security_group_ingress,
        GroupName="elsewhere",
        IpPermissions=[tcp(1, **cidr("10.0.0.0/8"))],
    )
    assert code == "InvalidGroup.NotFound"


def test_sg_12_rule_description_validated(ec2: Any) -> None:
    """Rule descriptions obey the SG-6 character set."""
    vpc = make_vpc(ec2)
    group_id = make_group(ec2, vpc)
    code, _ = aws_error(
        ec2.authorize_security_group_ingress,
        GroupId=group_id,
        IpPermissions=[tcp(22, IpRanges=[{"CidrIp": "10.0.0.0/8", "Description": "\u00e9"}])],
    )
    assert code == "InvalidParameterValue"


# -- SG-13, PCX-13: group references ------------------------------------------------------------


def test_sg_13_reference_to_group_in_unpeered_vpc_refused(ec2: Any) -> None:
    """A group of another, unpeered VPC cannot be referenced."""
    vpc_a, vpc_b = make_vpc(ec2), make_vpc(ec2, "10.1.0.0/16")
    group_a, group_b = make_group(ec2, vpc_a), make_group(ec2, vpc_b)
    code, _ = aws_error(
        ec2.authorize_security_group_ingress,
        GroupId=group_a,
        IpPermissions=[tcp(80, UserIdGroupPairs=[{"GroupId": group_b}])],
    )
    assert code == "InvalidGroup.NotFound"


def test_sg_13_reference_to_group_in_peered_vpc_carries_peering(ec2: Any) -> None:
    """A peered VPC's group can be referenced and the rule records VPC and peering."""
    vpc_a, vpc_b = make_vpc(ec2), make_vpc(ec2, "10.1.0.0/16")
    group_a, group_b = make_group(ec2, vpc_a), make_group(ec2, vpc_b)
    pcx = peer_vpcs(ec2, ec2, vpc_a, vpc_b)
    out = ec2.authorize_security_group_ingress(
        GroupId=group_a, IpPermissions=[tcp(80, UserIdGroupPairs=[{"GroupId": group_b}])]
    )
    info = out["SecurityGroupRules"][0]["ReferencedGroupInfo"]
    assert info["GroupId"] == group_b
    assert info["VpcId"] == vpc_b
    assert info["VpcPeeringConnectionId"] == pcx
    refs = ec2.describe_security_group_references(GroupId=[group_b])["SecurityGroupReferenceSet"]
    assert refs == [{"GroupId": group_b, "ReferencingVpcId": vpc_a, "VpcPeeringConnectionId": pcx}]


def test_sg_13_cross_account_reference_through_peering(ec2: Any, make_client: Any) -> None:
    """Another account's group is referenced as UserId + GroupId over an active peering."""
    other = make_client(access_key=OTHER_ACCOUNT)
    vpc_a = make_vpc(ec2)
    vpc_b = make_vpc(other, "10.1.0.0/16")
    group_a, group_b = make_group(ec2, vpc_a), make_group(other, vpc_b)
    pcx = peer_vpcs(ec2, other, vpc_a, vpc_b, owner=OTHER_ACCOUNT)
    ec2.authorize_security_group_ingress(
        GroupId=group_a,
        IpPermissions=[tcp(5432, UserIdGroupPairs=[{"GroupId": group_b, "UserId": OTHER_ACCOUNT}])],
    )
    (pair,) = group(ec2, group_a)["IpPermissions"][0]["UserIdGroupPairs"]
    assert pair == {
        "GroupId": group_b,
        "UserId": OTHER_ACCOUNT,
        "VpcId": vpc_b,
        "VpcPeeringConnectionId": pcx,
        "PeeringStatus": "active",
    }
    refs = other.describe_security_group_references(GroupId=[group_b])["SecurityGroupReferenceSet"]
    assert refs[0]["ReferencingVpcId"] == vpc_a
    filtered = ec2.describe_security_groups(
        Filters=[{"Name": "ip-permission.user-id", "Values": [OTHER_ACCOUNT]}]
    )["SecurityGroups"]
    assert [g["GroupId"] for g in filtered] == [group_a]


def test_sg_13_cross_account_group_unknown_without_peering(ec2: Any, make_client: Any) -> None:
    """Another account's group is out of reach without a peering."""
    other = make_client(access_key=OTHER_ACCOUNT)
    group_b = make_group(other, make_vpc(other, "10.1.0.0/16"))
    group_a = make_group(ec2, make_vpc(ec2))
    code, _ = aws_error(
        ec2.authorize_security_group_ingress,
        GroupId=group_a,
        IpPermissions=[tcp(1, UserIdGroupPairs=[{"GroupId": group_b, "UserId": OTHER_ACCOUNT}])],
    )
    assert code == "InvalidGroup.NotFound"


def test_sg_13_inter_region_peering_cannot_carry_group_references(
    ec2: Any, make_client: Any
) -> None:
    """Inter-region peerings need CIDR rules (PCX-13)."""
    west = make_client(region="us-west-2")
    vpc_a = make_vpc(ec2)
    vpc_b = make_vpc(west, "10.1.0.0/16")
    group_b = make_group(west, vpc_b)
    pcx = ec2.create_vpc_peering_connection(VpcId=vpc_a, PeerVpcId=vpc_b, PeerRegion="us-west-2")[
        "VpcPeeringConnection"
    ]["VpcPeeringConnectionId"]
    west.accept_vpc_peering_connection(VpcPeeringConnectionId=pcx)
    code, _ = aws_error(
        ec2.authorize_security_group_ingress,
        GroupId=make_group(ec2, vpc_a),
        IpPermissions=[tcp(1, UserIdGroupPairs=[{"GroupId": group_b}])],
    )
    assert code == "InvalidGroup.NotFound"


# -- SG-15: stale rules -------------------------------------------------------------------------


def test_sg_15_deleted_peering_makes_rule_stale_and_new_peering_unstales(ec2: Any) -> None:
    """A lost peering leaves a stale rule; a new peering of the same VPCs revives it."""
    vpc_a, vpc_b = make_vpc(ec2), make_vpc(ec2, "10.1.0.0/16")
    group_a, group_b = make_group(ec2, vpc_a), make_group(ec2, vpc_b)
    pcx = peer_vpcs(ec2, ec2, vpc_a, vpc_b)
    ec2.authorize_security_group_ingress(
        GroupId=group_a, IpPermissions=[tcp(80, UserIdGroupPairs=[{"GroupId": group_b}])]
    )
    assert ec2.describe_stale_security_groups(VpcId=vpc_a)["StaleSecurityGroupSet"] == []
    ec2.delete_vpc_peering_connection(VpcPeeringConnectionId=pcx)
    (stale,) = ec2.describe_stale_security_groups(VpcId=vpc_a)["StaleSecurityGroupSet"]
    assert stale["GroupId"] == group_a
    (perm,) = stale["StaleIpPermissions"]
    assert (perm["IpProtocol"], perm["FromPort"], perm["ToPort"]) == ("tcp", 80, 80)
    assert perm["UserIdGroupPairs"][0]["GroupId"] == group_b
    assert perm["UserIdGroupPairs"][0]["VpcPeeringConnectionId"] == pcx
    assert perm["UserIdGroupPairs"][0]["PeeringStatus"] == "deleted"
    assert len(group(ec2, group_a)["IpPermissions"]) == 1  # the rule stays
    peer_vpcs(ec2, ec2, vpc_a, vpc_b)
    assert ec2.describe_stale_security_groups(VpcId=vpc_a)["StaleSecurityGroupSet"] == []


def test_sg_15_deleted_cross_account_group_leaves_stale_rule(ec2: Any, make_client: Any) -> None:
    """A deleted group of another account leaves our rule stale, not removed."""
    other = make_client(access_key=OTHER_ACCOUNT)
    vpc_a, vpc_b = make_vpc(ec2), make_vpc(other, "10.1.0.0/16")
    group_a, group_b = make_group(ec2, vpc_a), make_group(other, vpc_b)
    peer_vpcs(ec2, other, vpc_a, vpc_b, owner=OTHER_ACCOUNT)
    ec2.authorize_security_group_ingress(
        GroupId=group_a,
        IpPermissions=[tcp(80, UserIdGroupPairs=[{"GroupId": group_b, "UserId": OTHER_ACCOUNT}])],
    )
    other.delete_security_group(GroupId=group_b)  # references from another VPC do not block
    (stale,) = ec2.describe_stale_security_groups(VpcId=vpc_a)["StaleSecurityGroupSet"]
    assert stale["StaleIpPermissions"][0]["UserIdGroupPairs"][0]["GroupId"] == group_b


# -- SG-17: revoke --------------------------------------------------------------------------------


def test_sg_17_revoke_by_exact_match_without_description(ec2: Any) -> None:
    """Revoke matches on protocol, ports and peer; the description is not needed."""
    vpc = make_vpc(ec2)
    group_id = make_group(ec2, vpc)
    ec2.authorize_security_group_ingress(
        GroupId=group_id,
        IpPermissions=[tcp(22, IpRanges=[{"CidrIp": "10.0.0.0/8", "Description": "ssh"}])],
    )
    out = ec2.revoke_security_group_ingress(
        GroupId=group_id, IpPermissions=[tcp(22, **cidr("10.0.0.0/8"))]
    )
    assert out["Return"] is True
    assert out["RevokedSecurityGroupRules"][0]["CidrIpv4"] == "10.0.0.0/8"
    assert group(ec2, group_id)["IpPermissions"] == []


def test_sg_17_revoke_by_rule_id(ec2: Any) -> None:
    """Revoke by sgr- id works only in the rule's own direction."""
    vpc = make_vpc(ec2)
    group_id = make_group(ec2, vpc)
    egress_id = ec2.describe_security_group_rules(
        Filters=[{"Name": "group-id", "Values": [group_id]}]
    )["SecurityGroupRules"][0]["SecurityGroupRuleId"]
    code, _ = aws_error(
        ec2.revoke_security_group_ingress, GroupId=group_id, SecurityGroupRuleIds=[egress_id]
    )
    assert code == "InvalidSecurityGroupRuleId.NotFound"
    ec2.revoke_security_group_egress(GroupId=group_id, SecurityGroupRuleIds=[egress_id])
    assert group(ec2, group_id)["IpPermissionsEgress"] == []


def test_sg_17_revoke_unknown_rule_in_non_default_vpc_fails_and_changes_nothing(ec2: Any) -> None:
    """Outside the default VPC one unknown rule fails the whole revoke."""
    vpc = make_vpc(ec2)
    group_id = make_group(ec2, vpc)
    ec2.authorize_security_group_ingress(
        GroupId=group_id, IpPermissions=[tcp(22, **cidr("10.0.0.0/8"))]
    )
    code, _ = aws_error(
        ec2.revoke_security_group_ingress,
        GroupId=group_id,
        IpPermissions=[tcp(22, **cidr("10.0.0.0/8")), tcp(23, **cidr("10.0.0.0/8"))],
    )
    assert code == "InvalidPermission.NotFound"
    assert len(group(ec2, group_id)["IpPermissions"]) == 1


def test_sg_17_revoke_unknown_rule_in_default_vpc_reports_unknown_permissions(ec2: Any) -> None:
    """In the default VPC unknown rules come back in UnknownIpPermissions."""
    group_id = ec2.create_security_group(GroupName="dv", Description="d")["GroupId"]
    ec2.authorize_security_group_ingress(
        GroupId=group_id, IpPermissions=[tcp(22, **cidr("10.0.0.0/8"))]
    )
    out = ec2.revoke_security_group_ingress(
        GroupId=group_id,
        IpPermissions=[tcp(22, **cidr("10.0.0.0/8")), tcp(23, **cidr("10.0.0.0/8"))],
    )
    assert out["UnknownIpPermissions"][0]["FromPort"] == 23
    assert group(ec2, group_id)["IpPermissions"] == []


def test_sg_21_malformed_rule_id(ec2: Any) -> None:
    """Rule ids of the wrong form are malformed; unknown ones are not found."""
    vpc = make_vpc(ec2)
    group_id = make_group(ec2, vpc)
    code, _ = aws_error(
        ec2.revoke_security_group_egress, GroupId=group_id, SecurityGroupRuleIds=["rule-1"]
    )
    assert code == "InvalidSecurityGroupRuleId.Malformed"
    code, _ = aws_error(
        ec2.describe_security_group_rules, SecurityGroupRuleIds=["sgr-0123456789abcdef0"]
    )
    assert code == "InvalidSecurityGroupRuleId.NotFound"


# -- ModifySecurityGroupRules and descriptions ------------------------------------------------


def test_sg_16_modify_rule_in_place_keeps_id_and_refuses_duplicates(ec2: Any) -> None:
    """ModifySecurityGroupRules replaces a rule under the same id and refuses duplicates."""
    vpc = make_vpc(ec2)
    group_id = make_group(ec2, vpc)
    rules = ec2.authorize_security_group_ingress(
        GroupId=group_id,
        IpPermissions=[tcp(22, **cidr("10.0.0.0/8")), tcp(80, **cidr("10.0.0.0/8"))],
    )["SecurityGroupRules"]
    first = rules[0]["SecurityGroupRuleId"]
    ec2.modify_security_group_rules(
        GroupId=group_id,
        SecurityGroupRules=[
            {
                "SecurityGroupRuleId": first,
                "SecurityGroupRule": {
                    "IpProtocol": "tcp",
                    "FromPort": 2222,
                    "ToPort": 2222,
                    "CidrIpv4": "192.168.0.0/16",
                    "Description": "moved",
                },
            }
        ],
    )
    (changed,) = ec2.describe_security_group_rules(SecurityGroupRuleIds=[first])[
        "SecurityGroupRules"
    ]
    assert (changed["FromPort"], changed["CidrIpv4"], changed["Description"]) == (
        2222,
        "192.168.0.0/16",
        "moved",
    )
    code, _ = aws_error(
        ec2.modify_security_group_rules,
        GroupId=group_id,
        SecurityGroupRules=[
            {
                "SecurityGroupRuleId": first,
                "SecurityGroupRule": {
                    "IpProtocol": "tcp",
                    "FromPort": 80,
                    "ToPort": 80,
                    "CidrIpv4": "10.0.0.0/8",
                },
            }
        ],
    )
    assert code == "InvalidPermission.Duplicate"


def test_sg_12_update_rule_descriptions_by_match_and_by_id(ec2: Any) -> None:
    """Descriptions change by matching permission or by rule id; unknown rules fail."""
    vpc = make_vpc(ec2)
    group_id = make_group(ec2, vpc)
    rule_id = ec2.authorize_security_group_ingress(
        GroupId=group_id, IpPermissions=[tcp(22, **cidr("10.0.0.0/8"))]
    )["SecurityGroupRules"][0]["SecurityGroupRuleId"]
    ec2.update_security_group_rule_descriptions_ingress(
        GroupId=group_id,
        IpPermissions=[tcp(22, IpRanges=[{"CidrIp": "10.0.0.0/8", "Description": "admins"}])],
    )
    assert group(ec2, group_id)["IpPermissions"][0]["IpRanges"][0]["Description"] == "admins"
    ec2.update_security_group_rule_descriptions_ingress(
        GroupId=group_id,
        SecurityGroupRuleDescriptions=[{"SecurityGroupRuleId": rule_id, "Description": "ops"}],
    )
    assert group(ec2, group_id)["IpPermissions"][0]["IpRanges"][0]["Description"] == "ops"
    code, _ = aws_error(
        ec2.update_security_group_rule_descriptions_egress,
        GroupId=group_id,
        IpPermissions=[tcp(9, IpRanges=[{"CidrIp": "10.0.0.0/8", "Description": "x"}])],
    )
    assert code == "InvalidPermission.NotFound"


# -- SG-19: quotas ----------------------------------------------------------------------------


def test_sg_19_sixty_rules_per_direction_per_family(ec2: Any) -> None:
    """60 rules per direction and address family, counted apart."""
    vpc = make_vpc(ec2)
    group_id = make_group(ec2, vpc)
    ec2.authorize_security_group_ingress(
        GroupId=group_id, IpPermissions=[tcp(port, **cidr("10.0.0.0/8")) for port in range(1, 61)]
    )
    code, message = aws_error(
        ec2.authorize_security_group_ingress,
        GroupId=group_id,
        IpPermissions=[tcp(61, **cidr("10.0.0.0/8"))],
    )
    assert code == "RulesPerSecurityGroupLimitExceeded"
    assert "maximum number of rules" in message
    # IPv6 rules have their own 60, and egress is counted apart from ingress.
    ec2.authorize_security_group_ingress(
        GroupId=group_id, IpPermissions=[tcp(61, Ipv6Ranges=[{"CidrIpv6": "::/0"}])]
    )
    ec2.authorize_security_group_egress(
        GroupId=group_id, IpPermissions=[tcp(61, **cidr("10.0.0.0/8"))]
    )


def test_sg_19_customer_prefix_list_counts_its_max_entries(ec2: Any) -> None:
    """A customer-managed prefix list counts as its MaxEntries rules."""
    vpc = make_vpc(ec2)
    group_id = make_group(ec2, vpc)
    big = ec2.create_managed_prefix_list(PrefixListName="big", AddressFamily="IPv4", MaxEntries=59)[
        "PrefixList"
    ]["PrefixListId"]
    ec2.authorize_security_group_ingress(
        GroupId=group_id, IpPermissions=[tcp(1, PrefixListIds=[{"PrefixListId": big}])]
    )
    ec2.authorize_security_group_ingress(
        GroupId=group_id, IpPermissions=[tcp(2, **cidr("10.0.0.0/8"))]
    )
    code, _ = aws_error(
        ec2.authorize_security_group_ingress,
        GroupId=group_id,
        IpPermissions=[tcp(3, **cidr("10.0.0.0/8"))],
    )
    assert code == "RulesPerSecurityGroupLimitExceeded"


def test_sg_19_group_quota_only_when_quotas_on(store: Store) -> None:
    """The per-region group quota applies only with quotas enabled."""
    from tests.support import client
    from vpclab.api.context import Settings
    from vpclab.api.dispatch import Api
    from vpclab.control import security_groups

    limited = client(Api(store, Settings(quotas="aws")))
    vpc = make_vpc(limited)
    original = security_groups.MAX_GROUPS_PER_REGION
    security_groups.MAX_GROUPS_PER_REGION = (
        3  # the default VPC's and the new VPC's default groups + 1
    )
    try:
        make_group(limited, vpc, "one")
        code, _ = aws_error(
            limited.create_security_group, GroupName="two", Description="d", VpcId=vpc
        )
    finally:
        security_groups.MAX_GROUPS_PER_REGION = original
    assert code == "SecurityGroupLimitExceeded"


# -- SG-20, AMB-11: delete ----------------------------------------------------------------------


def test_sg_20_delete_refused_while_attached_to_eni(ec2: Any, store: Store) -> None:
    """A group on an ENI cannot be deleted (observed DependencyViolation wording)."""
    vpc = make_vpc(ec2)
    subnet = ec2.create_subnet(VpcId=vpc, CidrBlock="10.0.0.0/24")["Subnet"]["SubnetId"]
    group_id = make_group(ec2, vpc)
    attach_to_eni(store, vpc, subnet, group_id)
    code, message = aws_error(ec2.delete_security_group, GroupId=group_id)
    assert (code, message) == ("DependencyViolation", f"resource {group_id} has a dependent object")


def test_amb_11_delete_refused_while_referenced_by_another_group(ec2: Any) -> None:
    """AMB-11: a group referenced by another group's rule is DependencyViolation until revoked."""
    vpc = make_vpc(ec2)
    target, referrer = make_group(ec2, vpc, "target"), make_group(ec2, vpc, "referrer")
    ec2.authorize_security_group_ingress(
        GroupId=referrer, IpPermissions=[tcp(80, UserIdGroupPairs=[{"GroupId": target}])]
    )
    code, message = aws_error(ec2.delete_security_group, GroupId=target)
    assert (code, message) == ("DependencyViolation", f"resource {target} has a dependent object")
    ec2.revoke_security_group_ingress(
        GroupId=referrer, IpPermissions=[tcp(80, UserIdGroupPairs=[{"GroupId": target}])]
    )
    assert ec2.delete_security_group(GroupId=target)["Return"] is True


def test_sg_20_self_referencing_group_can_be_deleted(ec2: Any) -> None:
    """A group's reference to itself does not block its deletion."""
    vpc = make_vpc(ec2)
    group_id = make_group(ec2, vpc)
    ec2.authorize_security_group_ingress(
        GroupId=group_id,
        IpPermissions=[{"IpProtocol": "-1", "UserIdGroupPairs": [{"GroupId": group_id}]}],
    )
    out = ec2.delete_security_group(GroupId=group_id)
    assert out == {**out, "Return": True, "GroupId": group_id}


def test_sg_20_delete_by_name_only_in_default_vpc(ec2: Any) -> None:
    """GroupName identifies a group to delete only in the default VPC."""
    ec2.create_security_group(GroupName="byname", Description="d")
    ec2.delete_security_group(GroupName="byname")
    vpc = make_vpc(ec2)
    make_group(ec2, vpc, "custom")
    code, _ = aws_error(ec2.delete_security_group, GroupName="custom")
    assert code == "InvalidGroup.NotFound"


# -- Describe: filters and pages ----------------------------------------------------------------


def test_describe_security_groups_permission_filters(ec2: Any) -> None:
    """ip-permission.* and egress.ip-permission.* filters select groups by their rules."""
    vpc = make_vpc(ec2)
    web, db = make_group(ec2, vpc, "web"), make_group(ec2, vpc, "db")
    ec2.authorize_security_group_ingress(GroupId=web, IpPermissions=[tcp(443, **cidr("0.0.0.0/0"))])
    ec2.authorize_security_group_ingress(
        GroupId=db, IpPermissions=[tcp(5432, UserIdGroupPairs=[{"GroupId": web}])]
    )

    def ids(*filters: tuple[str, str]) -> list[str]:
        """Ids of this VPC's groups that every given filter admits."""
        found = ec2.describe_security_groups(
            Filters=[{"Name": "vpc-id", "Values": [vpc]}]
            + [{"Name": n, "Values": [v]} for n, v in filters]
        )["SecurityGroups"]
        return sorted(g["GroupId"] for g in found)

    assert ids(("ip-permission.cidr", "0.0.0.0/0")) == [web]
    assert ids(("ip-permission.from-port", "5432")) == [db]
    assert ids(("ip-permission.group-id", web)) == [db]
    assert ids(("ip-permission.group-name", "web")) == [db]
    assert ids(("ip-permission.protocol", "tcp"), ("ip-permission.to-port", "443")) == [web]
    default_id = default_group(ec2, vpc)["GroupId"]
    assert ids(("egress.ip-permission.cidr", "0.0.0.0/0"), ("group-name", "d*")) == sorted(
        [db, default_id]
    )
    assert ids(("description", "default VPC security group")) == [default_id]
    code, _ = aws_error(ec2.describe_security_groups, Filters=[{"Name": "bogus", "Values": ["x"]}])
    assert code == "InvalidParameterValue"


def test_describe_security_groups_pages(ec2: Any) -> None:
    """DescribeSecurityGroups pages through every group exactly once."""
    vpc = make_vpc(ec2)
    for index in range(6):
        make_group(ec2, vpc, f"g{index}")
    seen: list[str] = []
    pages = ec2.get_paginator("describe_security_groups").paginate(
        Filters=[{"Name": "vpc-id", "Values": [vpc]}], PaginationConfig={"PageSize": 5}
    )
    for page in pages:
        assert len(page["SecurityGroups"]) <= 5
        seen.extend(g["GroupId"] for g in page["SecurityGroups"])
    assert len(seen) == len(set(seen)) == 7


def test_describe_security_group_rules_tag_filter(ec2: Any) -> None:
    """Rule tags from TagSpecifications can be filtered on."""
    vpc = make_vpc(ec2)
    group_id = make_group(ec2, vpc)
    ec2.authorize_security_group_ingress(
        GroupId=group_id,
        IpPermissions=[tcp(22, **cidr("10.0.0.0/8"))],
        TagSpecifications=[
            {"ResourceType": "security-group-rule", "Tags": [{"Key": "k", "Value": "v"}]}
        ],
    )
    found = ec2.describe_security_group_rules(Filters=[{"Name": "tag:k", "Values": ["v"]}])[
        "SecurityGroupRules"
    ]
    assert [(r["FromPort"], r["Tags"]) for r in found] == [(22, [{"Key": "k", "Value": "v"}])]


def test_dry_run_authorize_changes_nothing(ec2: Any) -> None:
    """DryRun answers DryRunOperation and leaves the group unchanged."""
    vpc = make_vpc(ec2)
    group_id = make_group(ec2, vpc)
    code, _ = aws_error(
        ec2.authorize_security_group_ingress,
        GroupId=group_id,
        IpPermissions=[tcp(22, **cidr("10.0.0.0/8"))],
        DryRun=True,
    )
    assert code == "DryRunOperation"
    assert group(ec2, group_id)["IpPermissions"] == []


def test_sg_20_delete_refused_while_used_by_created_eni_then_allowed(ec2: Any) -> None:
    """A group is deletable again once the ENI using it is gone."""
    vpc = make_vpc(ec2)
    subnet = ec2.create_subnet(VpcId=vpc, CidrBlock="10.0.1.0/24")["Subnet"]["SubnetId"]
    group_id = make_group(ec2, vpc)
    eni = ec2.create_network_interface(SubnetId=subnet, Groups=[group_id])["NetworkInterface"]
    code, _ = aws_error(ec2.delete_security_group, GroupId=group_id)
    assert code == "DependencyViolation"
    ec2.delete_network_interface(NetworkInterfaceId=eni["NetworkInterfaceId"])
    assert ec2.delete_security_group(GroupId=group_id)["Return"] is True


def test_sg_20_delete_refused_while_instance_uses_group(ec2: Any) -> None:
    """An instance's group cannot be deleted."""
    vpc = make_vpc(ec2)
    subnet = ec2.create_subnet(VpcId=vpc, CidrBlock="10.0.2.0/24")["Subnet"]["SubnetId"]
    group_id = make_group(ec2, vpc)
    image = ec2.describe_images(Owners=["amazon"])["Images"][0]["ImageId"]
    ec2.run_instances(
        ImageId=image,
        InstanceType="t3.micro",
        MinCount=1,
        MaxCount=1,
        SubnetId=subnet,
        SecurityGroupIds=[group_id],
    )
    code, message = aws_error(ec2.delete_security_group, GroupId=group_id)
    assert (code, message) == ("DependencyViolation", f"resource {group_id} has a dependent object")


def test_pcx_13_reference_needs_an_active_peering(ec2: Any) -> None:
    """A pending peering does not let rules reference the peer's groups."""
    vpc_a, vpc_b = make_vpc(ec2), make_vpc(ec2, "10.1.0.0/16")
    group_a, group_b = make_group(ec2, vpc_a), make_group(ec2, vpc_b)
    ec2.create_vpc_peering_connection(VpcId=vpc_a, PeerVpcId=vpc_b)  # pending-acceptance
    code, _ = aws_error(
        ec2.authorize_security_group_egress,
        GroupId=group_a,
        IpPermissions=[tcp(80, UserIdGroupPairs=[{"GroupId": group_b}])],
    )
    assert code == "InvalidGroup.NotFound"


def test_sg_16_egress_needs_ip_permissions_not_the_legacy_form(ec2: Any) -> None:
    """Egress rules must use IpPermissions."""
    vpc = make_vpc(ec2)
    group_id = make_group(ec2, vpc)
    code, _ = aws_error(
        ec2.authorize_security_group_egress,
        GroupId=group_id,
        IpProtocol="tcp",
        FromPort=1,
        ToPort=1,
        CidrIp="10.0.0.0/8",
    )
    assert code == "InvalidParameterValue"


def test_sg_15_deleted_group_in_peered_vpc_shows_active_peering(ec2: Any) -> None:
    """A deleted peer group makes the rule stale while the peering stays active."""
    vpc_a, vpc_b = make_vpc(ec2), make_vpc(ec2, "10.1.0.0/16")
    group_a, group_b = make_group(ec2, vpc_a), make_group(ec2, vpc_b)
    pcx = peer_vpcs(ec2, ec2, vpc_a, vpc_b)
    ec2.authorize_security_group_ingress(
        GroupId=group_a, IpPermissions=[tcp(80, UserIdGroupPairs=[{"GroupId": group_b}])]
    )
    ec2.delete_security_group(GroupId=group_b)  # a reference from a peered VPC does not block
    (stale,) = ec2.describe_stale_security_groups(VpcId=vpc_a)["StaleSecurityGroupSet"]
    (pair,) = stale["StaleIpPermissions"][0]["UserIdGroupPairs"]
    assert (pair["GroupId"], pair["VpcPeeringConnectionId"], pair["PeeringStatus"]) == (
        group_b,
        pcx,
        "active",
    )
    assert stale["StaleIpPermissionsEgress"] == []


def test_describe_security_groups_by_names_in_default_vpc(ec2: Any) -> None:
    """GroupNames look groups up in the default VPC."""
    group_id = ec2.create_security_group(GroupName="named", Description="d")["GroupId"]
    found = ec2.describe_security_groups(GroupNames=["named"])["SecurityGroups"]
    assert [g["GroupId"] for g in found] == [group_id]
    code, _ = aws_error(ec2.describe_security_groups, GroupNames=["missing"])
    assert code == "InvalidGroup.NotFound"


def test_sg_15_stale_rule_can_still_be_revoked(ec2: Any, make_client: Any) -> None:
    """A stale rule can be revoked by naming the deleted group."""
    other = make_client(access_key=OTHER_ACCOUNT)
    vpc_a, vpc_b = make_vpc(ec2), make_vpc(other, "10.1.0.0/16")
    group_a, group_b = make_group(ec2, vpc_a), make_group(other, vpc_b)
    peer_vpcs(ec2, other, vpc_a, vpc_b, owner=OTHER_ACCOUNT)
    pair = {"GroupId": group_b, "UserId": OTHER_ACCOUNT}
    ec2.authorize_security_group_ingress(
        GroupId=group_a, IpPermissions=[tcp(80, UserIdGroupPairs=[pair])]
    )
    other.delete_security_group(GroupId=group_b)
    out = ec2.revoke_security_group_ingress(
        GroupId=group_a, IpPermissions=[tcp(80, UserIdGroupPairs=[pair])]
    )
    assert out["RevokedSecurityGroupRules"][0]["ReferencedGroupId"] == group_b
    assert ec2.describe_stale_security_groups(VpcId=vpc_a)["StaleSecurityGroupSet"] == []


def test_describe_security_groups_ids_and_names_select_the_union(ec2: Any) -> None:
    """GroupIds and GroupNames together select both sets."""
    named = ec2.create_security_group(GroupName="by-name", Description="d")["GroupId"]
    vpc = ec2.create_vpc(CidrBlock="10.0.0.0/16")["Vpc"]["VpcId"]
    by_id = ec2.create_security_group(GroupName="by-id", Description="d", VpcId=vpc)["GroupId"]
    found = ec2.describe_security_groups(GroupIds=[by_id], GroupNames=["by-name"])["SecurityGroups"]
    assert sorted(g["GroupId"] for g in found) == sorted([named, by_id])


def test_sg_19_group_references_count_in_both_address_families(ec2: Any) -> None:
    """Group references count against the IPv6 quota as well as IPv4."""
    vpc = make_vpc(ec2)
    group_id = make_group(ec2, vpc)
    peers = [make_group(ec2, vpc, f"peer{i}") for i in range(3)]
    ec2.authorize_security_group_ingress(
        GroupId=group_id,
        IpPermissions=[
            tcp(port, UserIdGroupPairs=[{"GroupId": peer}])
            for port in range(1, 21)
            for peer in peers
        ],
    )
    code, _ = aws_error(
        ec2.authorize_security_group_ingress,
        GroupId=group_id,
        IpPermissions=[tcp(100, Ipv6Ranges=[{"CidrIpv6": "::/0"}])],
    )
    assert code == "RulesPerSecurityGroupLimitExceeded"


def test_describe_security_group_rules_pages(ec2: Any) -> None:
    """DescribeSecurityGroupRules pages by MaxResults."""
    vpc = make_vpc(ec2)
    group_id = make_group(ec2, vpc)
    ec2.authorize_security_group_ingress(
        GroupId=group_id, IpPermissions=[tcp(port, **cidr("10.0.0.0/8")) for port in range(1, 8)]
    )
    pages = ec2.get_paginator("describe_security_group_rules").paginate(
        Filters=[{"Name": "group-id", "Values": [group_id]}], PaginationConfig={"PageSize": 5}
    )
    sizes = [len(page["SecurityGroupRules"]) for page in pages]
    assert sizes == [5, 3]


# -- tags on security group rules (sgr- ids) ---------------------------------------------------


def rule_tags(ec2: Any, rule_id: str) -> list[dict[str, str]]:
    """A rule's tags as DescribeSecurityGroupRules shows them."""
    rules = ec2.describe_security_group_rules(SecurityGroupRuleIds=[rule_id])
    tags: list[dict[str, str]] = rules["SecurityGroupRules"][0]["Tags"]
    return tags


def two_rules(ec2: Any) -> tuple[str, str, str]:
    """A group with two ingress rules: (group id, rule on port 22, rule on port 443)."""
    group_id = make_group(ec2, make_vpc(ec2))
    made = ec2.authorize_security_group_ingress(
        GroupId=group_id,
        IpPermissions=[tcp(22, **cidr("10.1.0.0/16")), tcp(443, **cidr("0.0.0.0/0"))],
    )["SecurityGroupRules"]
    by_port = {rule["FromPort"]: rule["SecurityGroupRuleId"] for rule in made}
    return group_id, by_port[22], by_port[443]


def test_sg_21_create_and_delete_tags_on_rules(ec2: Any) -> None:
    """CreateTags/DeleteTags take sgr- ids like any resource id; the group's own tags and the
    other rule stay untouched."""
    group_id, ssh, https = two_rules(ec2)
    ec2.create_tags(
        Resources=[ssh, group_id],
        Tags=[{"Key": "team", "Value": "ops"}, {"Key": "tier", "Value": "a"}],
    )
    ec2.create_tags(Resources=[ssh], Tags=[{"Key": "tier", "Value": "b"}])
    assert sorted((t["Key"], t["Value"]) for t in rule_tags(ec2, ssh)) == [
        ("team", "ops"),
        ("tier", "b"),
    ]
    assert rule_tags(ec2, https) == []
    assert {t["Key"] for t in group(ec2, group_id)["Tags"]} == {"team", "tier"}
    ec2.delete_tags(Resources=[ssh], Tags=[{"Key": "tier", "Value": "a"}])  # value differs: kept
    ec2.delete_tags(Resources=[ssh], Tags=[{"Key": "team"}])
    assert rule_tags(ec2, ssh) == [{"Key": "tier", "Value": "b"}]
    ec2.delete_tags(Resources=[ssh])
    assert rule_tags(ec2, ssh) == []
    assert {t["Key"] for t in group(ec2, group_id)["Tags"]} == {"team", "tier"}


def test_sg_21_tags_on_unknown_or_malformed_rule_ids(ec2: Any) -> None:
    """An unknown rule id is InvalidSecurityGroupRuleId.NotFound, a malformed one .Malformed,
    and nothing in the call is tagged."""
    _, ssh, _ = two_rules(ec2)
    code, message = aws_error(
        ec2.create_tags,
        Resources=[ssh, "sgr-0123456789abcdef0"],
        Tags=[{"Key": "k", "Value": "v"}],
    )
    assert code == "InvalidSecurityGroupRuleId.NotFound"
    assert "sgr-0123456789abcdef0" in message
    assert rule_tags(ec2, ssh) == []
    code, _ = aws_error(ec2.delete_tags, Resources=["sgr-nothex"])
    assert code == "InvalidSecurityGroupRuleId.Malformed"


def test_sg_21_rule_tags_in_describe_filters_and_describe_tags(ec2: Any) -> None:
    """DescribeSecurityGroupRules filters by tag:KEY, tag-key and tag-value; DescribeTags lists
    rule tags with resource type security-group-rule; TagSpecifications tag new rules."""
    group_id, ssh, https = two_rules(ec2)
    ec2.create_tags(Resources=[ssh], Tags=[{"Key": "purpose", "Value": "admin"}])
    ec2.create_tags(Resources=[https], Tags=[{"Key": "purpose", "Value": "web"}])

    def rule_ids(name: str, values: list[str]) -> set[str]:
        """Ids of the group's rules matching one filter."""
        found = ec2.describe_security_group_rules(
            Filters=[{"Name": "group-id", "Values": [group_id]}, {"Name": name, "Values": values}]
        )["SecurityGroupRules"]
        return {rule["SecurityGroupRuleId"] for rule in found}

    assert rule_ids("tag:purpose", ["admin"]) == {ssh}
    assert rule_ids("tag:purpose", ["admin", "web"]) == {ssh, https}
    assert rule_ids("tag-key", ["purpose"]) == {ssh, https}
    assert rule_ids("tag-value", ["we*"]) == {https}
    rows = ec2.describe_tags(Filters=[{"Name": "resource-type", "Values": ["security-group-rule"]}])
    assert sorted((r["ResourceId"], r["Value"]) for r in rows["Tags"]) == sorted(
        [(ssh, "admin"), (https, "web")]
    )
    made = ec2.authorize_security_group_egress(
        GroupId=group_id,
        IpPermissions=[tcp(5432, **cidr("10.2.0.0/16"))],
        TagSpecifications=[
            {"ResourceType": "security-group-rule", "Tags": [{"Key": "db", "Value": "pg"}]}
        ],
    )["SecurityGroupRules"][0]
    assert rule_ids("tag:db", ["pg"]) == {made["SecurityGroupRuleId"]}
