"""Races: many client threads on one state never break an invariant or lose an update."""

from __future__ import annotations

import ipaddress
import random
import threading
from collections import defaultdict
from collections.abc import Callable
from typing import Any

import pytest
from botocore.exceptions import ClientError

from tests.hardening.invariants import assert_state_consistent, tags_of
from tests.hardening.server import http_client, start_server, stop_server
from tests.support import client
from vpclab.api.dispatch import Api

# Races that AWS itself answers with an error: losing one of them is correct behaviour.
EXPECTED_RACE_CODES = {
    "InvalidSubnet.Conflict",
    "InvalidSubnet.NotFound",
    "DependencyViolation",
    "InvalidVpcID.NotFound",
    "InsufficientFreeAddressesInSubnet",
}


class Shared:
    """The resources every thread fights over, and what each thread last wrote."""

    def __init__(self, ec2: Any) -> None:
        self.vpc_id = ec2.create_vpc(CidrBlock="10.0.0.0/16")["Vpc"]["VpcId"]
        self.eni_subnet_id = ec2.create_subnet(VpcId=self.vpc_id, CidrBlock="10.0.240.0/20")[
            "Subnet"
        ]["SubnetId"]
        self.lock = threading.Lock()
        self.last_tag: dict[str, str] = {}
        self.errors: list[BaseException] = []


def mixed_operations(ec2: Any, shared: Shared, worker: int, count: int) -> None:
    """Run `count` random creates, tags, deletes and describes against the shared VPC."""
    rng = random.Random(worker)
    own_subnets: list[str] = []
    own_vpcs: list[str] = []

    def create_subnet() -> None:
        prefix = rng.choice((23, 24))
        network = ipaddress.IPv4Network(f"10.0.{rng.randrange(0, 240, 2)}.0/{prefix}")
        made = ec2.create_subnet(VpcId=shared.vpc_id, CidrBlock=str(network))
        own_subnets.append(made["Subnet"]["SubnetId"])

    def delete_subnet() -> None:
        if own_subnets:
            ec2.delete_subnet(SubnetId=own_subnets.pop(rng.randrange(len(own_subnets))))

    def create_interface() -> None:
        ec2.create_network_interface(SubnetId=shared.eni_subnet_id)

    def tag_shared_vpc() -> None:
        value = str(rng.random())
        ec2.create_tags(Resources=[shared.vpc_id], Tags=[{"Key": f"w{worker}", "Value": value}])
        shared.last_tag[f"w{worker}"] = value  # only this thread writes this key

    def create_own_vpc() -> None:
        own_vpcs.append(ec2.create_vpc(CidrBlock="172.16.0.0/16")["Vpc"]["VpcId"])

    def delete_own_vpc() -> None:
        if own_vpcs:
            ec2.delete_vpc(VpcId=own_vpcs.pop())

    def describe() -> None:
        ec2.describe_subnets(Filters=[{"Name": "vpc-id", "Values": [shared.vpc_id]}])

    steps: list[Callable[[], None]] = [
        create_subnet,
        delete_subnet,
        create_interface,
        tag_shared_vpc,
        create_own_vpc,
        delete_own_vpc,
        describe,
    ]
    try:
        for _ in range(count):
            try:
                rng.choice(steps)()
            except ClientError as exc:
                if exc.response["Error"]["Code"] not in EXPECTED_RACE_CODES:
                    raise
    except BaseException as exc:
        with shared.lock:
            shared.errors.append(exc)


def run_threads(clients: list[Any], shared: Shared, count: int) -> None:
    """Run the mixed operations on one thread per client and wait for all of them."""
    threads = [
        threading.Thread(target=mixed_operations, args=(ec2, shared, n, count))
        for n, ec2 in enumerate(clients)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert not shared.errors, shared.errors[:3]


def assert_race_invariants(ec2: Any, shared: Shared) -> None:
    """Unique addresses per subnet, no overlap, every VPC whole, and no tag write lost."""
    state = assert_state_consistent(ec2)
    addresses: dict[str, set[str]] = defaultdict(set)
    for eni in ec2.describe_network_interfaces()["NetworkInterfaces"]:
        for address in eni["PrivateIpAddresses"]:
            ip = address["PrivateIpAddress"]
            assert ip not in addresses[eni["SubnetId"]], f"{ip} handed out twice"
            addresses[eni["SubnetId"]].add(ip)
    assert addresses[shared.eni_subnet_id], "no interface was created"
    assert shared.last_tag.items() <= tags_of(state["vpcs"][shared.vpc_id]).items()


@pytest.mark.parametrize(
    "operations_per_thread",
    [pytest.param(80, id="8x80"), pytest.param(500, id="8x500", marks=pytest.mark.slow)],
)
def test_concurrency_8_threads_mixed_operations_in_process(
    api: Api, operations_per_thread: int
) -> None:
    """Mixed operations from 8 threads on one in-process Api keep every invariant."""
    clients = [client(api) for _ in range(8)]
    shared = Shared(clients[0])
    run_threads(clients, shared, operations_per_thread)
    assert_race_invariants(clients[0], shared)


@pytest.mark.e2e
def test_concurrency_threads_against_a_real_server() -> None:
    """The same race over HTTP against a real server (smaller: 4 threads x 60 operations)."""
    proc, endpoint = start_server("--in-memory", "--settle-seconds", "0")
    try:
        clients = [http_client(endpoint) for _ in range(4)]
        shared = Shared(clients[0])
        run_threads(clients, shared, 60)
        assert_race_invariants(clients[0], shared)
    finally:
        stop_server(proc)
