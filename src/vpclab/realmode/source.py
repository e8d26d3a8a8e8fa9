"""Where real mode gets its desired state: a running server's GET /_vpclab/api/state."""

from __future__ import annotations

import json
import time
import urllib.parse
import urllib.request
from collections.abc import Callable
from dataclasses import dataclass, field

from vpclab.control import codec
from vpclab.model import load_all_kinds
from vpclab.model.state import Clock, View, World
from vpclab.realmode.plan import run_tag

DEFAULT_ENDPOINT = "http://127.0.0.1:4566"
DEFAULT_ACCOUNT = "123456789012"
DEFAULT_REGION = "us-east-1"
STATE_PATH = "/_vpclab/api/state"

# (endpoint, path) -> the answer's body; OSError when the server cannot be read or refuses.
Reader = Callable[[str, str], bytes]


def unsigned_reader(endpoint: str, path: str) -> bytes:
    """GET a server's own endpoint without a signature (a server in the default auth mode)."""
    with urllib.request.urlopen(endpoint + path, timeout=10) as response:
        body: bytes = response.read()
        return body


@dataclass(frozen=True)
class Target:
    """Which server real mode follows, and which of its partitions (None: every one it shows).

    `read` fetches from the server; the CLI passes one that signs with the user's AWS keys
    (real mode itself never imports botocore), so a `--auth strict` server answers, confined to
    the signer's account.
    """

    endpoint: str
    account: str | None = None
    region: str | None = None
    read: Reader = field(default=unsigned_reader, compare=False, repr=False)

    @property
    def run(self) -> str:
        """The tag in the names of the namespaces materializing this target."""
        return run_tag(self.endpoint, self.account or "*", self.region or "*")

    def state_path(self, versions_only: bool = False) -> str:
        """GET /_vpclab/api/state narrowed to this target's account and region, if any."""
        query = {"account": self.account, "region": self.region}
        if versions_only:
            query["versions"] = "1"
        encoded = urllib.parse.urlencode({k: v for k, v in query.items() if v})
        return STATE_PATH + (f"?{encoded}" if encoded else "")


def target_from_settings(
    endpoint: str | None = None,
    account: str | None = None,
    region: str | None = None,
    read: Reader = unsigned_reader,
) -> Target:
    """The server from --endpoint, else AWS_ENDPOINT_URL, else the default port; every
    partition it shows unless --account/--region narrow it."""
    import os

    url = endpoint or os.environ.get("AWS_ENDPOINT_URL") or DEFAULT_ENDPOINT
    return Target(url.rstrip("/"), account, region, read)


def fetch_world(target: Target) -> tuple[int, World]:
    """The version counter and every partition the server shows this target (a strict server
    shows a signed caller its own account's partitions only)."""
    load_all_kinds()
    payload = json.loads(target.read(target.endpoint, target.state_path()))
    partitions = {
        (p["account"], p["region"]): codec.partition_from_plain(p["resources"])
        for p in payload["partitions"]
    }
    version = sum(int(p["version"]) for p in payload["partitions"])
    clock = Clock(settle_seconds=payload["settle_seconds"], offset=payload["now"] - time.time())
    return version, World(partitions, clock)


def fetch_view(target: Target) -> tuple[int, View]:
    """The version counter and the View of the target's partition (default account/region)."""
    version, world = fetch_world(target)
    return version, world.view(target.account or DEFAULT_ACCOUNT, target.region or DEFAULT_REGION)


def fetch_version(target: Target) -> int:
    """The state's version counter alone (a few hundred bytes): what a follower polls."""
    payload = json.loads(target.read(target.endpoint, target.state_path(versions_only=True)))
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

    def poll(self) -> World | None:
        """Every partition afresh when something may have changed since the last read, else None."""
        due = time.monotonic() - self.fetched_at >= self.refresh
        if not due and fetch_version(self.target) == self.version:
            return None
        self.fetched_at = time.monotonic()
        self.version, world = fetch_world(self.target)
        return world
