"""How `vpclab trace`, `vpclab.Network` and the console name endpoints (one shared resolver),
and when `Network.compiled` may reuse a compiled world."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from tests.scenarios import world as w
from vpclab.cli.main import main
from vpclab.control.store import Store
from vpclab.model.state import Clock
from vpclab.network import Network, UsageError, resolve_endpoint


def _public_subnet(ec2: Any) -> tuple[str, str]:
    """A subnet routed to an internet gateway and a group open on 443; (subnet, group)."""
    vpc = w.vpc(ec2)
    sub = w.subnet(ec2, vpc, "10.0.1.0/24")
    igw = w.internet_gateway(ec2, vpc)
    ec2.create_route(
        RouteTableId=w.table_of(ec2, sub), DestinationCidrBlock="0.0.0.0/0", GatewayId=igw
    )
    return sub, w.open_group(ec2, vpc, "web", (443,))


def _relaunched(ec2: Any) -> tuple[str, str]:
    """An instance named web terminated and a new one launched under the same name; (old, new)."""
    sub, group = _public_subnet(ec2)
    old = w.instance(ec2, sub, group, public=True, Name="web")
    ec2.terminate_instances(InstanceIds=[old])
    new = w.instance(ec2, sub, group, public=True, Name="web")
    return old, new


def test_a_relaunched_name_resolves_to_the_live_instance() -> None:
    """The terminated namesake (still listed, as in AWS) does not make tag:Name=web ambiguous."""
    network = Network()
    ec2 = network.client()
    old, new = _relaunched(ec2)
    listed = ec2.describe_instances(Filters=[{"Name": "tag:Name", "Values": ["web"]}])
    assert {i["InstanceId"] for r in listed["Reservations"] for i in r["Instances"]} == {old, new}
    view = network.store.view(*_partition())
    assert resolve_endpoint(view, "tag:Name=web") == new
    assert resolve_endpoint(view, "web") == new  # a bare Name, as the console reads it
    result = network.trace("internet", "tag:Name=web", port=443)
    assert result.reachable and result.destination is not None
    assert result.destination.id == new


def test_only_a_terminated_namesake_is_still_named() -> None:
    """With nothing live by that name, the terminated instance is the one meant (and the trace
    says why nothing reaches it) rather than "matches nothing"."""
    network = Network()
    ec2 = network.client()
    sub, group = _public_subnet(ec2)
    gone = w.instance(ec2, sub, group, public=True, Name="web")
    ec2.terminate_instances(InstanceIds=[gone])
    assert resolve_endpoint(network.store.view(*_partition()), "web") == gone
    assert not network.trace("internet", "web", port=443).reachable


def test_two_live_namesakes_are_still_ambiguous() -> None:
    """Two live instances by one name: a usage error listing both (and not a pick)."""
    network = Network()
    ec2 = network.client()
    sub, group = _public_subnet(ec2)
    first = w.instance(ec2, sub, group, Name="web")
    second = w.instance(ec2, sub, group, Name="web")
    with pytest.raises(UsageError) as raised:
        resolve_endpoint(network.store.view(*_partition()), "tag:Name=web")
    assert first in str(raised.value) and second in str(raised.value)


def test_cli_trace_resolves_a_relaunched_bare_name(tmp_path: Path, capsys: Any) -> None:
    """`vpclab trace internet web --state FILE` reaches the live instance: exit 0, its id shown."""
    path = tmp_path / "state.db"
    network = Network(Store(path, clock=Clock(settle_seconds=0.0)))
    _, new = _relaunched(network.client())
    network.store.close()
    for name in ("web", "tag:Name=web"):
        argv = ["trace", "internet", name, "--port", "443", "--state", str(path)]
        assert main([*argv, "--settle-seconds", "0"]) == 0
        assert f"-> {new}" in capsys.readouterr().out


def test_console_trace_resolves_a_relaunched_name_like_the_cli() -> None:
    """The console's /_vpclab/api/trace reads names through the same resolver: the live one."""
    from tests.services.test_http_routing import call
    from tests.support import client
    from vpclab.api.dispatch import Api
    from vpclab.server import console_api
    from vpclab.server.app import App

    api = Api(Store(None, clock=Clock(settle_seconds=0.0)))
    _, new = _relaunched(client(api))
    app = App(api, ":memory:")
    console_api.install(app)
    for name in (b"web", b"tag:Name=web"):
        status, body = call(
            app, "GET", "/_vpclab/api/trace", b"source=internet&port=443&destination=" + name
        )
        assert (status, body["destination"]["id"], body["reachable"]) == (200, new, True)


def _partition() -> tuple[str, str]:
    """The account and region `Network().client()` works in."""
    from vpclab.model.regions import DEFAULT_ACCOUNT, DEFAULT_REGION

    return DEFAULT_ACCOUNT, DEFAULT_REGION


def _settling_network() -> tuple[Network, Clock]:
    """A Network whose transitional states last 30 s of emulated time, and its clock."""
    clock = Clock(settle_seconds=30.0)
    return Network(Store(None, clock=clock)), clock


def test_amb_1_trace_sees_a_pending_instance_turn_running_without_a_change() -> None:
    """An instance still pending is not reachable; once it settles on the clock alone (no store
    version moves), the next trace is compiled afresh and reaches it."""
    network, clock = _settling_network()
    ec2 = network.client()
    sub, group = _public_subnet(ec2)
    web = w.instance(ec2, sub, group, public=True, Name="web")
    assert not network.trace("internet", web, port=443).reachable
    clock.advance(31)
    assert (
        ec2.describe_instances(InstanceIds=[web])["Reservations"][0]["Instances"][0]["State"][
            "Name"
        ]
        == "running"
    )
    assert network.trace("internet", web, port=443).reachable


def test_amb_1_trace_sees_a_nat_gateway_become_available() -> None:
    """A running private instance's way out through a NAT gateway opens when the gateway turns
    available on the clock alone (no store version moves in between)."""
    network, clock = _settling_network()
    ec2 = network.client()
    public, group = _public_subnet(ec2)
    vpc = ec2.describe_subnets(SubnetIds=[public])["Subnets"][0]["VpcId"]
    private = w.subnet(ec2, vpc, "10.0.2.0/24")
    worker = w.instance(ec2, private, group, Name="worker")
    clock.advance(31)
    allocation = ec2.allocate_address(Domain="vpc")["AllocationId"]
    nat = ec2.create_nat_gateway(SubnetId=public, AllocationId=allocation)["NatGateway"]
    ec2.create_route(
        RouteTableId=w.table_of(ec2, private),
        DestinationCidrBlock="0.0.0.0/0",
        NatGatewayId=nat["NatGatewayId"],
    )
    assert nat["State"] == "pending"
    assert not network.trace("worker", "internet", port=443).reachable
    clock.advance(31)
    assert network.trace(worker, "internet", port=443).reachable


def test_amb_1_compiled_world_is_reused_only_once_settled() -> None:
    """While anything may still settle, each call compiles afresh; once all settled and nothing
    changed, the same compiled world is reused; a change compiles again."""
    network, clock = _settling_network()
    ec2 = network.client()
    sub, group = _public_subnet(ec2)
    w.instance(ec2, sub, group, public=True)
    partition = _partition()
    assert network.compiled(*partition) is not network.compiled(*partition)
    clock.advance(31)
    settled = network.compiled(*partition)
    assert network.compiled(*partition) is settled
    ec2.create_tags(Resources=[sub], Tags=[{"Key": "Name", "Value": "web"}])
    assert network.compiled(*partition) is not settled
