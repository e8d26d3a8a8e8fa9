"""The tour's chapters: what each teaches and the demonstration that shows it happening."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from botocore.exceptions import ClientError

from vpclab.tour import services
from vpclab.tour.lab import Lab, seen_as


@dataclass(frozen=True, slots=True)
class Chapter:
    """One chapter: its number, title, the lesson in prose, and its demonstration."""

    number: int
    title: str
    lesson: str
    demonstrate: Callable[[Lab], None]


def vpcs_and_subnets(lab: Lab) -> None:
    """Public and private subnets, and what each is for: a web server, a cache, functions, a DB."""
    vpc = lab.vpc("10.1.0.0/16", "ch1")
    lab.ec2.modify_vpc_attribute(VpcId=vpc, EnableDnsHostnames={"Value": True})
    public = [
        lab.subnet(vpc, "10.1.1.0/24", "ch1-public-a", "us-east-1a"),
        lab.subnet(vpc, "10.1.2.0/24", "ch1-public-b", "us-east-1b"),
    ]
    private = [
        lab.subnet(vpc, "10.1.11.0/24", "ch1-private-a", "us-east-1a"),
        lab.subnet(vpc, "10.1.12.0/24", "ch1-private-b", "us-east-1b"),
    ]
    igw = lab.internet_gateway(vpc, "ch1-igw")
    lab.route(
        lab.route_table(vpc, public[0], "ch1-public-rt", public[1]), "0.0.0.0/0", GatewayId=igw
    )
    web_group = lab.security_group(vpc, "ch1-web", 80, "0.0.0.0/0")
    web = lab.instance(public[0], "ch1-web", public=True, Groups=[web_group])
    _web_server(lab, web)
    _cache_in_private_subnets(lab, vpc, private, web)
    _functions_need_nat(lab, vpc, public, private, web)
    _database_public_only_when_asked(lab, vpc, public, private, web, web_group)


def _web_server(lab: Lab, web: Any) -> None:
    """A public subnet is for what the internet must reach: the web server."""
    inbound = lab.trace("internet", web["InstanceId"], 80)
    lab.check(
        "the web server in the public subnet is reachable from the internet",
        inbound.reachable,
        f"{inbound.verdict} at {web.get('PublicIpAddress')}",
    )


def _cache_in_private_subnets(lab: Lab, vpc: str, private: list[str], web: Any) -> None:
    """SVC-1: a cache node has no public address; only the VPC reaches it."""
    lab.say("  ElastiCache belongs in private subnets; its group even admits 0.0.0.0/0:")
    group = lab.security_group(vpc, "ch1-cache", 6379, "0.0.0.0/0")
    node = services.cache_cluster(lab, vpc, "ch1-cache", private, group)
    lab.check(
        "the cache node has a private address only",
        node.public_ip is None,
        f"{node.eni_id}: {node.private_ip}, public {node.public_ip}",
    )
    outside = lab.trace("internet", node.eni_id, 6379)
    lab.check(
        "the internet never reaches the cache, whatever its security group says",
        not outside.reachable,
        ", ".join(outside.codes),
    )
    inside = lab.trace(web["InstanceId"], node.eni_id, 6379)
    lab.check(
        "the web server reaches the cache on 6379 over the VPC's local route",
        inside.reachable,
        inside.verdict,
    )


def _functions_need_nat(
    lab: Lab, vpc: str, public: list[str], private: list[str], web: Any
) -> None:
    """LAM-3: a function's interface never gets a public address; NAT gives it the internet.
    LAM-2: its interface lets the function out, never anything in."""
    lab.say("  A Lambda function attached to the VPC (its group admits 443 from the VPC),")
    lab.say("  first through a public subnet:")
    group = lab.security_group(vpc, "ch1-function", 443, "10.1.0.0/16")
    exposed = services.lambda_function(lab, "ch1-public-fn", public[0], group)
    lab.check(
        "a function's interface gets no public address, even in a public subnet",
        exposed.public_ip is None,
        f"{exposed.eni_id}: {exposed.private_ip}, public {exposed.public_ip}",
    )
    stuck = lab.trace(exposed.eni_id, "internet", 443)
    lab.check(
        "so a function in a public subnet cannot reach the internet",
        not stuck.reachable,
        ", ".join(stuck.codes),
    )
    nat_id, nat_ip = lab.nat_gateway(public[0])
    table = lab.route_table(vpc, private[0], "ch1-private-rt", private[1])
    lab.route(table, "0.0.0.0/0", NatGatewayId=nat_id)
    routed = services.lambda_function(lab, "ch1-private-fn", private[0], group)
    out = lab.trace(routed.eni_id, "internet", 443)
    lab.check(
        "a function in a private subnet routed to a NAT gateway reaches the internet",
        out.reachable and seen_as(out) == nat_ip,
        f"{out.verdict}, seen as {seen_as(out)}",
    )
    inward = lab.trace(web["InstanceId"], routed.eni_id, 443)
    lab.check(
        "nothing opens a connection to a function: its interface is one-way",
        not inward.reachable,
        ", ".join(inward.codes) or inward.verdict,
    )


def _database_public_only_when_asked(
    lab: Lab, vpc: str, public: list[str], private: list[str], web: Any, web_group: str
) -> None:
    """SVC-2: a DB is reachable from outside only if public, IGW-routed and admitted."""
    lab.say("  An RDS database; its security group admits 5432 from anywhere:")
    group = lab.security_group(vpc, "ch1-db", 5432, "0.0.0.0/0")
    hidden = services.db_subnet_group(lab, "ch1-private-db", private)
    try:
        services.database(lab, "ch1-refused", hidden, group, public=True)
        refused = "created"
    except ClientError as error:
        refused = str(error.response["Error"]["Code"])
    lab.check(
        "RDS refuses a public database in subnets with no route to the internet gateway",
        refused == "InvalidVPCNetworkStateFault",
        refused,
    )
    subnets = services.db_subnet_group(lab, "ch1-public-db", public)
    services.database(lab, "ch1-db", subnets, group, public=False)
    db = services.database_interface(lab, vpc)
    closed = lab.trace("internet", db.eni_id, 5432)
    lab.check(
        "in a public subnet but not publicly accessible: unreachable from the internet",
        not closed.reachable,
        ", ".join(closed.codes),
    )
    rds = lab.client("rds")
    rds.modify_db_instance(DBInstanceIdentifier="ch1-db", PubliclyAccessible=True)
    lab.say("  $ modify-db-instance ch1-db --publicly-accessible")
    services.wait_for_database(lab, "ch1-db")
    db = services.database_interface(lab, vpc)
    opened = lab.trace("internet", db.eni_id, 5432)
    lab.check(
        "publicly accessible, routed to the internet gateway and admitted: reachable",
        opened.reachable,
        f"{opened.verdict} at {db.public_ip}",
    )
    lab.allow(group, 5432, web_group)
    lab.allow(group, 5432, "0.0.0.0/0", revoke=True)
    guarded = lab.trace("internet", db.eni_id, 5432)
    lab.check(
        "its security group still decides: admitting only the web tier shuts the internet out",
        not guarded.reachable and any("SG" in code for code in guarded.codes),
        ", ".join(guarded.codes),
    )
    tier = lab.trace(web["InstanceId"], db.eni_id, 5432)
    lab.check("while the web server reaches it on 5432", tier.reachable, tier.verdict)


def layers_of_security(lab: Lab) -> None:
    """A security group blocks one flow, a network ACL another."""
    vpc = lab.vpc("10.2.0.0/16", "ch2")
    subnet = lab.subnet(vpc, "10.2.1.0/24", "ch2-app")
    client_subnet = lab.subnet(vpc, "10.2.2.0/24", "ch2-clients")
    group_id = lab.security_group(vpc, "ch2-web", 80, "10.2.0.0/16")
    server = lab.instance(subnet, "ch2-server", Groups=[group_id])
    client = lab.instance(client_subnet, "ch2-client")
    ssh = lab.trace(client["InstanceId"], server["InstanceId"], 22)
    lab.check(
        "the security group blocks SSH (no rule allows port 22)",
        not ssh.reachable and any("SG" in c for c in ssh.codes),
        ", ".join(ssh.codes),
    )
    acl = lab.custom_acl(vpc, subnet)
    lab.acl_rule(acl, 100, False, "deny", 80, 80, "10.2.2.0/24")
    lab.acl_rule(acl, 200, False, "allow", 0, 65535, "0.0.0.0/0")
    lab.acl_rule(acl, 100, True, "allow", 0, 65535, "0.0.0.0/0")
    http = lab.trace(client["InstanceId"], server["InstanceId"], 80)
    lab.check(
        "the subnet's network ACL blocks HTTP the security group allows",
        not http.reachable and any("ACL" in c for c in http.codes),
        ", ".join(http.codes),
    )


def route_tables(lab: Lab) -> None:
    """Routes are destination and target; a subnet without a table uses the main one."""
    vpc = lab.vpc("10.3.0.0/16", "ch3")
    subnet = lab.subnet(vpc, "10.3.1.0/24", "ch3-plain")
    other = lab.subnet(vpc, "10.3.2.0/24", "ch3-other")
    main = lab.ec2.describe_route_tables(RouteTableIds=[lab.main_table(vpc)])["RouteTables"][0]
    routes = [(r["DestinationCidrBlock"], r["GatewayId"]) for r in main["Routes"]]
    lab.check(
        "the main route table has one route: the VPC's CIDR to target local",
        routes == [("10.3.0.0/16", "local")],
        f"{main['RouteTableId']}: {routes}",
    )
    one = lab.instance(subnet, "ch3-a")
    two = lab.instance(other, "ch3-b")
    out = lab.trace(one["InstanceId"], two["PrivateIpAddress"], 22)
    used = {s.route.route_table_id for s in out.steps() if s.route is not None}
    lab.check(
        "a subnet with no table of its own is routed by the main table",
        main["RouteTableId"] in used,
        f"routes came from {sorted(used)}",
    )


def default_vpc(lab: Lab) -> None:
    """The default VPC exists, has an internet gateway, public subnets and public IPs."""
    found = lab.ec2.describe_vpcs(Filters=[{"Name": "is-default", "Values": ["true"]}])["Vpcs"]
    lab.check(
        "every account has a default VPC in the region",
        len(found) == 1,
        str(found and found[0]["CidrBlock"]),
    )
    vpc = found[0]["VpcId"]
    gateways = lab.ec2.describe_internet_gateways(
        Filters=[{"Name": "attachment.vpc-id", "Values": [vpc]}]
    )["InternetGateways"]
    lab.check(
        "it has an internet gateway",
        len(gateways) == 1,
        str([g["InternetGatewayId"] for g in gateways]),
    )
    subnets = lab.ec2.describe_subnets(
        Filters=[
            {"Name": "vpc-id", "Values": [vpc]},
            {"Name": "default-for-az", "Values": ["true"]},
        ]
    )["Subnets"]
    lab.check(
        "its default subnets give public IPv4 addresses on launch",
        bool(subnets) and all(s["MapPublicIpOnLaunch"] for s in subnets),
        f"{len(subnets)} default subnets",
    )
    made = lab.instance(subnets[0]["SubnetId"], "ch4-default")
    lab.check(
        "an instance there gets a private and a public IPv4 address",
        bool(made.get("PrivateIpAddress")) and bool(made.get("PublicIpAddress")),
        f"{made.get('PrivateIpAddress')} and {made.get('PublicIpAddress')}",
    )
    out = lab.trace(made["InstanceId"], "internet", 443)
    lab.check("and it reaches the internet", out.reachable, out.verdict)


def internet_and_nat(lab: Lab) -> None:
    """A private instance reaches out only through NAT, seen as the NAT's public address."""
    vpc = lab.vpc("10.5.0.0/16", "ch5")
    public = lab.public_subnet(vpc, "10.5.1.0/24", "ch5-public")
    private = lab.subnet(vpc, "10.5.2.0/24", "ch5-private")
    table = lab.route_table(vpc, private, "ch5-private-rt")
    worker = lab.instance(private, "ch5-worker")
    before = lab.trace(worker["InstanceId"], "internet", 443)
    lab.check(
        "a private instance cannot reach the internet",
        not before.reachable,
        ", ".join(before.codes),
    )
    nat_id, nat_ip = lab.nat_gateway(public)
    only_gateway = lab.trace(worker["InstanceId"], "internet", 443)
    lab.check(
        "a NAT gateway alone is not enough: the private table needs a route to it",
        not only_gateway.reachable,
        ", ".join(only_gateway.codes),
    )
    lab.route(table, "0.0.0.0/0", NatGatewayId=nat_id)
    after = lab.trace(worker["InstanceId"], "internet", 443)
    lab.check(
        "with the route it reaches the internet, seen as the NAT gateway's address",
        after.reachable and seen_as(after) == nat_ip,
        f"{after.verdict}, seen as {seen_as(after)}",
    )
    inbound = lab.trace("internet", worker["InstanceId"], 22)
    lab.check(
        "NAT lets no unsolicited connection in", not inbound.reachable, ", ".join(inbound.codes)
    )
    router = lab.instance(public, "ch5-nat-instance", public=True)
    lab.ec2.replace_route(
        RouteTableId=table, DestinationCidrBlock="0.0.0.0/0", InstanceId=router["InstanceId"]
    )
    checked = lab.trace(worker["InstanceId"], "internet", 443)
    lab.check(
        "a NAT instance forwards nothing while its source/dest check is on",
        not checked.reachable and "ENI_SOURCE_DEST_CHECK_RESTRICTION" in checked.codes,
        ", ".join(checked.codes),
    )
    lab.ec2.modify_instance_attribute(
        InstanceId=router["InstanceId"], SourceDestCheck={"Value": False}
    )
    unchecked = lab.trace(worker["InstanceId"], "internet", 443)
    lab.check(
        "with the check off it does the NAT gateway's job",
        unchecked.reachable and seen_as(unchecked) == router.get("PublicIpAddress"),
        f"{unchecked.verdict}, seen as {seen_as(unchecked)}",
    )


