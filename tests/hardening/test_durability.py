"""Crash durability: every write the server acknowledged survives a SIGKILL mid-storm."""

from __future__ import annotations

import threading
import time
from pathlib import Path

import pytest
from botocore.exceptions import BotoCoreError, ClientError

from tests.hardening.invariants import assert_state_consistent, tags_of
from tests.hardening.server import http_client, start_server, stop_server

pytestmark = pytest.mark.e2e

WRITERS = 6


class Acknowledged:
    """The writes the server answered successfully, recorded only after the answer arrived."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.vpcs: set[str] = set()
        self.tags: dict[str, dict[str, str]] = {}
        self.subnets: dict[str, str] = {}


def write_storm(endpoint: str, worker: int, acked: Acknowledged, stop: threading.Event) -> None:
    """Create VPCs, tag them and give them a subnet until told to stop or the server dies."""
    ec2 = http_client(endpoint)
    round_no = 0
    try:
        while not stop.is_set():
            round_no += 1
            vpc_id = ec2.create_vpc(CidrBlock=f"10.{worker}.0.0/16")["Vpc"]["VpcId"]
            with acked.lock:
                acked.vpcs.add(vpc_id)
            tag = {"Key": f"w{worker}", "Value": str(round_no)}
            ec2.create_tags(Resources=[vpc_id], Tags=[tag])
            with acked.lock:
                acked.tags.setdefault(vpc_id, {})[tag["Key"]] = tag["Value"]
            subnet_id = ec2.create_subnet(VpcId=vpc_id, CidrBlock=f"10.{worker}.1.0/24")["Subnet"][
                "SubnetId"
            ]
            with acked.lock:
                acked.subnets[subnet_id] = vpc_id
    except (BotoCoreError, ClientError, OSError):
        return  # the server was killed under us: whatever was not acknowledged may be lost


def test_durability_acknowledged_writes_survive_sigkill(tmp_path: Path) -> None:
    """SIGKILL during a multi-threaded write storm loses nothing acknowledged, breaks nothing."""
    state = tmp_path / "state.db"
    proc, endpoint = start_server("--state", str(state), "--settle-seconds", "0")
    acked, stop = Acknowledged(), threading.Event()
    writers = [
        threading.Thread(target=write_storm, args=(endpoint, n, acked, stop), daemon=True)
        for n in range(WRITERS)
    ]
    try:
        for thread in writers:
            thread.start()
        deadline = time.monotonic() + 5
        while len(acked.subnets) < 30 and time.monotonic() < deadline:
            time.sleep(0.05)
        stop_server(proc, kill=True)  # mid-storm: the writers are still sending
    finally:
        stop.set()
        if proc.poll() is None:
            stop_server(proc, kill=True)
        for thread in writers:
            thread.join(timeout=10)
    assert len(acked.subnets) >= 10, "the storm acknowledged too little to prove anything"

    proc, endpoint = start_server("--state", str(state), "--settle-seconds", "0")
    try:
        state_after = assert_state_consistent(http_client(endpoint))
    finally:
        stop_server(proc)
    assert acked.vpcs <= state_after["vpcs"].keys()
    for vpc_id, tags in acked.tags.items():
        assert tags.items() <= tags_of(state_after["vpcs"][vpc_id]).items()
    for subnet_id, vpc_id in acked.subnets.items():
        assert state_after["subnets"][subnet_id]["VpcId"] == vpc_id
