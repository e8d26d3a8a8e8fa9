"""`vpclab tour check` for the exercises of chapters 1, 2, 3, 4, 6 and 8: each is unsolved
until its traces say so, and the unsolved message names what is still wrong."""

from __future__ import annotations

from typing import Any

from vpclab.tour.exercises import EXERCISES, check
from vpclab.tour.lab import Lab

AMI = "ami-0123456789abcdef0"


def named(lab: Lab, subnet: str, name: str, *, public: bool = False, groups: Any = None) -> Any:
    """An instance tagged Name=name (the tag the exercise looks for)."""
    interface: dict[str, Any] = {"DeviceIndex": 0, "SubnetId": subnet}
    if public:
        interface["AssociatePublicIpAddress"] = True
    if groups:
        interface["Groups"] = groups
    return lab.ec2.run_instances(
        ImageId=AMI,
        MinCount=1,
        MaxCount=1,
        NetworkInterfaces=[interface],
        TagSpecifications=[{"ResourceType": "instance", "Tags": [{"Key": "Name", "Value": name}]}],
    )["Instances"][0]


def problems(lab: Lab, chapter: int) -> list[str]:
    """What the checker of chapter N's exercise says is still wrong."""
    found: list[str] = check(lab, EXERCISES[chapter - 1])
    return found


def _cache(lab: Lab, subnet: str, group: str) -> None:
    """The exercise's cache cluster ex1-cache (Redis, one node) in the given subnet."""
    cache = lab.client("elasticache")
    cache.create_cache_subnet_group(
        CacheSubnetGroupName="ex1", CacheSubnetGroupDescription="ex1", SubnetIds=[subnet]
    )
    cache.create_cache_cluster(
        CacheClusterId="ex1-cache",
        Engine="redis",
        CacheNodeType="cache.t3.micro",
        NumCacheNodes=1,
        CacheSubnetGroupName="ex1",
        SecurityGroupIds=[group],
    )


def test_exercise_1_public_needs_its_internet_route_then_the_cache_then_solved(lab: Lab) -> None:
    """ex1-public has a public IP but no IGW route, and no cache exists: both named; the route
    and a cache in the private subnet admitting the VPC on 6379 solve it."""
    vpc = lab.vpc("10.61.0.0/16", "ex1")
    public = lab.subnet(vpc, "10.61.1.0/24", "ex1-public")
    private = lab.subnet(vpc, "10.61.2.0/24", "ex1-private")
    table = lab.route_table(vpc, public, "ex1-public-rt")
    named(lab, public, "ex1-public", public=True)
    named(lab, private, "ex1-private")
    found = problems(lab, 1)
    assert len(found) == 2
    assert found[0].startswith("ex1-public -> internet tcp/443 is not reachable")
    assert table in found[0]
    assert found[1] == "no ElastiCache cluster ex1-cache yet"
    lab.route(table, "0.0.0.0/0", GatewayId=lab.internet_gateway(vpc, "ex1-igw"))
    assert problems(lab, 1) == ["no ElastiCache cluster ex1-cache yet"]
    _cache(lab, private, lab.security_group(vpc, "ex1-cache", 6379, "10.61.0.0/16"))
    assert problems(lab, 1) == []


def test_svc_1_exercise_1_cache_in_a_public_subnet_behind_a_closed_group_is_named(
    lab: Lab,
) -> None:
    """A cache node in the public subnet whose group admits nothing: both faults named."""
    vpc = lab.vpc("10.60.0.0/16", "ex1")
    public = lab.public_subnet(vpc, "10.60.1.0/24", "ex1-public")
    named(lab, public, "ex1-public", public=True)
    named(lab, lab.subnet(vpc, "10.60.2.0/24", "ex1-private"), "ex1-private")
    closed = lab.security_group(vpc, "ex1-cache", None, "")
    _cache(lab, public, closed)
    found = problems(lab, 1)
    assert len(found) == 2
    assert found[0].startswith(f"ex1-cache has a node in public subnet {public} (routed to igw-")
    assert "tcp/6379 is not reachable" in found[1] and closed in found[1]


