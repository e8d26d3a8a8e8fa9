"""Spec section 7 (NACL-1..NACL-20), VPC-20 and AMB-9 through boto3, as user code would call it."""

from __future__ import annotations

from typing import Any

import pytest

from tests.support import IDEMPOTENCY_MISMATCH, aws_error, client
from vpclab.api.context import Settings
from vpclab.api.dispatch import Api
from vpclab.control import network_acls
from vpclab.control.store import Store


def make_vpc(ec2: Any, cidr: str = "10.0.0.0/16", **extra: Any) -> str:
    """Create a VPC and return its id."""
    vpc_id: str = ec2.create_vpc(CidrBlock=cidr, **extra)["Vpc"]["VpcId"]
    return vpc_id


def make_acl(ec2: Any, vpc_id: str, **extra: Any) -> str:
    """Create a custom network ACL and return its id."""
    acl_id: str = ec2.create_network_acl(VpcId=vpc_id, **extra)["NetworkAcl"]["NetworkAclId"]
    return acl_id


def acl_of(ec2: Any, acl_id: str) -> dict[str, Any]:
    """The ACL as DescribeNetworkAcls shows it now."""
    acl: dict[str, Any] = ec2.describe_network_acls(NetworkAclIds=[acl_id])["NetworkAcls"][0]
    return acl


def default_acl(ec2: Any, vpc_id: str) -> dict[str, Any]:
    """The default ACL of a VPC."""
    found = ec2.describe_network_acls(
        Filters=[{"Name": "vpc-id", "Values": [vpc_id]}, {"Name": "default", "Values": ["true"]}]
    )["NetworkAcls"]
    assert len(found) == 1
    acl: dict[str, Any] = found[0]
    return acl


def entry(acl: dict[str, Any], number: int, egress: bool) -> dict[str, Any] | None:
    """One entry of an ACL by (number, direction)."""
    for item in acl["Entries"]:
        if item["RuleNumber"] == number and item["Egress"] is egress:
            return dict(item)
    return None


def add(ec2: Any, acl_id: str, number: int, **extra: Any) -> None:
    """Add an entry with sensible defaults (ingress allow all IPv4)."""
    args: dict[str, Any] = {
        "NetworkAclId": acl_id,
        "RuleNumber": number,
        "Protocol": "-1",
        "RuleAction": "allow",
        "Egress": False,
    }
    if "Ipv6CidrBlock" not in extra:
        args["CidrBlock"] = "0.0.0.0/0"
    args.update(extra)
    ec2.create_network_acl_entry(**args)


@pytest.fixture
def vpc(ec2: Any) -> str:
    """A fresh IPv4-only VPC."""
    return make_vpc(ec2)


@pytest.fixture
def acl(ec2: Any, vpc: str) -> str:
    """A fresh custom ACL in that VPC."""
    return make_acl(ec2, vpc)


def test_nacl_11_custom_acl_starts_with_only_the_star_deny_entries(ec2: Any, vpc: str) -> None:
    """A new custom ACL blocks everything until allow rules are added."""
    created = ec2.create_network_acl(VpcId=vpc)["NetworkAcl"]
    assert created["IsDefault"] is False
    assert created["Associations"] == []
    assert created["VpcId"] == vpc
    assert created["OwnerId"] == "123456789012"
    shown = sorted(
        (e["RuleNumber"], e["Egress"], e["RuleAction"], e["Protocol"], e["CidrBlock"])
        for e in created["Entries"]
    )
    assert shown == [
        (32767, False, "deny", "-1", "0.0.0.0/0"),
        (32767, True, "deny", "-1", "0.0.0.0/0"),
    ]
    assert acl_of(ec2, created["NetworkAclId"])["Entries"] == created["Entries"]


def test_nacl_11_ipv6_vpc_custom_acl_also_gets_the_ipv6_star_rule(ec2: Any) -> None:
    """In an IPv6 VPC the custom ACL also carries the 32768 deny rules."""
    vpc_id = make_vpc(ec2, AmazonProvidedIpv6CidrBlock=True)
    entries = acl_of(ec2, make_acl(ec2, vpc_id))["Entries"]
    v6 = sorted((e["RuleNumber"], e["Egress"]) for e in entries if "Ipv6CidrBlock" in e)
    assert v6 == [(32768, False), (32768, True)]
    assert all(e["RuleAction"] == "deny" for e in entries)


