"""Real-mode fixtures: a real `vpclab serve` on 127.0.0.1 and namespaces always cleaned up."""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from typing import Any

import pytest

from tests.realmode.support import Realm, http_client
from vpclab.realmode.kernel import teardown_all
from vpclab.realmode.source import Target


def _unavailable_reason() -> str | None:
    """Why namespaces cannot be created here, or None when they can."""
    if os.geteuid() != 0:
        return "real mode needs root to create network namespaces"
    for tool in ("ip", "nft", "ping"):
        if shutil.which(tool) is None:
            return f"real mode needs the `{tool}` command"
    probe = "vpclab-probe"
    made = subprocess.run(["ip", "netns", "add", probe], capture_output=True, check=False)
    if made.returncode != 0:
        return f"`ip netns add` fails here: {made.stderr.decode().strip()}"
    subprocess.run(["ip", "netns", "delete", probe], check=False)
    return None


REASON = _unavailable_reason()


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Mark every real-mode test, and skip them all with the reason when namespaces are out."""
    for item in items:
        if "tests/realmode" in str(item.fspath):
            item.add_marker(pytest.mark.realmode)
            if REASON is not None:
                item.add_marker(pytest.mark.skip(reason=REASON))


@pytest.fixture(scope="module")
def endpoint() -> Iterator[str]:
    """A real server (in memory, instances settle in 0.05 s) on a free loopback port."""
    proc = subprocess.Popen(
        [
            sys.executable,
            "-c",
            "import sys; from vpclab.cli.main import main; sys.exit(main())",
            "serve",
            "--port",
            "0",
            "--in-memory",
            "--settle-seconds",
            "0.05",
        ],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        assert proc.stdout is not None
        line = proc.stdout.readline()
        if not line.startswith("vpclab listening on "):
            proc.kill()
            _, err = proc.communicate(timeout=5)
            raise AssertionError(f"server did not start: {line!r} {err}")
        url = line.split()[3]
        assert url.startswith("http://127.0.0.1:")
        for _ in range(100):
            try:
                urllib.request.urlopen(url + "/_vpclab/api/state", timeout=1).close()
                break
            except OSError:
                time.sleep(0.05)
        yield url
    finally:
        proc.send_signal(signal.SIGINT)
        try:
            proc.communicate(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.communicate()


@pytest.fixture(scope="module")
def ec2(endpoint: str) -> Any:
    """A boto3 EC2 client talking HTTP to the real server."""
    return http_client(endpoint)


@pytest.fixture(scope="module")
def realm(endpoint: str) -> Iterator[Realm]:
    """This module's run (every partition, as `vpclab up` with no --account/--region); every
    namespace of it removed afterwards, even when a test fails."""
    target = Target(endpoint)
    teardown_all(target.run)
    realm = Realm(target)
    try:
        yield realm
    finally:
        realm.applier.teardown()
        teardown_all(target.run)


@pytest.fixture
def tcp_listener(realm: Realm) -> Iterator[Any]:
    """Start TCP listeners inside instance namespaces; stop them afterwards."""
    procs: list[subprocess.Popen[bytes]] = []

    def start(instance_id: str, port: int) -> None:
        """Listen (accept and close) on a port in the instance."""
        command = ["ip", "netns", "exec", realm.namespace(instance_id)]
        command += ["socat", f"TCP-LISTEN:{port},fork,reuseaddr", "EXEC:/bin/true"]
        procs.append(subprocess.Popen(command, stderr=subprocess.DEVNULL))
        time.sleep(0.2)

    try:
        yield start
    finally:
        for proc in procs:
            proc.terminate()
            proc.wait(timeout=5)