def test_exercise_1_private_must_not_reach_and_both_in_one_vpc(lab: Lab) -> None:
    """A 'private' instance with a public IP in the public subnet, in another VPC: both named."""
    vpc = lab.vpc("10.62.0.0/16", "ex1")
    other = lab.vpc("10.63.0.0/16", "ex1-other")
    named(lab, lab.public_subnet(vpc, "10.62.1.0/24", "ex1-a"), "ex1-public", public=True)
    named(lab, lab.public_subnet(other, "10.63.1.0/24", "ex1-b"), "ex1-private", public=True)
    assert problems(lab, 1) == [
        "ex1-private -> internet tcp/443 is reachable but must not be",
        "ex1-public and ex1-private must be in the same VPC",
        "no ElastiCache cluster ex1-cache yet",
    ]


def test_exercise_2_database_port_then_ssh_blocked_by_the_group(lab: Lab) -> None:
    """No rule for 5432: named with the group; an all-TCP rule: SSH named; 5432 only: solved."""
    vpc = lab.vpc("10.64.0.0/16", "ex2")
    subnet = lab.subnet(vpc, "10.64.1.0/24", "ex2")
    db_group = lab.security_group(vpc, "ex2-db", None, "")
    named(lab, subnet, "ex2-app")
    named(lab, subnet, "ex2-db", groups=[db_group])
    found = problems(lab, 2)
    assert len(found) == 1 and found[0].startswith("ex2-app -> ex2-db tcp/5432 is not reachable")
    assert db_group in found[0]
    everything = {
        "IpProtocol": "tcp",
        "FromPort": 0,
        "ToPort": 65535,
        "IpRanges": [{"CidrIp": "10.64.0.0/16"}],
    }
    lab.ec2.authorize_security_group_ingress(GroupId=db_group, IpPermissions=[everything])
    assert problems(lab, 2) == ["ex2-app -> ex2-db tcp/22 is reachable but must not be"]
    lab.ec2.revoke_security_group_ingress(GroupId=db_group, IpPermissions=[everything])
    lab.allow(db_group, 5432, "10.64.0.0/16")
    assert problems(lab, 2) == []


def test_exercise_2_ssh_blocked_by_an_acl_is_not_the_security_group(lab: Lab) -> None:
    """SSH dropped by a network ACL instead of the group: the check says so."""
    vpc = lab.vpc("10.65.0.0/16", "ex2")
    subnet = lab.subnet(vpc, "10.65.1.0/24", "ex2")
    named(lab, subnet, "ex2-app")
    named(lab, lab.subnet(vpc, "10.65.2.0/24", "ex2-db"), "ex2-db")
    acl = lab.ec2.describe_network_acls(
        Filters=[{"Name": "vpc-id", "Values": [vpc]}, {"Name": "default", "Values": ["true"]}]
    )["NetworkAcls"][0]["NetworkAclId"]
    lab.acl_rule(acl, 10, False, "deny", 22, 22, "0.0.0.0/0")
    assert problems(lab, 2) == ["ex2-app -> ex2-db tcp/22 is blocked, but not by SG"]


def test_exercise_3_main_table_is_not_a_table_of_its_own(lab: Lab) -> None:
    """Reaching out through the main table: named; a table of its own with the route: solved."""
    vpc = lab.vpc("10.66.0.0/16", "ex3")
    subnet = lab.subnet(vpc, "10.66.1.0/24", "ex3")
    igw = lab.internet_gateway(vpc, "ex3-igw")
    main = lab.main_table(vpc)
    named(lab, subnet, "ex3-host", public=True)
    found = problems(lab, 3)
    assert found[0].startswith("ex3-host -> internet tcp/443 is not reachable") and main in found[0]
    assert found[1:] == [f"subnet {subnet} still uses the main route table"]
    lab.route(main, "0.0.0.0/0", GatewayId=igw)
    assert problems(lab, 3) == [f"subnet {subnet} still uses the main route table"]
    lab.route(lab.route_table(vpc, subnet, "ex3-own"), "0.0.0.0/0", GatewayId=igw)
    assert problems(lab, 3) == []