def test_nacl_11_create_in_unknown_vpc_fails(ec2: Any) -> None:
    """CreateNetworkAcl names the missing VPC with EC2's code."""
    code, _ = aws_error(ec2.create_network_acl, VpcId="vpc-0123456789abcdef0")
    assert code == "InvalidVpcID.NotFound"


def test_nacl_10_amb_9_default_acl_cannot_be_deleted(ec2: Any, vpc: str) -> None:
    """The default ACL is undeletable even with no subnet on it."""
    default = default_acl(ec2, vpc)
    assert default["Associations"] == []
    code, message = aws_error(ec2.delete_network_acl, NetworkAclId=default["NetworkAclId"])
    assert code == "CannotDelete"
    assert default["NetworkAclId"] in message


def test_nacl_13_amb_9_associated_acl_cannot_be_deleted(ec2: Any, vpc: str, acl: str) -> None:
    """An ACL in use by a subnet is a dependency; once free it deletes."""
    subnet = ec2.create_subnet(VpcId=vpc, CidrBlock="10.0.1.0/24")["Subnet"]["SubnetId"]
    assoc = default_acl(ec2, vpc)["Associations"][0]["NetworkAclAssociationId"]
    ec2.replace_network_acl_association(AssociationId=assoc, NetworkAclId=acl)
    code, message = aws_error(ec2.delete_network_acl, NetworkAclId=acl)
    assert (code, message) == (
        "DependencyViolation",
        f"The networkAcl '{acl}' has dependencies and cannot be deleted.",
    )
    ec2.delete_subnet(SubnetId=subnet)  # AMB-28: the association goes with the subnet
    ec2.delete_network_acl(NetworkAclId=acl)
    assert (
        aws_error(ec2.describe_network_acls, NetworkAclIds=[acl])[0]
        == "InvalidNetworkAclID.NotFound"
    )


def test_nacl_2_rule_numbers_outside_1_to_32766_are_rejected(ec2: Any, acl: str) -> None:
    """Only user rule numbers 1-32766 are accepted, both bounds included."""
    for number in (0, -5, 32767, 32768, 65535, 70000):
        code, _ = aws_error(add, ec2, acl, number)
        assert code == "InvalidParameterValue", number
    add(ec2, acl, 1)
    add(ec2, acl, 32766)
    numbers = {e["RuleNumber"] for e in acl_of(ec2, acl)["Entries"] if not e["Egress"]}
    assert numbers == {1, 32766, 32767}


def test_nacl_1_nacl_3_duplicate_number_in_one_direction_is_refused_with_observed_message(
    ec2: Any, acl: str
) -> None:
    """A number is unique per direction, with AWS's observed message."""
    add(ec2, acl, 100)
    code, message = aws_error(add, ec2, acl, 100, RuleAction="deny")
    assert (code, message) == (
        "NetworkAclEntryAlreadyExists",
        "The network acl entry identified by 100 already exists.",
    )
    add(ec2, acl, 100, Egress=True)  # the same number once per direction
    shown = acl_of(ec2, acl)
    assert entry(shown, 100, False)["RuleAction"] == "allow"  # type: ignore[index]
    assert entry(shown, 100, True) is not None


@pytest.mark.parametrize(
    ("given", "stored"),
    [("tcp", "6"), ("UDP", "17"), ("icmp", "1"), ("-1", "-1"), ("all", "-1"), ("50", "50")],
)
def test_nacl_7_protocol_names_are_stored_as_numbers(
    ec2: Any, acl: str, given: str, stored: str
) -> None:
    """Protocol names are accepted and shown as EC2's number strings."""
    add(
        ec2,
        acl,
        10,
        Protocol=given,
        PortRange={"From": 80, "To": 80},
        IcmpTypeCode={"Type": 3, "Code": 4},
    )
    assert entry(acl_of(ec2, acl), 10, False)["Protocol"] == stored  # type: ignore[index]


