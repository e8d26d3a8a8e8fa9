"""vpclab's own HTTP clients against `vpclab serve --auth strict`: the analysis commands and
export/import sign their requests with the user's AWS credentials (SigV4, service ec2) and are
accepted; without credentials, or with a wrong secret, the server refuses them."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import boto3
import pytest

from tests.hardening.server import FAST_FAIL, http_client, start_strict_server, stop_server
from tests.scenarios import world as w
from vpclab.cli.main import main
from vpclab.cli.sources import call_server

ALICE = ("AKIASTRICTALICE", "alice-secret", "111111111111")
BOB = ("AKIASTRICTBOB", "bob-secret", "222222222222")


@pytest.fixture(scope="module")
def strict(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, str]]:
    """A strict-auth server holding Alice's public web instance; (endpoint, instance id)."""
    proc, endpoint = start_strict_server(tmp_path_factory.mktemp("auth"), (ALICE, BOB))
    try:
        ec2 = http_client(endpoint, ALICE[0], ALICE[1])
        vpc = w.vpc(ec2)
        sub = w.subnet(ec2, vpc, "10.0.1.0/24")
        igw = w.internet_gateway(ec2, vpc)
        ec2.create_route(
            RouteTableId=w.table_of(ec2, sub), DestinationCidrBlock="0.0.0.0/0", GatewayId=igw
        )
        web = w.instance(ec2, sub, w.open_group(ec2, vpc, "web", (443,)), public=True, Name="web")
        yield endpoint, web
    finally:
        stop_server(proc)


def _credentials(monkeypatch: pytest.MonkeyPatch, tmp_path: Path, key: str | None) -> None:
    """The user's AWS configuration: only the environment's keys (none: no credentials at all)."""
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", str(tmp_path / "no-credentials"))
    monkeypatch.setenv("AWS_CONFIG_FILE", str(tmp_path / "no-config"))
    for name in ("AWS_PROFILE", "AWS_SESSION_TOKEN", "AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY"):
        monkeypatch.delenv(name, raising=False)
    if key is not None:
        secret = {ALICE[0]: ALICE[1], BOB[0]: BOB[1]}.get(key, "wrong-secret")
        monkeypatch.setenv("AWS_ACCESS_KEY_ID", key)
        monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", secret)


