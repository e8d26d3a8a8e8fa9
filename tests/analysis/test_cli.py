"""`vpclab exposure` on a state file: text and JSON output, exit codes."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from tests.scenarios import world as w
from tests.support import public_private
from vpclab.cli.main import main
from vpclab.control.store import Store
from vpclab.model.state import Clock
from vpclab.network import Network


def _state_with_public_web(path: Path) -> str:
    """A state file with one public web server (443 open); its instance id."""
    network = Network(Store(path, clock=Clock(settle_seconds=0.0)))
    ec2 = network.client()
    net = public_private(ec2, private=False)
    web_group = w.open_group(ec2, net["vpc"], "web", (443,))
    web = w.instance(ec2, net["public"], web_group, public=True)
    network.store.close()
    return web


def test_igw_6_exposure_cli_lists_the_web_server_as_json(tmp_path: Path, capsys: Any) -> None:
    """--json gives one finding per way in, with ports as spans and the rules that admit."""
    web = _state_with_public_web(tmp_path / "s.db")
    code = main(["exposure", "--state", str(tmp_path / "s.db"), "--settle-seconds", "0", "--json"])
    assert code == 0
    (finding,) = json.loads(capsys.readouterr().out)
    assert finding["owner_id"] == web
    assert finding["protocol"] == "tcp"
    assert finding["destination_ports"] == {"spans": [[443, 443]]} or finding[
        "destination_ports"
    ] == [[443, 443]]
    assert finding["sg_rules"][0]["from_port"] == 443


def test_igw_6_exposure_cli_text_and_missing_state(tmp_path: Path, capsys: Any) -> None:
    """The text form names the instance and ports; a missing state file is exit 2."""
    web = _state_with_public_web(tmp_path / "s.db")
    assert main(["exposure", "--state", str(tmp_path / "s.db"), "--settle-seconds", "0"]) == 0
    out = capsys.readouterr().out
    assert web in out and "tcp 443" in out
    assert main(["exposure", "--state", str(tmp_path / "missing.db")]) == 2
