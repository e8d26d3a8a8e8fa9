"""`vpclab up` against `vpclab serve --auth strict`: it reads the server signed with the user's
AWS keys, and the server confines the signer to its own account, whose network is brought up."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.hardening.server import http_client, start_strict_server, stop_server
from tests.realmode.support import run_vpclab, web_group
from tests.scenarios import world as w
from vpclab.realmode.kernel import list_namespaces, teardown_all
from vpclab.realmode.source import Target

ALICE = ("AKIAREALMODEALICE", "alice-secret", "111111111111")
BOB = ("AKIAREALMODEBOB", "bob-secret", "222222222222")


@pytest.fixture(scope="module")
def strict(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, Any]]:
    """A strict server where Alice has two instances in one subnet and Bob one of his own."""
    proc, endpoint = start_strict_server(tmp_path_factory.mktemp("auth"), (ALICE, BOB))
    run = Target(endpoint).run
    try:
        ids: dict[str, list[str]] = {}
        for who, (key, secret, _) in (("alice", ALICE), ("bob", BOB)):
            ec2 = http_client(endpoint, key, secret)
            vpc = w.vpc(ec2)
            subnet = w.subnet(ec2, vpc, "10.0.1.0/24")
            group = web_group(ec2, vpc, f"web-{who}")
            ids[who] = [w.instance(ec2, subnet, group) for _ in range(2 if who == "alice" else 1)]
        yield {"endpoint": endpoint, "run": run, "ids": ids}
    finally:
        teardown_all(run)
        stop_server(proc)


def _vpclab(endpoint: str, tmp_path: Path, key: tuple[str, str] | None, *args: str) -> Any:
    """Run vpclab with only these keys in the environment (None: no credentials at all)."""
    env = {
        name: value
        for name, value in os.environ.items()
        if not name.startswith("AWS_") or name == "AWS_DEFAULT_REGION"
    }
    env |= {
        "AWS_SHARED_CREDENTIALS_FILE": str(tmp_path / "none"),
        "AWS_CONFIG_FILE": str(tmp_path / "none"),
    }
    if key is not None:
        env |= {"AWS_ACCESS_KEY_ID": key[0], "AWS_SECRET_ACCESS_KEY": key[1]}
    return run_vpclab(endpoint, *args, env=env)


def test_up_signs_and_brings_up_only_the_signers_account(
    strict: dict[str, Any], tmp_path: Path
) -> None:
    """Alice's `up --once` is accepted, says it brings up account 111111111111, builds her two
    instances (they ping each other through `vpclab exec`) and none of Bob's."""
    endpoint, alice, bob = strict["endpoint"], strict["ids"]["alice"], strict["ids"]["bob"]
    up = _vpclab(endpoint, tmp_path, ALICE[:2], "up", "--once")
    assert up.returncode == 0, up.stderr
    assert f"shows account {ALICE[2]} (us-east-1)" in up.stdout
    assert BOB[2] not in up.stdout
    built = list_namespaces(strict["run"])
    assert all(any(name.endswith(f"-{inst}") for name in built) for inst in alice)
    assert not any(name.endswith(f"-{bob[0]}") for name in built)
    second_ip = http_client(endpoint, *ALICE[:2]).describe_instances(InstanceIds=[alice[1]])
    address = second_ip["Reservations"][0]["Instances"][0]["PrivateIpAddress"]
    ping = _vpclab(endpoint, tmp_path, ALICE[:2], "exec", alice[0], "--", "ping", "-c1", address)
    assert ping.returncode == 0, ping.stdout + ping.stderr
    down = _vpclab(endpoint, tmp_path, ALICE[:2], "down")
    assert down.returncode == 0 and not list_namespaces(strict["run"])


def test_up_names_another_accounts_refusal(strict: dict[str, Any], tmp_path: Path) -> None:
    """Asking a strict server for Bob's account with Alice's keys: exit 1, the 403 shown."""
    up = _vpclab(strict["endpoint"], tmp_path, ALICE[:2], "up", "--once", "--account", BOB[2])
    assert up.returncode == 1
    assert "HTTP 403" in up.stderr and "Traceback" not in up.stderr


def test_up_without_credentials_is_refused_with_the_hint(
    strict: dict[str, Any], tmp_path: Path
) -> None:
    """Unsigned, a strict server refuses `up`: exit 1, AuthFailure and how to sign."""
    up = _vpclab(strict["endpoint"], tmp_path, None, "up", "--once")
    assert up.returncode == 1
    assert "AuthFailure" in up.stderr and "no AWS credentials were found" in up.stderr
