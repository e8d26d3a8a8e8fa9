"""How `vpclab up` follows a server: a cheap version poll, a full read only when it moved."""

from __future__ import annotations

import json
import urllib.request
from typing import Any

from tests.realmode.support import ACCOUNT
from vpclab.model.vpc import Vpc
from vpclab.realmode.source import Follower, Target, fetch_version


def test_versions_only_state_export_carries_no_resources(ec2: Any, endpoint: str) -> None:
    """?versions=1 answers the counters without the resources; an API change moves them."""
    target = Target(endpoint, ACCOUNT, "us-east-1")
    before = fetch_version(target)
    ec2.create_vpc(CidrBlock="10.9.0.0/16")
    assert fetch_version(target) > before
    with urllib.request.urlopen(endpoint + "/_vpclab/api/state?versions=1") as response:
        partitions = json.loads(response.read())["partitions"]
    assert partitions and all("resources" not in p and "version" in p for p in partitions)


def test_follower_rereads_the_state_only_when_the_version_moved(ec2: Any, endpoint: str) -> None:
    """First poll reads; an unchanged version reads nothing; a change reads the new state."""
    follower = Follower(Target(endpoint, ACCOUNT, "us-east-1"), refresh=60.0)
    assert follower.poll() is not None
    assert follower.poll() is None
    ec2.create_vpc(CidrBlock="10.8.0.0/16")
    world = follower.poll()
    assert world is not None
    assert any(vpc.cidr_block == "10.8.0.0/16" for vpc in world.view(ACCOUNT, "us-east-1").all(Vpc))