@pytest.fixture
def as_alice(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """Alice's keys in the environment, as `aws configure` users export them."""
    _credentials(monkeypatch, tmp_path, ALICE[0])


def test_strict_trace_with_endpoint_is_signed_and_accepted(
    strict: tuple[str, str], as_alice: None, capsys: Any
) -> None:
    """`vpclab trace --endpoint` reads the strict server's state with Alice's signature."""
    endpoint, web = strict
    argv = ["trace", "internet", "web", "--port", "443", "--endpoint", endpoint]
    assert main([*argv, "--account", ALICE[2], "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["destination"]["id"] == web


def test_strict_signs_with_the_profile_of_the_shared_credentials_file(
    strict: tuple[str, str], monkeypatch: pytest.MonkeyPatch, tmp_path: Path, capsys: Any
) -> None:
    """Keys kept under a named profile in ~/.aws/credentials (AWS_PROFILE) sign as well."""
    endpoint, web = strict
    _credentials(monkeypatch, tmp_path, None)
    shared = tmp_path / "credentials"
    shared.write_text(
        f"[lab]\naws_access_key_id = {ALICE[0]}\naws_secret_access_key = {ALICE[1]}\n"
    )
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", str(shared))
    monkeypatch.setenv("AWS_PROFILE", "lab")
    assert main(["exposure", "--json", "--endpoint", endpoint, "--account", ALICE[2]]) == 0
    assert web in capsys.readouterr().out


def test_strict_refuses_the_cli_without_credentials_or_with_a_wrong_secret(
    strict: tuple[str, str], monkeypatch: pytest.MonkeyPatch, tmp_path: Path, capsys: Any
) -> None:
    """No credentials (unsigned) or a key the server does not know: AuthFailure; Alice's key
    with a wrong secret: SignatureDoesNotMatch; exit 2 each time, the server's code shown."""
    endpoint, _ = strict
    for key in (None, "AKIASTRICTUNKNOWN"):
        _credentials(monkeypatch, tmp_path, key)
        assert main(["exposure", "--endpoint", endpoint, "--account", ALICE[2]]) == 2
        err = capsys.readouterr().err
        assert "AuthFailure" in err
        assert ("no AWS credentials were found" in err) == (key is None)
    _credentials(monkeypatch, tmp_path, ALICE[0])
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "not-alices")
    assert main(["exposure", "--endpoint", endpoint, "--account", ALICE[2]]) == 2
    assert "SignatureDoesNotMatch" in capsys.readouterr().err


def test_strict_exposure_matrix_and_check_read_a_strict_server(
    strict: tuple[str, str], as_alice: None, tmp_path: Path, capsys: Any
) -> None:
    """exposure, matrix and check with --endpoint all answer (exit 0) from the signed state."""
    endpoint, web = strict
    where = ["--endpoint", endpoint, "--account", ALICE[2]]
    assert main(["exposure", "--json", *where]) == 0
    assert web in capsys.readouterr().out
    assert main(["matrix", "--format", "json", *where]) == 0
    assert json.loads(capsys.readouterr().out) == []  # Alice has one instance: no pair
    checks = tmp_path / "checks.yaml"
    checks.write_text(
        '- {from: internet, to: "tag:Name=web", port: 443, expect: reachable}\n'
        '- {from: internet, to: "tag:Name=web", port: 22, expect: blocked}\n'
    )
    assert main(["check", str(checks), *where]) == 0


def test_strict_export_diff_and_import_round_trip(
    strict: tuple[str, str], as_alice: None, tmp_path: Path, capsys: Any
) -> None:
    """export --endpoint (signed GET), diff against the http:// source after port 22 opens,
    then import --endpoint (signed POST) puts the exported state back: port 22 closed again."""
    endpoint, web = strict
    exported = tmp_path / "export"
    assert main(["export", str(exported), "--endpoint", endpoint, "--account", ALICE[2]]) == 0
    ec2 = http_client(endpoint, ALICE[0], ALICE[1])
    (group,) = ec2.describe_security_groups(Filters=[{"Name": "group-name", "Values": ["web"]}])[
        "SecurityGroups"
    ]
    ec2.authorize_security_group_ingress(
        GroupId=group["GroupId"], IpProtocol="tcp", FromPort=22, ToPort=22, CidrIp="0.0.0.0/0"
    )
    capsys.readouterr()
    assert main(["diff", str(exported), endpoint, "--account", ALICE[2]]) == 1
    assert "22" in capsys.readouterr().out
    assert main(["import", str(exported), "--endpoint", endpoint]) == 0
    assert main(["diff", str(exported), endpoint, "--account", ALICE[2]]) == 0
    argv = ["trace", "internet", web, "--port", "22", "--endpoint", endpoint]
    assert main([*argv, "--account", ALICE[2]]) == 1


def test_strict_import_refused_with_a_wrong_secret(
    strict: tuple[str, str], monkeypatch: pytest.MonkeyPatch, tmp_path: Path, capsys: Any
) -> None:
    """A POST to /_vpclab/api/snapshot signed with the wrong secret changes nothing (exit 2)."""
    endpoint, _ = strict
    _credentials(monkeypatch, tmp_path, ALICE[0])
    exported = tmp_path / "export"
    assert main(["export", str(exported), "--endpoint", endpoint, "--account", ALICE[2]]) == 0
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "not-alices")
    assert main(["import", str(exported), "--endpoint", endpoint]) == 2
    assert "SignatureDoesNotMatch" in capsys.readouterr().err


def test_strict_signed_lambda_call_acts_in_the_signers_account(strict: tuple[str, str]) -> None:
    """A Lambda (REST-JSON) call signed by Bob creates Bob's function, which Alice does not see."""
    endpoint, _ = strict

    def lambda_client(key: str, secret: str) -> Any:
        """A boto3 Lambda client over HTTP with these keys."""
        return boto3.session.Session().client(
            "lambda",
            region_name="us-east-1",
            aws_access_key_id=key,
            aws_secret_access_key=secret,
            endpoint_url=endpoint,
            config=FAST_FAIL,
        )

    bob, alice = lambda_client(BOB[0], BOB[1]), lambda_client(ALICE[0], ALICE[1])
    made = bob.create_function(
        FunctionName="bobs-fn",
        Runtime="python3.12",
        Role=f"arn:aws:iam::{BOB[2]}:role/lambda-exec",
        Handler="app.handler",
        Code={"ZipFile": b"PK\x03\x04 fake zip"},
    )
    assert made["FunctionArn"] == f"arn:aws:lambda:us-east-1:{BOB[2]}:function:bobs-fn"
    assert [f["FunctionName"] for f in bob.list_functions()["Functions"]] == ["bobs-fn"]
    assert alice.list_functions()["Functions"] == []


@pytest.fixture
def as_bob(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """Bob's keys in the environment: a valid signer of another account than Alice's."""
    _credentials(monkeypatch, tmp_path, BOB[0])


def test_strict_signed_state_read_is_confined_to_the_signers_account(
    strict: tuple[str, str], as_bob: None, capsys: Any
) -> None:
    """ISO (issue 7): Bob's signed read of /_vpclab/api/state holds no partition of Alice's, and
    asking for her account by name is refused (403 AccessDenied), as the EC2 API confines him."""
    endpoint, web = strict
    everything = json.loads(call_server(endpoint, "/_vpclab/api/state", "us-east-1"))
    assert {p["account"] for p in everything["partitions"]} <= {BOB[2]}
    with pytest.raises(OSError, match="AccessDenied"):
        call_server(endpoint, f"/_vpclab/api/state?account={ALICE[2]}", "us-east-1")
    capsys.readouterr()
    assert main(["exposure", "--json", "--endpoint", endpoint, "--account", ALICE[2]]) == 2
    out, err = capsys.readouterr()
    assert web not in out  # Alice's exposed web server stays invisible
    assert f"no state that these credentials can read for account {ALICE[2]}" in err
    with pytest.raises(OSError, match="AccessDenied"):
        call_server(endpoint, f"/_vpclab/api/topology?account={ALICE[2]}", "us-east-1")
    listing = json.loads(call_server(endpoint, "/_vpclab/api/partitions", "us-east-1"))
    assert {p["account"] for p in listing["partitions"]} == {BOB[2]}


def test_strict_signed_import_cannot_replace_another_account(
    strict: tuple[str, str], monkeypatch: pytest.MonkeyPatch, tmp_path: Path, capsys: Any
) -> None:
    """ISO (issue 7): Bob cannot import a snapshot into Alice's account: 403, her state kept."""
    endpoint, _ = strict
    _credentials(monkeypatch, tmp_path, ALICE[0])
    exported = tmp_path / "export"
    assert main(["export", str(exported), "--endpoint", endpoint, "--account", ALICE[2]]) == 0
    before = call_server(endpoint, f"/_vpclab/api/state?account={ALICE[2]}", "us-east-1")
    _credentials(monkeypatch, tmp_path, BOB[0])
    capsys.readouterr()
    assert main(["import", str(exported), "--endpoint", endpoint]) == 2
    assert "AccessDenied" in capsys.readouterr().err
    _credentials(monkeypatch, tmp_path, ALICE[0])
    after = call_server(endpoint, f"/_vpclab/api/state?account={ALICE[2]}", "us-east-1")
    assert json.loads(after)["partitions"] == json.loads(before)["partitions"]


def test_strict_analysis_reads_the_signers_account_when_none_is_named(
    strict: tuple[str, str], as_alice: None, capsys: Any
) -> None:
    """Without --account, a strict server's signed answer holds only Alice's partitions, so the
    analysis reads her account (not the default one, which would look like an empty network)."""
    endpoint, web = strict
    capsys.readouterr()
    assert main(["exposure", "--json", "--endpoint", endpoint]) == 0
    assert web in capsys.readouterr().out


def test_strict_cost_with_endpoint_prices_the_signers_account(
    strict: tuple[str, str], as_alice: None, capsys: Any
) -> None:
    """`vpclab cost --endpoint` reads a strict server with Alice's signature and prices Alice's
    account (her web instance's public IPv4 address), naming no account."""
    endpoint, _web = strict
    assert main(["cost", "--endpoint", endpoint, "--no-flow-logs"]) == 0
    out = capsys.readouterr().out
    assert f"account {ALICE[2]}" in out
    assert [line.split()[4] for line in out.splitlines() if "Public IPv4" in line] == ["730"]
