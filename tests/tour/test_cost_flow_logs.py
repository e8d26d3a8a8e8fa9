"""`vpclab cost` on flow-logged traffic (NAT-18): bytes in the records the emulator wrote, each
attributed by the path its connection takes: through a NAT gateway (processed, both ways) and
out of an internet gateway (data transfer out)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from vpclab.cli.main import main
from vpclab.control.store import Store
from vpclab.model.state import Clock
from vpclab.network import Network
from vpclab.tour.cost import (
    BYTES_PER_GB,
    estimate,
    load_prices,
    logged_traffic,
    read_flow_records,
)
from vpclab.tour.lab import Lab

RECORD_BYTES = 64  # what the emulator writes for one traced packet


def _world(network: Network, log_path: Path) -> dict[str, Any]:
    """A public web server, a private worker behind a NAT gateway, a VPC flow log to a file."""
    lab = Lab(ec2=network.client(), tracer=network.trace, say=lambda _line: None)
    vpc = lab.vpc("10.40.0.0/16", "cost")
    public = lab.public_subnet(vpc, "10.40.1.0/24", "cost-public")
    private = lab.subnet(vpc, "10.40.2.0/24", "cost-private")
    nat_id, _ip = lab.nat_gateway(public)
    lab.route(lab.route_table(vpc, private, "cost-private-rt"), "0.0.0.0/0", NatGatewayId=nat_id)
    worker = lab.instance(private, "worker")
    web = lab.instance(public, "web", public=True)
    lab.ec2.create_flow_logs(
        ResourceIds=[vpc],
        ResourceType="VPC",
        TrafficType="ALL",
        LogDestinationType="s3",
        LogDestination=f"file://{log_path}",
    )
    return {"lab": lab, "nat": nat_id, "worker": worker, "web": web, "vpc": vpc}


def test_nat_18_flow_logged_bytes_through_a_nat_gateway_are_billed_both_ways(
    tmp_path: Path,
) -> None:
    """Three traced connections from the private worker: 3 requests and 3 replies at its ENI,
    all through the NAT gateway; the requests also leave by the internet gateway."""
    network = Network()
    built = _world(network, tmp_path / "flow.log")
    for _ in range(3):
        network.trace(built["worker"]["InstanceId"], "internet", port=443, record=True)
    ec2 = built["lab"].ec2
    records, notes = read_flow_records(ec2)
    assert len(records) == 6 and notes == []
    traffic = logged_traffic(ec2, network.trace, records)
    assert traffic.nat_bytes == {built["nat"]: 6 * RECORD_BYTES}
    assert traffic.internet_out_bytes == 3 * RECORD_BYTES
    table = load_prices()
    lines = {line.item: line for line in estimate(ec2, table, traffic=traffic)}
    nat = lines["NAT data, flow-logged"]
    assert nat.quantity == pytest.approx(6 * RECORD_BYTES / BYTES_PER_GB)
    assert nat.usd == pytest.approx(6 * RECORD_BYTES / BYTES_PER_GB * 0.045)
    out = lines["Internet out, flow-logged"]
    assert out.usd == pytest.approx(3 * RECORD_BYTES / BYTES_PER_GB * 0.09)
    assert not out.price.verified


def test_nat_18_direct_internet_and_in_vpc_traffic_pass_no_nat_gateway(tmp_path: Path) -> None:
    """The public web server out by its own IGW mapping, and worker-to-web inside the VPC:
    no NAT bytes; only the web server's request counts as data out."""
    network = Network()
    built = _world(network, tmp_path / "flow.log")
    network.trace(built["web"]["InstanceId"], "internet", port=443, record=True)
    network.trace(
        built["worker"]["InstanceId"], built["web"]["PrivateIpAddress"], port=22, record=True
    )
    ec2 = built["lab"].ec2
    records, _notes = read_flow_records(ec2)
    traffic = logged_traffic(ec2, network.trace, records)
    assert traffic.nat_bytes == {}
    assert traffic.internet_out_bytes == RECORD_BYTES


