"""Internet exposure (`vpclab exposure`) on service ENIs: a publicly accessible RDS instance in
a public subnet shows up on its port (SVC-2); ElastiCache nodes never do (SVC-1); Lambda's
Hyperplane ENIs never do (LAM-2, LAM-3), even in public subnets behind wide-open groups."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from tests.services.world import Vpc, build_vpc, make_cluster, make_db, make_function
from vpclab.cli.main import main
from vpclab.control.store import Store
from vpclab.dataplane.compile import compile_view
from vpclab.dataplane.queries import internet_exposure
from vpclab.model.state import Clock
from vpclab.network import Network


def _exposed_ports(store: Store) -> dict[str, set[int]]:
    """ENI id -> the TCP ports an internet host can open a connection to."""
    found: dict[str, set[int]] = {}
    for finding in internet_exposure(compile_view(store.view("123456789012", "us-east-1")).home):
        if finding.protocol in ("tcp", "-1", "all"):
            ports = found.setdefault(finding.eni_id, set())
            for low, high in finding.destination_ports.spans:
                ports.update(range(low, high + 1))
    return found


def _services_in_public_subnets(
    ec2: Any, make: Any, net: Vpc, *, public_db: bool
) -> dict[str, str]:
    """A postgres DB, a memcached node and a function, all in public subnets behind groups open to
    0.0.0.0/0 on every TCP port; their ENI ids by service."""
    everything = ec2.create_security_group(GroupName="all", Description="all", VpcId=net.vpc)
    group = everything["GroupId"]
    ec2.authorize_security_group_ingress(
        GroupId=group, IpProtocol="tcp", FromPort=0, ToPort=65535, CidrIp="0.0.0.0/0"
    )
    make_db(make("rds"), net, group, public=public_db)
    make_cluster(make("elasticache"), net, group, nodes=1)
    make_function(make("lambda"), "fn", net.public[:1], [group])
    enis: dict[str, str] = {}
    for eni in ec2.describe_network_interfaces()["NetworkInterfaces"]:
        if eni["InterfaceType"] == "lambda":
            enis["lambda"] = eni["NetworkInterfaceId"]
        elif eni["Description"] == "RDSNetworkInterface":
            enis["rds"] = eni["NetworkInterfaceId"]
        elif eni["Description"].startswith("ElastiCache"):
            enis["elasticache"] = eni["NetworkInterfaceId"]
    assert len(enis) == 3, enis
    return enis


def test_svc_2_public_rds_in_public_subnet_is_exposed_on_its_port(
    ec2: Any, make_client: Any, store: Store
) -> None:
    """Publicly accessible + IGW route + a group admitting 5432: the DB's ENI is listed, 5432 in."""
    net = build_vpc(ec2)
    enis = _services_in_public_subnets(ec2, make_client, net, public_db=True)
    exposed = _exposed_ports(store)
    assert 5432 in exposed.get(enis["rds"], set())


def test_svc_2_private_rds_is_not_exposed(ec2: Any, make_client: Any, store: Store) -> None:
    """Not publicly accessible: no public address, so no way in, whatever the group says."""
    net = build_vpc(ec2)
    enis = _services_in_public_subnets(ec2, make_client, net, public_db=False)
    assert enis["rds"] not in _exposed_ports(store)


def test_svc_1_elasticache_node_is_never_exposed(ec2: Any, make_client: Any, store: Store) -> None:
    """A node in a public subnet behind a group open to the world still has no public address."""
    net = build_vpc(ec2)
    enis = _services_in_public_subnets(ec2, make_client, net, public_db=True)
    assert enis["elasticache"] not in _exposed_ports(store)


def test_lam_2_lambda_eni_is_never_exposed(ec2: Any, make_client: Any, store: Store) -> None:
    """A function's ENI in a public subnet behind an open group: nothing can connect to it."""
    net = build_vpc(ec2)
    enis = _services_in_public_subnets(ec2, make_client, net, public_db=True)
    assert enis["lambda"] not in _exposed_ports(store)


def test_svc_2_exposure_command_lists_only_the_database(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """`vpclab exposure --state` over the same services names the DB's ENI and no other."""
    path = tmp_path / "state.db"
    network = Network(Store(str(path), clock=Clock(settle_seconds=0.0)))
    ec2 = network.client()
    net = build_vpc(ec2)
    enis = _services_in_public_subnets(ec2, network.client, net, public_db=True)
    assert main(["exposure", "--state", str(path), "--settle-seconds", "0"]) == 0
    out = capsys.readouterr().out
    assert enis["rds"] in out
    assert enis["elasticache"] not in out and enis["lambda"] not in out
