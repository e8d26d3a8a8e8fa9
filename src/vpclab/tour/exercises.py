"""Each chapter's exercise, solved by the user with the AWS CLI or boto3, and its checker."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from botocore.exceptions import ClientError

from vpclab.dataplane.trace import Trace
from vpclab.tour import services
from vpclab.tour.lab import Lab, seen_as

CACHE_CLUSTER = "ex1-cache"


class Unsolved(Exception):
    """A precondition of an exercise is missing; the message says which."""


@dataclass(frozen=True, slots=True)
class Exercise:
    """What the user is asked to build, and the function listing what is still wrong."""

    chapter: int
    task: str
    problems: Callable[[Lab], list[str]]


def _instance(lab: Lab, name: str) -> Any:
    """The one instance tagged Name=name, or Unsolved saying what is missing."""
    found = lab.ec2.describe_instances(
        Filters=[
            {"Name": "tag:Name", "Values": [name]},
            {"Name": "instance-state-name", "Values": ["pending", "running"]},
        ]
    )
    instances = [i for r in found["Reservations"] for i in r["Instances"]]
    if len(instances) != 1:
        raise Unsolved(f"expected one running instance tagged Name={name}, found {len(instances)}")
    return instances[0]


def _trace(lab: Lab, source: str, destination: str, port: int, **kw: Any) -> Trace:
    """A TCP trace between `internet` and instances named by their Name tags."""
    return lab.tracer(_endpoint(lab, source), _endpoint(lab, destination), port=port, **kw)


def _endpoint(lab: Lab, name: str) -> str:
    """`internet` and ENI ids pass through; a name means the one live instance with that Name
    tag (a terminated namesake, still listed for a while as in AWS, does not count)."""
    if name == "internet" or name.startswith("eni-"):
        return name
    return str(_instance(lab, name)["InstanceId"])


def _why(result: Trace) -> str:
    """The trace's blocking settings, for a user to fix."""
    return "; ".join(e.message for e in result.explanations) or result.verdict


def _must_reach(lab: Lab, source: str, destination: str, port: int, **kw: Any) -> list[str]:
    """A problem unless the flow is delivered."""
    result = _trace(lab, source, destination, port, **kw)
    if result.reachable:
        return []
    return [f"{source} -> {destination} tcp/{port} is not reachable: {_why(result)}"]


def _must_not_reach(
    lab: Lab, source: str, destination: str, port: int, blocker: str, **kw: Any
) -> list[str]:
    """A problem unless the flow is dropped by the named kind of setting (code fragment)."""
    result = _trace(lab, source, destination, port, **kw)
    if result.reachable:
        return [f"{source} -> {destination} tcp/{port} is reachable but must not be"]
    if blocker and not any(blocker in code for code in result.codes):
        return [f"{source} -> {destination} tcp/{port} is blocked, but not by {blocker}"]
    return []


def _chapter1(lab: Lab) -> list[str]:
    """ex1-public reaches the internet, ex1-private in the same VPC does not, and the cache
    ex1-cache sits in private subnets of that VPC, reached from ex1-public on its port."""
    public, private = _instance(lab, "ex1-public"), _instance(lab, "ex1-private")
    problems = _must_reach(lab, "ex1-public", "internet", 443)
    problems += _must_not_reach(lab, "ex1-private", "internet", 443, "")
    if public["VpcId"] != private["VpcId"]:
        problems.append("ex1-public and ex1-private must be in the same VPC")
    return problems + _cache_problems(lab, public["VpcId"])


def _cache_problems(lab: Lab, vpc_id: str) -> list[str]:
    """What is wrong with ex1-cache: missing, elsewhere, in a public subnet, or unreachable."""
    try:
        cluster = lab.client("elasticache").describe_cache_clusters(
            CacheClusterId=CACHE_CLUSTER, ShowCacheNodeInfo=True
        )["CacheClusters"][0]
    except ClientError as error:
        if error.response["Error"]["Code"] != "CacheClusterNotFound":
            raise
        return [f"no ElastiCache cluster {CACHE_CLUSTER} yet"]
    nodes = services.cache_node_interfaces(lab, CACHE_CLUSTER)
    if any(node["VpcId"] != vpc_id for node in nodes):
        return [f"{CACHE_CLUSTER} must be in the VPC of ex1-public ({vpc_id})"]
    problems = [
        f"{CACHE_CLUSTER} has a node in public subnet {node['SubnetId']} (routed to "
        f"{gateway}): give its cache subnet group private subnets"
        for node in nodes
        for gateway in [_internet_gateway_route(lab, node["SubnetId"])]
        if gateway
    ]
    port = int(cluster["CacheNodes"][0]["Endpoint"]["Port"])
    for node in nodes:
        problems += _must_reach(lab, "ex1-public", node["NetworkInterfaceId"], port)
    return problems


