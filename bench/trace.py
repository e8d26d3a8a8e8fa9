"""Benchmark: one concrete trace and one Reachability Analyzer round trip at 100/1,000/10,000 ENIs.

Run: python bench/trace.py   (targets: <= 100 us per concrete trace at 1,000 ENIs, RA < 20 ms)
"""

from __future__ import annotations

import statistics
import time
from typing import Any

from vpclab.dataplane.compile import compile_view
from vpclab.dataplane.flow import Flow
from vpclab.dataplane.tracer import trace
from vpclab.model.gateways import InternetGateway
from vpclab.model.interface import EniAttachment, Instance, NetworkInterface, PrivateIp
from vpclab.model.network_acl import NaclAssociation, NaclEntry, NetworkAcl
from vpclab.model.route_table import Route, RouteTable, RouteTableAssociation, RouteTarget
from vpclab.model.security_group import SecurityGroup, SgRule
from vpclab.model.vpc import CidrAssociation, Subnet, Vpc
from vpclab.network import Network

ACCOUNT, REGION = "123456789012", "us-east-1"
PER_SUBNET = 200


def _acl_entries() -> tuple[NaclEntry, ...]:
    """Default-NACL entries in both directions (VPC-19)."""
    return tuple(
        NaclEntry(rule_number=n, egress=e, protocol="-1", action=a, cidr="0.0.0.0/0")
        for e in (False, True)
        for n, a in ((100, "allow"), (32767, "deny"))
    )


def build(network: Network, enis: int) -> tuple[str, str]:
    """A /8 VPC with an IGW, subnets of 200 ENIs each, one SG per subnet; (first, last) instance."""
    subnets = max(1, enis // PER_SUBNET)
    with network.store.transaction(ACCOUNT, REGION) as tx:
        tx.put(
            Vpc(
                id="vpc-00000001",
                cidr_block="10.0.0.0/8",
                cidr_associations=(CidrAssociation(association_id="a", cidr="10.0.0.0/8"),),
            )
        )
        tx.put(InternetGateway(id="igw-00000001", vpc_id="vpc-00000001"))
        local = Route(
            destination="10.0.0.0/8",
            target=RouteTarget(kind="local"),
            origin="CreateRouteTable",
            vpc_id="vpc-00000001",
        )
        out = Route(
            destination="0.0.0.0/0",
            target=RouteTarget(kind="gateway", id="igw-00000001"),
            vpc_id="vpc-00000001",
        )
        tx.put(
            RouteTable(
                id="rtb-00000001",
                vpc_id="vpc-00000001",
                routes=(local, out),
                associations=(RouteTableAssociation(id="rtbassoc-1", main=True),),
            )
        )
        tx.put(
            NetworkAcl(
                id="acl-00000001",
                vpc_id="vpc-00000001",
                is_default=True,
                entries=_acl_entries(),
                associations=tuple(
                    NaclAssociation(id=f"aclassoc-{s:08x}", subnet_id=f"subnet-{s:08x}")
                    for s in range(subnets)
                ),
            )
        )
        first = last = ""
        for s in range(subnets):
            subnet_id, group_id = f"subnet-{s:08x}", f"sg-{s:08x}"
            tx.put(
                Subnet(
                    id=subnet_id,
                    vpc_id="vpc-00000001",
                    cidr_block=f"10.{s // 256}.{s % 256}.0/24",
                    availability_zone="us-east-1a",
                    availability_zone_id="use1-az1",
                )
            )
            tx.put(
                SecurityGroup(
                    id=group_id,
                    name=group_id,
                    description="bench",
                    vpc_id="vpc-00000001",
                    rules=(
                        SgRule(
                            id=f"sgr-{s:08x}a", egress=True, protocol="-1", cidr_ipv4="0.0.0.0/0"
                        ),
                        SgRule(
                            id=f"sgr-{s:08x}b",
                            egress=False,
                            protocol="tcp",
                            from_port=443,
                            to_port=443,
                            cidr_ipv4="0.0.0.0/0",
                        ),
                        SgRule(id=f"sgr-{s:08x}c", egress=False, protocol="-1", group_id=group_id),
                    ),
                )
            )
            for k in range(min(PER_SUBNET, enis - s * PER_SUBNET)):
                n = s * PER_SUBNET + k
                eni_id, instance_id = f"eni-{n:08x}", f"i-{n:08x}"
                tx.put(
                    NetworkInterface(
                        id=eni_id,
                        subnet_id=subnet_id,
                        vpc_id="vpc-00000001",
                        availability_zone="us-east-1a",
                        private_ips=(
                            PrivateIp(address=f"10.{s // 256}.{s % 256}.{k + 4}", primary=True),
                        ),
                        groups=(group_id,),
                        public_ip=f"54.{n // 65536}.{(n // 256) % 256}.{n % 256}",
                        attachment=EniAttachment(
                            id=f"eni-attach-{n:08x}", instance_id=instance_id, device_index=0
                        ),
                    )
                )
                tx.put(
                    Instance(
                        id=instance_id,
                        image_id="ami-1",
                        instance_type="t3.micro",
                        subnet_id=subnet_id,
                        vpc_id="vpc-00000001",
                        availability_zone="us-east-1a",
                        primary_eni_id=eni_id,
                        state="running",
                    )
                )
                first = first or instance_id
                last = instance_id
    return first, last


def median_us(fn: Any, repeat: int) -> float:
    """The median wall time of fn() in microseconds."""
    samples = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        samples.append(time.perf_counter() - start)
    return statistics.median(samples) * 1e6


def main() -> None:
    """Print the figures for each network size."""
    print(f"{'ENIs':>6} {'compile ms':>11} {'trace us':>9} {'trace(internet) us':>19} {'RA ms':>7}")
    for size in (100, 1_000, 10_000):
        network = Network()
        first, last = build(network, size)
        view = network.store.view(ACCOUNT, REGION)
        start = time.perf_counter()
        world = compile_view(view)
        compile_ms = (time.perf_counter() - start) * 1e3
        flow = Flow(protocol="tcp", destination_port=443, source_port=40000)
        assert trace(world, first, last, flow).reachable
        assert trace(world, "internet", last, flow).reachable
        concrete = median_us(lambda w=world, a=first, b=last, f=flow: trace(w, a, b, f), 2000)
        inbound = median_us(lambda w=world, b=last, f=flow: trace(w, "internet", b, f), 2000)
        ec2 = network.client()
        path = ec2.create_network_insights_path(
            Source=first, Destination=last, Protocol="tcp", DestinationPort=443
        )["NetworkInsightsPath"]["NetworkInsightsPathId"]

        def round_trip(ec2: Any = ec2, path: str = path) -> None:
            """Start an analysis and read it back."""
            nia = ec2.start_network_insights_analysis(NetworkInsightsPathId=path)
            ec2.describe_network_insights_analyses(
                NetworkInsightsAnalysisIds=[
                    nia["NetworkInsightsAnalysis"]["NetworkInsightsAnalysisId"]
                ]
            )

        round_trip()
        ra_ms = median_us(round_trip, 50) / 1e3
        print(f"{size:>6} {compile_ms:>11.1f} {concrete:>9.1f} {inbound:>19.1f} {ra_ms:>7.2f}")


if __name__ == "__main__":
    main()
