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
