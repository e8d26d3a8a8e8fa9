"""The console on a server whose states take time to settle: a trace answered while an instance
is still pending is not reused once the clock has it running, and the polled version moves when
states settle so the console refetches."""

from __future__ import annotations

import json
from typing import Any

from tests.scenarios import world as w
from tests.services.test_http_routing import call
from tests.support import client
from vpclab.api.dispatch import Api
from vpclab.control.store import Store
from vpclab.model.state import Clock
from vpclab.server import console_api
from vpclab.server.app import App


def test_trace_follows_an_instance_settling_with_no_api_change() -> None:
    """Pending instances drop traffic; once the clock settles them the same trace is admitted."""
    clock = Clock(settle_seconds=5.0)
    api = Api(Store(None, clock=clock))
    ec2 = client(api)
    vpc = w.vpc(ec2)
    subnet = w.subnet(ec2, vpc, "10.0.1.0/24")
    group = w.open_group(ec2, vpc, "open", (22,))
    web, db = w.instance(ec2, subnet, group), w.instance(ec2, subnet, group)
    app = App(api, ":memory:")
    console_api.install(app)
    query = f"source={web}&destination={db}&port=22".encode()
    status, pending = call(app, "GET", "/_vpclab/api/trace", query)
    assert (status, pending["reachable"]) == (200, False)
    clock.advance(6.0)
    status, running = call(app, "GET", "/_vpclab/api/trace", query)
    assert (status, running["reachable"]) == (200, True), json.dumps(running)[:400]


def test_version_moves_when_states_settle_so_the_console_refetches() -> None:
    """No API call, but pending instances become running: the polled version moves once, and
    the topology fetched then shows them running at that version."""
    clock = Clock(settle_seconds=5.0)
    api = Api(Store(None, clock=clock))
    ec2 = client(api)
    vpc = w.vpc(ec2)
    subnet = w.subnet(ec2, vpc, "10.0.1.0/24")
    w.instance(ec2, subnet, w.open_group(ec2, vpc, "open", (22,)))
    app = App(api, ":memory:")
    console_api.install(app)
    before = call(app, "GET", "/_vpclab/api/version")[1]["version"]
    states = [i["state"] for i in instances_of(call(app, "GET", "/_vpclab/api/topology")[1])]
    assert states == ["pending"]
    clock.advance(6.0)
    after = call(app, "GET", "/_vpclab/api/version")[1]["version"]
    assert after > before
    assert call(app, "GET", "/_vpclab/api/version")[1]["version"] == after
    topology = call(app, "GET", "/_vpclab/api/topology")[1]
    assert topology["version"] == after
    assert [i["state"] for i in instances_of(topology)] == ["running"]


def instances_of(topology: dict[str, Any]) -> list[dict[str, Any]]:
    """Every instance a topology draws."""
    return [
        instance
        for vpc in topology["vpcs"]
        for az in vpc["azs"]
        for subnet in az["subnets"]
        for instance in subnet["instances"]
    ]


def console_of(api: Api) -> App:
    """A console app over the API's store (its clock is the test's `clock` fixture)."""
    app = App(api, ":memory:")
    console_api.install(app)
    return app


def version_of(app: App) -> int:
    """The polled console version of the default partition."""
    return int(call(app, "GET", "/_vpclab/api/version")[1]["version"])


def drawn_vpc(app: App, vpc_id: str) -> dict[str, Any]:
    """One VPC as the topology draws it, with the console version the topology carries."""
    topology = call(app, "GET", "/_vpclab/api/topology")[1]
    (vpc,) = [v for v in topology["vpcs"] if v["id"] == vpc_id]
    return {"version": topology["version"], **vpc}