def test_nacl_7_unknown_protocol_is_invalid(ec2: Any, acl: str) -> None:
    """Protocols outside names, -1 and 0-255 are refused."""
    for bad in ("foo", "256", "-2"):
        assert aws_error(add, ec2, acl, 10, Protocol=bad)[0] == "InvalidParameterValue"


def test_nacl_7_tcp_and_udp_need_a_port_range(ec2: Any, acl: str) -> None:
    """TCP/UDP entries need a valid port range, shown as PortRange."""
    for protocol in ("6", "udp"):
        code, message = aws_error(add, ec2, acl, 10, Protocol=protocol)
        assert code == "MissingParameter"
        assert "portRange" in message
    assert aws_error(add, ec2, acl, 10, Protocol="tcp", PortRange={"From": 90, "To": 80})[0] == (
        "InvalidParameterValue"
    )
    assert aws_error(add, ec2, acl, 10, Protocol="tcp", PortRange={"From": 1, "To": 70000})[0] == (
        "InvalidParameterValue"
    )
    add(ec2, acl, 10, Protocol="tcp", PortRange={"From": 1024, "To": 65535}, Egress=True)
    shown = entry(acl_of(ec2, acl), 10, True)
    assert shown == {
        "RuleNumber": 10,
        "Protocol": "6",
        "RuleAction": "allow",
        "Egress": True,
        "CidrBlock": "0.0.0.0/0",
        "PortRange": {"From": 1024, "To": 65535},
    }


def test_nacl_7_nacl_20_icmp_needs_type_and_code(ec2: Any, acl: str) -> None:
    """ICMP entries need type and code (the PMTUD entry of NACL-20 works)."""
    code, message = aws_error(add, ec2, acl, 20, Protocol="1")
    assert code == "MissingParameter"
    assert "icmpTypeCode" in message
    assert aws_error(add, ec2, acl, 20, Protocol="1", IcmpTypeCode={"Type": 300, "Code": 0})[0] == (
        "InvalidParameterValue"
    )
    add(ec2, acl, 20, Protocol="1", IcmpTypeCode={"Type": 3, "Code": 4})  # NACL-20's PMTUD entry
    add(ec2, acl, 21, Protocol="1", IcmpTypeCode={"Type": -1, "Code": -1})
    shown = acl_of(ec2, acl)
    assert entry(shown, 20, False)["IcmpTypeCode"] == {"Type": 3, "Code": 4}  # type: ignore[index]
    assert entry(shown, 21, False)["IcmpTypeCode"] == {"Type": -1, "Code": -1}  # type: ignore[index]
    assert "PortRange" not in entry(shown, 20, False)  # type: ignore[operator]


def test_nacl_7_icmpv6_needs_type_code_only_with_an_ipv6_cidr(ec2: Any) -> None:
    """ICMPv6 needs type/code with an IPv6 CIDR, not with an IPv4 one."""
    acl = make_acl(ec2, make_vpc(ec2, AmazonProvidedIpv6CidrBlock=True))
    assert (
        aws_error(add, ec2, acl, 30, Protocol="58", Ipv6CidrBlock="::/0")[0] == "MissingParameter"
    )
    add(ec2, acl, 30, Protocol="58", Ipv6CidrBlock="::/0", IcmpTypeCode={"Type": 128, "Code": 0})
    add(ec2, acl, 31, Protocol="58", CidrBlock="10.0.0.0/8")  # IPv4 CIDR: type/code ignored
    shown = acl_of(ec2, acl)
    assert entry(shown, 30, False)["IcmpTypeCode"] == {"Type": 128, "Code": 0}  # type: ignore[index]
    assert "IcmpTypeCode" not in entry(shown, 31, False)  # type: ignore[operator]


def test_nacl_7_ports_and_icmp_are_not_kept_for_other_protocols(ec2: Any, acl: str) -> None:
    """Ports and ICMP fields are dropped where the protocol ignores them."""
    add(
        ec2,
        acl,
        40,
        Protocol="-1",
        PortRange={"From": 22, "To": 22},
        IcmpTypeCode={"Type": 0, "Code": 0},
    )
    shown = entry(acl_of(ec2, acl), 40, False)
    assert shown is not None
    assert "PortRange" not in shown
    assert "IcmpTypeCode" not in shown