def _internet_gateway_route(lab: Lab, subnet_id: str) -> str | None:
    """The internet gateway the subnet's route table (its own, else the main one) routes to."""
    tables = lab.ec2.describe_route_tables(
        Filters=[{"Name": "association.subnet-id", "Values": [subnet_id]}]
    )["RouteTables"]
    if not tables:
        vpc_id = lab.ec2.describe_subnets(SubnetIds=[subnet_id])["Subnets"][0]["VpcId"]
        tables = lab.ec2.describe_route_tables(RouteTableIds=[lab.main_table(vpc_id)])[
            "RouteTables"
        ]
    gateways = [r.get("GatewayId", "") for r in tables[0]["Routes"]]
    return next((g for g in gateways if g.startswith("igw-")), None)


def _chapter2(lab: Lab) -> list[str]:
    """ex2-app reaches ex2-db on 5432; SSH is blocked by the security group."""
    _instance(lab, "ex2-app"), _instance(lab, "ex2-db")
    problems = _must_reach(lab, "ex2-app", "ex2-db", 5432)
    return problems + _must_not_reach(lab, "ex2-app", "ex2-db", 22, "SG")


def _chapter3(lab: Lab) -> list[str]:
    """ex3-host reaches the internet through a route table of its own subnet."""
    host = _instance(lab, "ex3-host")
    problems = _must_reach(lab, "ex3-host", "internet", 443)
    main = lab.main_table(host["VpcId"])
    explicit = lab.ec2.describe_route_tables(
        Filters=[{"Name": "association.subnet-id", "Values": [host["SubnetId"]]}]
    )["RouteTables"]
    if not explicit:
        problems.append(f"subnet {host['SubnetId']} still uses the main route table")
    elif explicit[0]["RouteTableId"] == main:
        problems.append("associate a table of its own, not the main table")
    return problems


def _chapter4(lab: Lab) -> list[str]:
    """ex4-default runs in the default VPC and accepts SSH from the internet."""
    host = _instance(lab, "ex4-default")
    vpc = lab.ec2.describe_vpcs(VpcIds=[host["VpcId"]])["Vpcs"][0]
    problems = [] if vpc["IsDefault"] else ["ex4-default must run in the default VPC"]
    return problems + _must_reach(lab, "internet", "ex4-default", 22)


def _chapter5(lab: Lab) -> list[str]:
    """ex5-private has no public IPv4 and reaches the internet as a NAT gateway's address."""
    host = _instance(lab, "ex5-private")
    if host.get("PublicIpAddress"):
        return ["ex5-private must have no public IPv4 address"]
    result = _trace(lab, "ex5-private", "internet", 443)
    if not result.reachable:
        return [f"ex5-private cannot reach the internet on tcp/443: {_why(result)}"]
    gateways = lab.ec2.describe_nat_gateways()["NatGateways"]
    nat_addresses = {a.get("PublicIp") for g in gateways for a in g["NatGatewayAddresses"]}
    if seen_as(result) not in nat_addresses:
        return [f"ex5-private is seen as {seen_as(result)}, not as a NAT gateway's address"]
    return []


def _chapter6(lab: Lab) -> list[str]:
    """ex6-web serves 80 and 443 to the internet, not 22, with no outbound SG rule."""
    host = _instance(lab, "ex6-web")
    problems = _must_reach(lab, "internet", "ex6-web", 80)
    problems += _must_reach(lab, "internet", "ex6-web", 443)
    problems += _must_not_reach(lab, "internet", "ex6-web", 22, "SG")
    groups = [g["GroupId"] for g in host["SecurityGroups"]]
    described = lab.ec2.describe_security_groups(GroupIds=groups)["SecurityGroups"]
    if any(g["IpPermissionsEgress"] for g in described):
        problems.append("remove every outbound rule of ex6-web's security groups")
    return problems