def security_groups(lab: Lab) -> None:
    """Security groups only allow, and are stateful: replies need no rule."""
    vpc = lab.vpc("10.6.0.0/16", "ch6")
    subnet = lab.public_subnet(vpc, "10.6.1.0/24", "ch6-public")
    group_id = lab.security_group(vpc, "ch6-web", 443, "0.0.0.0/0")
    lab.ec2.revoke_security_group_egress(
        GroupId=group_id,
        IpPermissions=[{"IpProtocol": "-1", "IpRanges": [{"CidrIp": "0.0.0.0/0"}]}],
    )
    lab.say(f"  - {group_id}: no outbound rule left")
    web = lab.instance(subnet, "ch6-web", public=True, Groups=[group_id])
    https = lab.trace("internet", web["InstanceId"], 443)
    lab.check(
        "stateful: the HTTPS reply leaves though no outbound rule allows it",
        https.reachable,
        https.verdict,
    )
    other = lab.trace("internet", web["InstanceId"], 8080)
    lab.check(
        "allow only: whatever no rule allows is dropped",
        not other.reachable,
        ", ".join(other.codes),
    )
    out = lab.trace(web["InstanceId"], "internet", 443)
    lab.check(
        "outbound is filtered too: with no outbound rule the instance cannot start a connection",
        not out.reachable,
        ", ".join(out.codes),
    )