def test_two_flow_logs_on_one_interface_do_not_double_count(tmp_path: Path) -> None:
    """A VPC log and a subnet log both record the worker's ENI: its bytes count once."""
    network = Network()
    built = _world(network, tmp_path / "vpc.log")
    ec2 = built["lab"].ec2
    ec2.create_flow_logs(
        ResourceIds=[built["worker"]["SubnetId"]],
        ResourceType="Subnet",
        TrafficType="ALL",
        LogDestinationType="s3",
        LogDestination=f"file://{tmp_path / 'subnet.log'}",
    )
    network.trace(built["worker"]["InstanceId"], "internet", port=443, record=True)
    records, _notes = read_flow_records(ec2)
    assert len(records) == 2
    assert logged_traffic(ec2, network.trace, records).nat_total == 2 * RECORD_BYTES


def test_a_custom_format_without_bytes_is_named_not_counted(tmp_path: Path) -> None:
    """A log whose format lacks the fields needed is reported, never guessed at."""
    network = Network()
    built = _world(network, tmp_path / "flow.log")
    ec2 = built["lab"].ec2
    made = ec2.create_flow_logs(
        ResourceIds=[built["vpc"]],
        ResourceType="VPC",
        TrafficType="ALL",
        LogDestinationType="s3",
        LogDestination=f"file://{tmp_path / 'short.log'}",
        LogFormat="${interface-id} ${srcaddr} ${dstaddr} ${action}",
    )
    _records, notes = read_flow_records(ec2)
    assert notes == [f"flow log {made['FlowLogIds'][0]} lacks bytes: not counted"]


def test_cost_command_reads_flow_logs_of_a_state_file(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """The command shows the flow-logged lines and the bytes per NAT gateway; --no-flow-logs
    leaves them out."""
    path = tmp_path / "state.db"
    network = Network(Store(str(path), clock=Clock(settle_seconds=0.0)))
    built = _world(network, tmp_path / "flow.log")
    network.trace(built["worker"]["InstanceId"], "internet", port=443, record=True)
    assert main(["cost", "--state", str(path), "--settle-seconds", "0"]) == 0
    out = capsys.readouterr().out
    assert "NAT data, flow-logged" in out and "Internet out, flow-logged" in out
    assert f"through {built['nat']}: {2 * RECORD_BYTES} bytes" in out
    assert "out to the internet: 64 bytes" in out
    assert all(len(line) <= 80 for line in out.splitlines())
    assert main(["cost", "--state", str(path), "--settle-seconds", "0", "--no-flow-logs"]) == 0
    assert "flow-logged" not in capsys.readouterr().out


def test_nat_18_records_at_the_nat_gateway_interface_count_instead_of_derived_ones(
    tmp_path: Path,
) -> None:
    """Records logged at the NAT gateway's own ENI (as AWS writes them) are its bytes; the
    worker's records of the same connection are then not added on top."""
    network = Network()
    log = tmp_path / "flow.log"
    built = _world(network, log)
    network.trace(built["worker"]["InstanceId"], "internet", port=443, record=True)
    ec2 = built["lab"].ec2
    nat = ec2.describe_nat_gateways(NatGatewayIds=[built["nat"]])["NatGateways"][0]
    nat_eni = nat["NatGatewayAddresses"][0]["NetworkInterfaceId"]
    nat_ip = nat["NatGatewayAddresses"][0]["PrivateIp"]
    with log.open("a", encoding="utf-8") as out:
        for source, destination, size in (
            (built["worker"]["PrivateIpAddress"], "198.51.100.10", 1500),
            (nat_ip, "198.51.100.10", 1500),
            ("198.51.100.10", nat_ip, 9000),
        ):
            out.write(
                f"2 123456789012 {nat_eni} {source} {destination} 40000 443 6 3 {size} "
                "1795814700 1795814760 ACCEPT OK\n"
            )
    records, _notes = read_flow_records(ec2)
    traffic = logged_traffic(ec2, network.trace, records)
    assert traffic.nat_bytes == {built["nat"]: 1500 + 1500 + 9000}
    assert traffic.internet_out_bytes == RECORD_BYTES
