"""Where real mode gets its desired state: a running server's GET /_vpclab/api/state."""

from __future__ import annotations

import json
import os
import time
import urllib.request
from dataclasses import dataclass

from vpclab.control import codec
from vpclab.model import load_all_kinds
from vpclab.model.state import Clock, View, World
from vpclab.realmode.plan import run_tag

DEFAULT_ENDPOINT = "http://127.0.0.1:4566"
DEFAULT_ACCOUNT = "123456789012"
DEFAULT_REGION = "us-east-1"


@dataclass(frozen=True)
class Target:
    """Which server and partition real mode follows."""

    endpoint: str
    account: str
    region: str

    @property
    def run(self) -> str:
        """The tag in the names of the namespaces materializing this target."""
        return run_tag(self.endpoint, self.account, self.region)


def target_from_environment(endpoint: str | None = None) -> Target:
    """The usual AWS settings: a 12-digit access key is the account; region; endpoint URL."""
    key = os.environ.get("AWS_ACCESS_KEY_ID", "")
    account = key if len(key) == 12 and key.isdigit() else DEFAULT_ACCOUNT
    region = os.environ.get("AWS_REGION") or os.environ.get("AWS_DEFAULT_REGION") or DEFAULT_REGION
    url = endpoint or os.environ.get("AWS_ENDPOINT_URL") or DEFAULT_ENDPOINT
    return Target(url.rstrip("/"), account, region)


def fetch_view(target: Target) -> tuple[int, View]:
    """The partition's version counter and a View over the whole world as the server has it."""
    load_all_kinds()
    with urllib.request.urlopen(target.endpoint + "/_vpclab/api/state", timeout=10) as response:
        payload = json.loads(response.read())
    partitions = {
        (p["account"], p["region"]): codec.partition_from_plain(p["resources"])
        for p in payload["partitions"]
    }
    version = sum(int(p["version"]) for p in payload["partitions"])
    clock = Clock(settle_seconds=payload["settle_seconds"], offset=payload["now"] - time.time())
    return version, World(partitions, clock).view(target.account, target.region)


def fetch_version(target: Target) -> int:
    """The state's version counter alone (a few hundred bytes): what a follower polls."""
    url = target.endpoint + "/_vpclab/api/state?versions=1"
    with urllib.request.urlopen(url, timeout=10) as response:
        payload = json.loads(response.read())
    return sum(int(p["version"]) for p in payload["partitions"])


@dataclass
class Follower:
    """Tells `vpclab up` when to rebuild its plan: the version moved, or a refresh is due.

    Versions move on every API change; clock-driven changes (an instance settling into
    running, a NAT gateway becoming available) move no version, so the whole state is also
    re-read every `refresh` seconds.
    """

    target: Target
    refresh: float = 1.0
    version: int = -1
    fetched_at: float = float("-inf")

    def poll(self) -> View | None:
        """A fresh View when something may have changed since the last one, else None."""
        due = time.monotonic() - self.fetched_at >= self.refresh
        if not due and fetch_version(self.target) == self.version:
            return None
        self.fetched_at = time.monotonic()
        self.version, view = fetch_view(self.target)
        return view