def test_nacl_6_exactly_one_cidr_canonicalised(ec2: Any) -> None:
    """An entry has exactly one CIDR, canonicalised; bad values are refused."""
    acl = make_acl(ec2, make_vpc(ec2, AmazonProvidedIpv6CidrBlock=True))
    add(ec2, acl, 50, CidrBlock="10.1.2.3/16")  # VPC-3: host bits cleared
    add(ec2, acl, 51, Ipv6CidrBlock="2001:db8::1/32")
    shown = acl_of(ec2, acl)
    assert entry(shown, 50, False)["CidrBlock"] == "10.1.0.0/16"  # type: ignore[index]
    assert entry(shown, 51, False)["Ipv6CidrBlock"] == "2001:db8::/32"  # type: ignore[index]
    assert "CidrBlock" not in entry(shown, 51, False)  # type: ignore[operator]
    both = aws_error(add, ec2, acl, 52, CidrBlock="10.0.0.0/8", Ipv6CidrBlock="::/0")
    assert both[0] == "InvalidParameterCombination"
    neither = aws_error(
        ec2.create_network_acl_entry,
        NetworkAclId=acl,
        RuleNumber=52,
        Protocol="-1",
        RuleAction="allow",
        Egress=False,
    )
    assert neither[0] == "MissingParameter"
    assert aws_error(add, ec2, acl, 52, CidrBlock="10.0.0.300/8")[0] == "InvalidParameterValue"
    assert aws_error(add, ec2, acl, 52, RuleAction="maybe")[0] == "InvalidParameterValue"


def test_nacl_14_replace_overwrites_an_existing_entry_only(ec2: Any, acl: str) -> None:
    """ReplaceNetworkAclEntry needs an existing entry and overwrites it whole."""
    code, _ = aws_error(
        ec2.replace_network_acl_entry,
        NetworkAclId=acl,
        RuleNumber=100,
        Protocol="-1",
        RuleAction="deny",
        Egress=False,
        CidrBlock="0.0.0.0/0",
    )
    assert code == "InvalidNetworkAclEntry.NotFound"
    add(ec2, acl, 100)
    ec2.replace_network_acl_entry(
        NetworkAclId=acl,
        RuleNumber=100,
        Protocol="tcp",
        RuleAction="deny",
        Egress=False,
        CidrBlock="192.168.0.0/16",
        PortRange={"From": 443, "To": 443},
    )
    assert entry(acl_of(ec2, acl), 100, False) == {
        "RuleNumber": 100,
        "Protocol": "6",
        "RuleAction": "deny",
        "Egress": False,
        "CidrBlock": "192.168.0.0/16",
        "PortRange": {"From": 443, "To": 443},
    }
    assert entry(acl_of(ec2, acl), 100, True) is None  # the egress direction is untouched


def test_nacl_14_delete_entry_removes_only_that_direction(ec2: Any, acl: str) -> None:
    """DeleteNetworkAclEntry removes one (number, direction) pair."""
    add(ec2, acl, 100)
    add(ec2, acl, 100, Egress=True)
    ec2.delete_network_acl_entry(NetworkAclId=acl, RuleNumber=100, Egress=True)
    shown = acl_of(ec2, acl)
    assert entry(shown, 100, True) is None
    assert entry(shown, 100, False) is not None
    code, _ = aws_error(ec2.delete_network_acl_entry, NetworkAclId=acl, RuleNumber=100, Egress=True)
    assert code == "InvalidNetworkAclEntry.NotFound"


def test_nacl_5_star_rules_can_be_neither_deleted_nor_replaced(ec2: Any, acl: str) -> None:
    """The * rules are fixed."""
    code, _ = aws_error(
        ec2.delete_network_acl_entry, NetworkAclId=acl, RuleNumber=32767, Egress=False
    )
    assert code == "InvalidParameterValue"
    code, _ = aws_error(
        ec2.replace_network_acl_entry,
        NetworkAclId=acl,
        RuleNumber=32767,
        Protocol="-1",
        RuleAction="allow",
        Egress=False,
        CidrBlock="0.0.0.0/0",
    )
    assert code == "InvalidParameterValue"
    assert entry(acl_of(ec2, acl), 32767, False)["RuleAction"] == "deny"  # type: ignore[index]


