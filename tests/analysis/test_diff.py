"""`vpclab diff`: opening port 22 to the world shows up as opened, with the rule responsible."""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any

from tests.scenarios import world as w
from tests.support import open_port_to_world, public_private
from vpclab.cli.main import main
from vpclab.control.store import Store
from vpclab.model.state import Clock
from vpclab.network import Network


def _public_web(path: Path) -> tuple[str, str]:
    """A state file with one public web server (443 open) and a private app; (web, group)."""
    network = Network(Store(path, clock=Clock(settle_seconds=0.0)))
    ec2 = network.client()
    net = public_private(ec2, private=False)
    group = w.open_group(ec2, net["vpc"], "web", (443,))
    web = w.instance(ec2, net["public"], group, public=True)
    w.instance(ec2, net["public"], group)
    network.store.close()
    return web, group


def _open_ssh(path: Path, group: str) -> str:
    """Authorize tcp 22 from 0.0.0.0/0 on the group in the state file; the new rule's id."""
    network = Network(Store(path, clock=Clock(settle_seconds=0.0)))
    rule = open_port_to_world(network.client(), group, 22)
    network.store.close()
    return rule


def test_sg_3_diff_shows_port_22_opened_to_the_world(tmp_path: Path, capsys: Any) -> None:
    """Internet -> web opens tcp 22 by the new rule; instance pairs open 22 too; exit 1."""
    before, after = tmp_path / "a.db", tmp_path / "b.db"
    web, group = _public_web(before)
    shutil.copy(before, after)
    rule = _open_ssh(after, group)
    args = ["diff", str(before), str(after), "--settle-seconds", "0"]
    assert main([*args, "--json"]) == 1
    changes = json.loads(capsys.readouterr().out)
    from_internet = [c for c in changes if c["source"] == "internet"]
    assert len(from_internet) == 1
    (change,) = from_internet
    assert change["change"] == "opened" and change["destination"] == web
    assert change["protocol"] == "tcp"
    assert f"{group}/{rule}" in change["rules"]
    assert all(c["change"] == "opened" for c in changes)
    assert len(changes) == 3  # internet -> web, web -> app, app -> web
    assert main(["diff", str(before), str(before), "--settle-seconds", "0"]) == 0
    assert "no reachability changes" in capsys.readouterr().out


def test_sg_3_diff_reverse_direction_reports_closed(tmp_path: Path, capsys: Any) -> None:
    """Diffing the other way round reports the same packets as closed."""
    before, after = tmp_path / "a.db", tmp_path / "b.db"
    _, group = _public_web(before)
    shutil.copy(before, after)
    _open_ssh(after, group)
    assert main(["diff", str(after), str(before), "--settle-seconds", "0"]) == 1
    lines = capsys.readouterr().out.splitlines()
    assert lines and all(line.startswith("closed: ") and "tcp 22" in line for line in lines)
    assert main(["diff", str(tmp_path / "none.db"), str(before)]) == 2