def network_acls(lab: Lab) -> None:
    """Lowest rule number wins; stateless, so replies need ephemeral ports allowed."""
    vpc = lab.vpc("10.7.0.0/16", "ch7")
    server_subnet = lab.subnet(vpc, "10.7.1.0/24", "ch7-servers")
    client_subnet = lab.subnet(vpc, "10.7.2.0/24", "ch7-clients")
    server = lab.instance(server_subnet, "ch7-server")
    client = lab.instance(client_subnet, "ch7-client")
    acl = lab.custom_acl(vpc, server_subnet)
    lab.acl_rule(acl, 100, False, "allow", 80, 80, "10.7.0.0/16")
    lab.acl_rule(acl, 200, False, "deny", 80, 80, "10.7.0.0/16")
    lab.acl_rule(acl, 100, True, "allow", 80, 80, "10.7.0.0/16")
    flow = {"source_port": 40000}
    first = lab.trace(client["InstanceId"], server["InstanceId"], 80, **flow)
    lab.check(
        "stateless: the request is let in, the reply to port 40000 is dropped going out",
        not first.reachable and any("ACL" in c for c in first.codes),
        ", ".join(first.codes),
    )
    lab.acl_rule(acl, 110, True, "allow", 1024, 65535, "10.7.0.0/16")
    fixed = lab.trace(client["InstanceId"], server["InstanceId"], 80, **flow)
    lab.check(
        "allowing ephemeral ports 1024-65535 outbound lets the reply out",
        fixed.reachable,
        fixed.verdict,
    )
    lab.acl_rule(acl, 50, False, "deny", 80, 80, "10.7.2.0/24")
    denied = lab.trace(client["InstanceId"], server["InstanceId"], 80, **flow)
    lab.check(
        "first match by rule number: deny 50 wins over allow 100",
        not denied.reachable,
        ", ".join(denied.codes),
    )