def test_nacl_10_default_acl_entries_can_be_edited(ec2: Any, vpc: str) -> None:
    """The default ACL's entries are editable like any other."""
    default = default_acl(ec2, vpc)["NetworkAclId"]
    ec2.replace_network_acl_entry(
        NetworkAclId=default,
        RuleNumber=100,
        Protocol="-1",
        RuleAction="deny",
        Egress=True,
        CidrBlock="0.0.0.0/0",
    )
    assert entry(acl_of(ec2, default), 100, True)["RuleAction"] == "deny"  # type: ignore[index]


def test_nacl_12_replace_association_moves_the_subnet_with_a_new_id(
    ec2: Any, vpc: str, acl: str
) -> None:
    """Moving a subnet issues a new association id and retires the old one."""
    subnet = ec2.create_subnet(VpcId=vpc, CidrBlock="10.0.1.0/24")["Subnet"]["SubnetId"]
    default = default_acl(ec2, vpc)
    (first,) = default["Associations"]
    assert first["SubnetId"] == subnet
    new_id = ec2.replace_network_acl_association(
        AssociationId=first["NetworkAclAssociationId"], NetworkAclId=acl
    )["NewAssociationId"]
    assert new_id.startswith("aclassoc-") and new_id != first["NetworkAclAssociationId"]
    assert acl_of(ec2, acl)["Associations"] == [
        {"NetworkAclAssociationId": new_id, "NetworkAclId": acl, "SubnetId": subnet}
    ]
    assert default_acl(ec2, vpc)["Associations"] == []
    stale = aws_error(
        ec2.replace_network_acl_association,
        AssociationId=first["NetworkAclAssociationId"],
        NetworkAclId=acl,
    )
    assert stale[0] == "InvalidAssociationID.NotFound"
    # Back to the default ACL is another replacement (there is no disassociate).
    back = ec2.replace_network_acl_association(
        AssociationId=new_id, NetworkAclId=default["NetworkAclId"]
    )
    assert (
        default_acl(ec2, vpc)["Associations"][0]["NetworkAclAssociationId"]
        == back["NewAssociationId"]
    )
    assert acl_of(ec2, acl)["Associations"] == []
    # Idempotent: replacing with the ACL the subnet already uses keeps exactly one association.
    again = ec2.replace_network_acl_association(
        AssociationId=back["NewAssociationId"], NetworkAclId=default["NetworkAclId"]
    )
    assert [a["NetworkAclAssociationId"] for a in default_acl(ec2, vpc)["Associations"]] == [
        again["NewAssociationId"]
    ]


def test_nacl_12_acl_of_another_vpc_cannot_take_the_subnet(ec2: Any, vpc: str) -> None:
    """A subnet can only move to an ACL of its own VPC."""
    ec2.create_subnet(VpcId=vpc, CidrBlock="10.0.1.0/24")
    foreign = make_acl(ec2, make_vpc(ec2, "10.1.0.0/16"))
    assoc = default_acl(ec2, vpc)["Associations"][0]["NetworkAclAssociationId"]
    code, _ = aws_error(
        ec2.replace_network_acl_association, AssociationId=assoc, NetworkAclId=foreign
    )
    assert code == "InvalidParameterValue"
    assert default_acl(ec2, vpc)["Associations"][0]["NetworkAclAssociationId"] == assoc


def test_nacl_18_twenty_entries_per_direction_and_family_including_star(ec2: Any) -> None:
    """20 entries per direction and family, * included; replace is free."""
    acl = make_acl(ec2, make_vpc(ec2, AmazonProvidedIpv6CidrBlock=True))
    for number in range(1, 20):  # 19 user entries + the * rule = 20
        add(ec2, acl, number)
    code, _ = aws_error(add, ec2, acl, 20)
    assert code == "NetworkAclEntryLimitExceeded"
    add(ec2, acl, 20, Egress=True)  # the other direction has its own 20
    add(ec2, acl, 20, Ipv6CidrBlock="::/0")  # and IPv6 is counted apart
    # Replacing an entry does not add one, so it is allowed at the limit.
    ec2.replace_network_acl_entry(
        NetworkAclId=acl,
        RuleNumber=5,
        Protocol="-1",
        RuleAction="deny",
        Egress=False,
        CidrBlock="10.0.0.0/8",
    )
    ingress_v4 = [e for e in acl_of(ec2, acl)["Entries"] if not e["Egress"] and "CidrBlock" in e]
    assert len(ingress_v4) == 20