def nat_gateway(ec2: Any) -> tuple[str, str]:
    """A VPC with an internet gateway and a public NAT gateway in a subnet: (vpc, nat) ids."""
    vpc = w.vpc(ec2)
    w.internet_gateway(ec2, vpc)
    subnet = w.subnet(ec2, vpc, "10.0.1.0/24")
    allocation = ec2.allocate_address(Domain="vpc")["AllocationId"]
    nat = ec2.create_nat_gateway(SubnetId=subnet, AllocationId=allocation)["NatGateway"]
    return vpc, str(nat["NatGatewayId"])


def version_moves_only_after(app: App, clock: Clock, early: float, late: float) -> int:
    """With no API call: `early` seconds on, the polled version has not moved; `late` more and
    it has (and then holds). The new version."""
    before = version_of(app)
    clock.advance(early)
    assert version_of(app) == before
    clock.advance(late)
    after = version_of(app)
    assert after > before and version_of(app) == after
    return after


def test_nat_3_map_follows_a_nat_gateway_turning_available_with_no_api_call(
    api: Api, ec2: Any, clock: Clock
) -> None:
    """pending -> available on the clock alone: the polled version moves once it has, and the
    topology fetched then draws the gateway available at that version."""
    clock.settle_seconds = 5.0
    app = console_of(api)
    vpc, _ = nat_gateway(ec2)
    assert [n["state"] for n in drawn_vpc(app, vpc)["nat_gateways"]] == ["pending"]
    after = version_moves_only_after(app, clock, 2.0, 4.0)
    drawn = drawn_vpc(app, vpc)
    assert (drawn["version"], [n["state"] for n in drawn["nat_gateways"]]) == (after, ["available"])


def test_nat_3_deleted_nat_gateway_leaves_the_map_an_hour_later_and_the_version_says_so(
    api: Api, ec2: Any, clock: Clock
) -> None:
    """A deleted gateway is drawn `deleted` for about an hour, then Describe drops it: with no
    API call in between the version moves and the next topology has no gateway."""
    app = console_of(api)
    vpc, nat = nat_gateway(ec2)
    ec2.delete_nat_gateway(NatGatewayId=nat)
    assert [n["state"] for n in drawn_vpc(app, vpc)["nat_gateways"]] == ["deleted"]
    gone = version_moves_only_after(app, clock, 1800.0, 1801.0)
    drawn = drawn_vpc(app, vpc)
    assert (drawn["version"], drawn["nat_gateways"]) == (gone, [])


def test_pcx_2_pcx_3_unaccepted_peering_expires_on_the_map_then_leaves_it(
    api: Api, ec2: Any, clock: Clock
) -> None:
    """A request left pending-acceptance is drawn expired once its 7 days pass, and gone 2 days
    after (PCX-3); each step moves the version with no API call."""
    app = console_of(api)
    vpc, peer = w.vpc(ec2), w.vpc(ec2, "10.1.0.0/16")
    ec2.create_vpc_peering_connection(VpcId=vpc, PeerVpcId=peer)

    def statuses() -> list[str]:
        """The drawn peerings' statuses."""
        topology = call(app, "GET", "/_vpclab/api/topology")[1]
        return [p["status"] for p in topology["peering_connections"]]

    pending = version_of(app)
    assert statuses() == ["pending-acceptance"]
    clock.advance(168 * 3600.0 + 1)
    expired = version_of(app)
    assert expired > pending and statuses() == ["expired"]
    clock.advance(2 * 24 * 3600.0)
    assert version_of(app) > expired and statuses() == []


def test_version_stays_put_while_nothing_drawn_moves(api: Api, ec2: Any, clock: Clock) -> None:
    """Time passing with every state settled leaves the version alone (no needless refetch)."""
    app = console_of(api)
    vpc = w.vpc(ec2)
    subnet = w.subnet(ec2, vpc, "10.0.1.0/24")
    w.instance(ec2, subnet, w.open_group(ec2, vpc, "open", (22,)))
    settled = version_of(app)
    for _ in range(3):
        clock.advance(24 * 3600.0)
        assert version_of(app) == settled