def peering(lab: Lab) -> None:
    """Peering is not transitive, and overlapping CIDRs cannot peer."""
    a, b, c = (lab.vpc(f"10.8{n}.0.0/16", f"ch8-{n}") for n in (1, 2, 3))
    subnets = [
        lab.subnet(v, f"10.8{n}.1.0/24", f"ch8-{n}")
        for n, v in zip((1, 2, 3), (a, b, c), strict=True)
    ]
    hosts = [lab.instance(s, f"ch8-host-{n}") for n, s in zip((1, 2, 3), subnets, strict=True)]
    tables = [lab.main_table(v) for v in (a, b, c)]
    ab = _peer(lab, a, b)
    bc = _peer(lab, b, c)
    lab.route(tables[0], "10.82.0.0/16", VpcPeeringConnectionId=ab)
    lab.route(tables[1], "10.81.0.0/16", VpcPeeringConnectionId=ab)
    lab.route(tables[1], "10.83.0.0/16", VpcPeeringConnectionId=bc)
    lab.route(tables[2], "10.82.0.0/16", VpcPeeringConnectionId=bc)
    lab.route(tables[0], "10.83.0.0/16", VpcPeeringConnectionId=ab)
    for group in lab.ec2.describe_security_groups(
        Filters=[
            {"Name": "vpc-id", "Values": [a, b, c]},
            {"Name": "group-name", "Values": ["default"]},
        ]
    )["SecurityGroups"]:
        lab.allow(group["GroupId"], 22, "10.80.0.0/12")
    near = lab.trace(hosts[0]["InstanceId"], hosts[1]["PrivateIpAddress"], 22)
    lab.check("A and B, peered, reach each other", near.reachable, near.verdict)
    far = lab.trace(hosts[0]["InstanceId"], hosts[2]["PrivateIpAddress"], 22)
    lab.check(
        "A-B and B-C do not connect A and C, even with a route to C through A-B",
        not far.reachable,
        ", ".join(far.codes),
    )
    twin = lab.vpc("10.81.0.0/16", "ch8-overlap")
    made = lab.ec2.create_vpc_peering_connection(VpcId=a, PeerVpcId=twin)["VpcPeeringConnection"]
    pcx = made["VpcPeeringConnectionId"]
    lab.wait(lambda: _peering_status(lab, pcx) != "initiating-request")
    lab.check(
        "overlapping CIDRs cannot peer: the request fails",
        _peering_status(lab, pcx) == "failed",
        f"{pcx}: {_peering_status(lab, pcx)}",
    )