def test_nacl_18_acls_per_vpc_limited_only_with_quotas_on(store: Store, ec2: Any) -> None:
    """200 ACLs per VPC, enforced only with --quotas aws."""
    limited = client(Api(store, Settings(quotas="aws")))
    vpc_id = make_vpc(limited)
    for _ in range(199):  # the default ACL counts too
        make_acl(limited, vpc_id)
    code, _ = aws_error(limited.create_network_acl, VpcId=vpc_id)
    assert code == "NetworkAclLimitExceeded"
    make_acl(ec2, vpc_id)  # quotas off: no limit


def test_nacl_19_unknown_and_malformed_ids(ec2: Any) -> None:
    """Unknown and malformed ids give EC2's distinct codes."""
    assert aws_error(ec2.describe_network_acls, NetworkAclIds=["acl-0123456789abcdef0"])[0] == (
        "InvalidNetworkAclID.NotFound"
    )
    assert (
        aws_error(ec2.delete_network_acl, NetworkAclId="nope")[0] == "InvalidNetworkAclId.Malformed"
    )
    assert aws_error(add, ec2, "acl-0123456789abcdef0", 1)[0] == "InvalidNetworkAclID.NotFound"
    assert (
        aws_error(
            ec2.replace_network_acl_association,
            AssociationId="aclassoc-0123456789abcdef0",
            NetworkAclId="acl-1",
        )[0]
        == "InvalidAssociationID.NotFound"
    )


def test_vpc_20_ipv6_block_added_later_extends_acls(
    store: Store, ec2: Any, vpc: str, acl: str
) -> None:
    """A later IPv6 block adds 101 allow only to unedited default directions."""
    default = default_acl(ec2, vpc)["NetworkAclId"]
    ec2.delete_network_acl_entry(
        NetworkAclId=default, RuleNumber=100, Egress=True
    )  # user edits egress
    with store.transaction("123456789012", "us-east-1") as tx:
        network_acls.add_ipv6_defaults(tx, vpc)
    shown = acl_of(ec2, default)
    assert entry(shown, 101, False) == {
        "RuleNumber": 101,
        "Protocol": "-1",
        "RuleAction": "allow",
        "Egress": False,
        "Ipv6CidrBlock": "::/0",
    }
    assert entry(shown, 101, True) is None  # the edited direction gets no IPv6 allow
    assert entry(shown, 32768, True)["RuleAction"] == "deny"  # type: ignore[index]
    custom = acl_of(ec2, acl)
    assert entry(custom, 101, False) is None
    assert entry(custom, 32768, False) is not None


def test_describe_network_acls_filters(ec2: Any, vpc: str) -> None:
    """Every DescribeNetworkAcls filter selects what AWS would."""
    subnet = ec2.create_subnet(VpcId=vpc, CidrBlock="10.0.1.0/24")["Subnet"]["SubnetId"]
    acl = make_acl(
        ec2,
        vpc,
        TagSpecifications=[
            {"ResourceType": "network-acl", "Tags": [{"Key": "tier", "Value": "web"}]}
        ],
    )
    add(
        ec2,
        acl,
        110,
        Protocol="tcp",
        PortRange={"From": 80, "To": 8080},
        CidrBlock="10.9.0.0/16",
        Egress=True,
    )
    add(ec2, acl, 120, Protocol="icmp", IcmpTypeCode={"Type": 11, "Code": 0}, RuleAction="deny")
    assoc = default_acl(ec2, vpc)["Associations"][0]["NetworkAclAssociationId"]
    moved = ec2.replace_network_acl_association(AssociationId=assoc, NetworkAclId=acl)[
        "NewAssociationId"
    ]

    def ids(*filters: tuple[str, str]) -> set[str]:
        """The ids one filter (plus any fixed ones) selects."""
        wanted = [{"Name": n, "Values": [v]} for n, v in filters] + [
            {"Name": "vpc-id", "Values": [vpc]}
        ]
        return {a["NetworkAclId"] for a in ec2.describe_network_acls(Filters=wanted)["NetworkAcls"]}

    default = default_acl(ec2, vpc)["NetworkAclId"]
    assert ids() == {acl, default}
    assert ids(("network-acl-id", acl)) == {acl}
    assert ids(("default", "false")) == {acl}
    assert ids(("owner-id", "123456789012")) == {acl, default}
    assert ids(("association.association-id", moved)) == {acl}
    assert ids(("association.network-acl-id", acl)) == {acl}
    assert ids(("association.subnet-id", subnet)) == {acl}
    assert ids(("entry.cidr", "10.9.0.0/16")) == {acl}
    assert ids(("entry.egress", "true")) == {acl, default}
    assert ids(("entry.icmp.type", "11")) == {acl}
    assert ids(("entry.icmp.code", "0")) == {acl}
    assert ids(("entry.port-range.from", "80")) == {acl}
    assert ids(("entry.port-range.to", "8080")) == {acl}
    assert ids(("entry.protocol", "6")) == {acl}
    assert ids(("entry.rule-action", "allow")) == {acl, default}
    assert ids(("entry.rule-number", "120")) == {acl}
    assert ids(("entry.ipv6-cidr", "::/0")) == set()
    assert ids(("tag:tier", "web")) == {acl}
    assert aws_error(ec2.describe_network_acls, Filters=[{"Name": "bogus", "Values": ["x"]}])[
        0
    ] == ("InvalidParameterValue")