def test_exercise_4_default_vpc_and_ssh_from_the_internet(lab: Lab) -> None:
    """Elsewhere than the default VPC: named; there with the default group: SSH named; solved."""
    vpc = lab.vpc("10.67.0.0/16", "ex4")
    elsewhere = named(
        lab, lab.public_subnet(vpc, "10.67.1.0/24", "ex4"), "ex4-default", public=True
    )
    assert "ex4-default must run in the default VPC" in problems(lab, 4)
    lab.ec2.terminate_instances(InstanceIds=[elsewhere["InstanceId"]])
    default_subnet = lab.ec2.describe_subnets(
        Filters=[{"Name": "default-for-az", "Values": ["true"]}]
    )["Subnets"][0]["SubnetId"]
    host = named(lab, default_subnet, "ex4-default")
    found = problems(lab, 4)
    group = host["SecurityGroups"][0]["GroupId"]
    assert len(found) == 1 and found[0].startswith(
        "internet -> ex4-default tcp/22 is not reachable"
    )
    assert group in found[0]
    lab.allow(group, 22, "0.0.0.0/0")
    assert problems(lab, 4) == []


def test_exercise_6_outbound_rules_must_go_and_ssh_stay_closed(lab: Lab) -> None:
    """80/443 open with the default outbound rule: named; 22 opened: named; fixed: solved."""
    vpc = lab.vpc("10.68.0.0/16", "ex6")
    subnet = lab.public_subnet(vpc, "10.68.1.0/24", "ex6")
    group = lab.security_group(vpc, "ex6-web", 80, "0.0.0.0/0")
    lab.allow(group, 443, "0.0.0.0/0")
    named(lab, subnet, "ex6-web", public=True, groups=[group])
    assert problems(lab, 6) == ["remove every outbound rule of ex6-web's security groups"]
    lab.allow(group, 22, "0.0.0.0/0")
    lab.ec2.revoke_security_group_egress(
        GroupId=group,
        IpPermissions=[{"IpProtocol": "-1", "IpRanges": [{"CidrIp": "0.0.0.0/0"}]}],
    )
    assert problems(lab, 6) == ["internet -> ex6-web tcp/22 is reachable but must not be"]
    lab.allow(group, 22, "0.0.0.0/0", revoke=True)
    assert problems(lab, 6) == []


def test_exercise_8_peering_needed_then_solved(lab: Lab) -> None:
    """Same VPC: named; two VPCs unpeered: the missing route named; peered and routed: solved."""
    first = lab.vpc("10.71.0.0/16", "ex8-a")
    second = lab.vpc("10.72.0.0/16", "ex8-b")
    a_subnet = lab.subnet(first, "10.71.1.0/24", "ex8-a")
    b_subnet = lab.subnet(second, "10.72.1.0/24", "ex8-b")
    named(lab, a_subnet, "ex8-a")
    same = named(lab, a_subnet, "ex8-b")
    assert problems(lab, 8) == ["ex8-a and ex8-b must be in different VPCs"]
    lab.ec2.terminate_instances(InstanceIds=[same["InstanceId"]])
    named(lab, b_subnet, "ex8-b")
    found = problems(lab, 8)
    assert len(found) == 1 and found[0].startswith("ex8-a -> ex8-b tcp/22 is not reachable")
    pcx = lab.ec2.create_vpc_peering_connection(VpcId=first, PeerVpcId=second)[
        "VpcPeeringConnection"
    ]["VpcPeeringConnectionId"]
    lab.ec2.accept_vpc_peering_connection(VpcPeeringConnectionId=pcx)
    a_table = lab.route_table(first, a_subnet, "ex8-a-rt")
    b_table = lab.route_table(second, b_subnet, "ex8-b-rt")
    lab.route(a_table, "10.72.0.0/16", VpcPeeringConnectionId=pcx)
    lab.route(b_table, "10.71.0.0/16", VpcPeeringConnectionId=pcx)
    found = problems(lab, 8)
    assert len(found) == 1 and found[0].startswith("ex8-a -> ex8-b tcp/22 is not reachable")
    group = lab.ec2.describe_security_groups(
        Filters=[
            {"Name": "vpc-id", "Values": [second]},
            {"Name": "group-name", "Values": ["default"]},
        ]
    )["SecurityGroups"][0]["GroupId"]
    assert group in found[0]
    lab.allow(group, 22, "10.71.0.0/16")
    assert problems(lab, 8) == []