def _peering_status(lab: Lab, pcx: str) -> str:
    """A peering connection's status code."""
    found = lab.ec2.describe_vpc_peering_connections(VpcPeeringConnectionIds=[pcx])
    return str(found["VpcPeeringConnections"][0]["Status"]["Code"])


def _peer(lab: Lab, requester: str, accepter: str) -> str:
    """An accepted peering connection between two VPCs of the account."""
    made = lab.ec2.create_vpc_peering_connection(VpcId=requester, PeerVpcId=accepter)
    pcx = str(made["VpcPeeringConnection"]["VpcPeeringConnectionId"])
    lab.wait(lambda: _peering_status(lab, pcx) == "pending-acceptance")
    lab.ec2.accept_vpc_peering_connection(VpcPeeringConnectionId=pcx)
    lab.wait(lambda: _peering_status(lab, pcx) == "active")
    lab.say(f"  + peering {pcx} {requester} <-> {accepter} active")
    return pcx


CHAPTERS: tuple[Chapter, ...] = (
    Chapter(
        1,
        "VPCs and subnets",
        "A VPC is a logically isolated network you launch resources into: EC2 instances, and "
        "services such as Lambda functions, ElastiCache clusters and RDS databases. You choose "
        "its IP ranges and divide them into subnets. Public subnets, routed to an internet "
        "gateway, hold what the internet must reach (a web server); private subnets hold what "
        "needs only internal access (a cache such as ElastiCache belongs only there). A "
        "Lambda function never gets a public address: it reaches the internet from a private "
        "subnet through a NAT gateway. A database is reachable from outside only when you ask.",
        vpcs_and_subnets,
    ),
    Chapter(
        2,
        "Layers of security",
        "Two filters protect an instance: security groups on its network interface and "
        "the network ACL of its subnet. A packet must pass both.",
        layers_of_security,
    ),
    Chapter(
        3,
        "Route tables",
        "A route is a destination (a CIDR block) and a target (local, a gateway, a network "
        "interface or a connection). A subnet without its own route table uses the VPC's "
        "main route table implicitly.",
        route_tables,
    ),
    Chapter(
        4,
        "The default VPC",
        "Every account has a default VPC in every region, with an internet gateway. Its "
        "default subnets are public: instances there get a private and a public IPv4 address.",
        default_vpc,
    ),
    Chapter(
        5,
        "Internet gateway and NAT",
        "NAT maps many private addresses to one public address and lets no unsolicited "
        "connection in. A NAT gateway is managed by AWS and billed per hour and per GB; a NAT "
        "instance is your own EC2 instance doing the same job, with its source/dest check off.",
        internet_and_nat,
    ),
    Chapter(
        6,
        "Security groups",
        "Security groups have allow rules only, inbound and outbound, by protocol and port. "
        "They apply per network interface and are stateful: a reply needs no rule.",
        security_groups,
    ),
    Chapter(
        7,
        "Network ACLs",
        "Network ACLs have allow and deny rules, evaluated from the lowest rule number; the "
        "first match wins. They are stateless: return traffic must be allowed explicitly.",
        network_acls,
    ),
    Chapter(
        8,
        "VPC peering",
        "A peering connection routes two VPCs to each other as if they were one, across "
        "accounts and regions too. Their CIDR blocks must not overlap, and peering is not "
        "transitive.",
        peering,
    ),
)