def _chapter7(lab: Lab) -> list[str]:
    """ex7-client reaches ex7-web on 80 from port 40000; the web subnet's own ACL denies 22."""
    web = _instance(lab, "ex7-web")
    _instance(lab, "ex7-client")
    acl = lab.ec2.describe_network_acls(
        Filters=[{"Name": "association.subnet-id", "Values": [web["SubnetId"]]}]
    )["NetworkAcls"][0]
    problems = []
    if acl["IsDefault"]:
        problems.append(
            f"ex7-web's subnet still uses the default network ACL {acl['NetworkAclId']}"
        )
    problems += _must_reach(lab, "ex7-client", "ex7-web", 80, source_port=40000)
    return problems + _must_not_reach(lab, "ex7-client", "ex7-web", 22, "ACL", source_port=40000)


def _chapter8(lab: Lab) -> list[str]:
    """ex8-a reaches ex8-b, in another VPC, over a peering connection."""
    a, b = _instance(lab, "ex8-a"), _instance(lab, "ex8-b")
    if a["VpcId"] == b["VpcId"]:
        return ["ex8-a and ex8-b must be in different VPCs"]
    result = _trace(lab, "ex8-a", "ex8-b", 22)
    if not result.reachable:
        return [f"ex8-a -> ex8-b tcp/22 is not reachable: {_why(result)}"]
    if not any(s.route and s.route.target_id.startswith("pcx-") for s in result.steps()):
        return ["ex8-a reaches ex8-b, but not over a peering connection"]
    return []


EXERCISES: tuple[Exercise, ...] = (
    Exercise(
        1,
        "Create a VPC with a public and a private subnet. Launch an instance tagged "
        "Name=ex1-public that reaches the internet on TCP 443, and one tagged "
        "Name=ex1-private that does not. Then create an ElastiCache cluster ex1-cache whose "
        "node sits in a private subnet of that VPC and that ex1-public reaches on the "
        "cluster's port.",
        _chapter1,
    ),
    Exercise(
        2,
        "Launch instances tagged Name=ex2-app and Name=ex2-db so that ex2-app reaches "
        "ex2-db on TCP 5432, while TCP 22 is blocked by ex2-db's security group.",
        _chapter2,
    ),
    Exercise(
        3,
        "Launch an instance tagged Name=ex3-host whose subnet has a route table of its own "
        "(not the main one) routing 0.0.0.0/0 to an internet gateway, so that it reaches "
        "the internet on TCP 443.",
        _chapter3,
    ),
    Exercise(
        4,
        "Launch an instance tagged Name=ex4-default in the default VPC and open TCP 22 so it "
        "is reachable from the internet.",
        _chapter4,
    ),
    Exercise(
        5,
        "Launch an instance tagged Name=ex5-private with no public IPv4 address that reaches "
        "the internet on TCP 443 through a NAT gateway (allocate-address, create-nat-gateway, "
        "create-route).",
        _chapter5,
    ),
    Exercise(
        6,
        "Launch an instance tagged Name=ex6-web reachable from the internet on TCP 80 and "
        "443 but not 22, whose security groups have no outbound rule at all.",
        _chapter6,
    ),
    Exercise(
        7,
        "Put an instance tagged Name=ex7-web in a subnet with a network ACL of its own, and "
        "one tagged Name=ex7-client in another subnet. ex7-client must reach ex7-web on TCP "
        "80 from source port 40000, and the ACL must deny TCP 22.",
        _chapter7,
    ),
    Exercise(
        8,
        "Launch instances tagged Name=ex8-a and Name=ex8-b in two VPCs and peer them so "
        "that ex8-a reaches ex8-b on TCP 22.",
        _chapter8,
    ),
)


def check(lab: Lab, exercise: Exercise) -> list[str]:
    """What is still wrong with the user's solution (empty when solved)."""
    from vpclab.network import UsageError

    try:
        return exercise.problems(lab)
    except (Unsolved, UsageError) as exc:
        return [str(exc)]