def test_describe_network_acls_paginates(ec2: Any, vpc: str) -> None:
    """MaxResults/NextToken pages cover every ACL exactly once."""
    for _ in range(6):
        make_acl(ec2, vpc)
    seen: list[str] = []
    token: dict[str, str] = {}
    while True:
        page = ec2.describe_network_acls(MaxResults=5, **token)
        seen += [a["NetworkAclId"] for a in page["NetworkAcls"]]
        if "NextToken" not in page:
            break
        token = {"NextToken": page["NextToken"]}
    everything = [a["NetworkAclId"] for a in ec2.describe_network_acls()["NetworkAcls"]]
    assert sorted(seen) == sorted(everything)
    assert len(seen) == len(set(seen)) >= 8  # 6 custom + this VPC's and the default VPC's default


def test_dry_run_entry_changes_nothing(ec2: Any, acl: str) -> None:
    """DryRun answers DryRunOperation and changes nothing."""
    code, _ = aws_error(add, ec2, acl, 100, DryRun=True)
    assert code == "DryRunOperation"
    assert entry(acl_of(ec2, acl), 100, False) is None


def test_nacl_12_default_vpc_subnets_start_on_its_default_acl(ec2: Any) -> None:
    """The default VPC's subnets are on its default ACL from the start."""
    default_vpc = ec2.describe_vpcs(Filters=[{"Name": "is-default", "Values": ["true"]}])["Vpcs"][0]
    subnets = ec2.describe_subnets(Filters=[{"Name": "vpc-id", "Values": [default_vpc["VpcId"]]}])[
        "Subnets"
    ]
    acl = default_acl(ec2, default_vpc["VpcId"])
    assert sorted(a["SubnetId"] for a in acl["Associations"]) == sorted(
        s["SubnetId"] for s in subnets
    )
    assert len(subnets) > 0


def test_create_network_acl_client_token_is_idempotent(ec2: Any, vpc: str) -> None:
    """A reused ClientToken returns the same ACL, or a mismatch error."""
    first = ec2.create_network_acl(VpcId=vpc, ClientToken="token-1")
    again = ec2.create_network_acl(VpcId=vpc, ClientToken="token-1")
    assert first["NetworkAcl"]["NetworkAclId"] == again["NetworkAcl"]["NetworkAclId"]
    assert again["ClientToken"] == "token-1"
    other_vpc = make_vpc(ec2, "10.1.0.0/16")
    code, message = aws_error(ec2.create_network_acl, VpcId=other_vpc, ClientToken="token-1")
    assert code == "IdempotentParameterMismatch"
    assert message == IDEMPOTENCY_MISMATCH
    assert (
        len(ec2.describe_network_acls(Filters=[{"Name": "vpc-id", "Values": [vpc]}])["NetworkAcls"])
        == 2
    )
