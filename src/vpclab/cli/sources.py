"""Where analysis commands read a network from: a state file, an export directory or a server.

Every analysis command (trace, exposure, matrix, check, diff) takes the same forms, through
`add_state_arguments` and `load_view`/`load_source` here, so they cannot drift apart.
"""

from __future__ import annotations

import argparse
import json
import os
from collections.abc import Callable
from typing import Any

from vpclab.model.regions import DEFAULT_ACCOUNT, DEFAULT_REGION

# botocore's credential providers that read only this machine (environment and shared files).
LOCAL_CREDENTIALS = ("env", "shared-credentials-file", "config-file", "boto-config")
# (method, url, body, headers) -> the SigV4 headers to add.
Signer = Callable[[str, str, bytes, dict[str, str]], dict[str, str]]
NO_CREDENTIALS_HINT = (
    " (the request went unsigned: no AWS credentials were found to sign it with; set "
    "AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, or AWS_PROFILE, to keys the server's "
    "credentials file lists)"
)


def source_errors(*extra: type[Exception]) -> tuple[type[Exception], ...]:
    """The exceptions that mean "this source cannot be read" (exit 2), not a bug, plus `extra`."""
    from vpclab.control.snapshot import SnapshotError
    from vpclab.control.store import StateFileError
    from vpclab.network import UsageError

    return (UsageError, StateFileError, SnapshotError, OSError, *extra)


def add_state_arguments(cmd: Any) -> None:
    """The --state/--endpoint choice every analysis command shares, with account and region."""
    where = cmd.add_mutually_exclusive_group(required=True)
    where.add_argument("--endpoint", metavar="URL", help="a running vpclab server")
    where.add_argument(
        "--state",
        metavar="PATH",
        help="a vpclab state file, or a directory of `aws ec2 describe-*` JSON (an export)",
    )
    add_partition_arguments(cmd)


def add_partition_arguments(cmd: Any) -> None:
    """--settle-seconds, --account and --region, as every source reads them."""
    cmd.add_argument(
        "--settle-seconds",
        type=float,
        default=1.0,
        help="with --state: how long pending states last (as given to `vpclab serve`)",
    )
    cmd.add_argument(
        "--account",
        default=None,
        help=f"default {DEFAULT_ACCOUNT}; for an export, the only account in it (or its folder)",
    )
    cmd.add_argument(
        "--region",
        default=None,
        help=f"default {DEFAULT_REGION}; for an export, the only region in it",
    )


def load_view(args: argparse.Namespace) -> Any:
    """The View the analysis runs on, from --state (file or export directory) or --endpoint."""
    where = args.state if args.state else args.endpoint
    return load_source(where, args.account, args.region, args.settle_seconds)


def load_source(where: str, account: str | None, region: str | None, settle: float) -> Any:
    """The View at a server URL, an export directory or a state file (judged by its form)."""
    from vpclab.control.snapshot import is_snapshot, read_snapshot
    from vpclab.model import load_all_kinds
    from vpclab.model.state import Clock

    if where.startswith(("http://", "https://")):
        world = world_from_endpoint(where, region)
        return world.view(account_to_read(world, account, where), region or DEFAULT_REGION)
    if is_snapshot(where) or os.path.isdir(where):  # an empty directory: say what is missing
        load_all_kinds()
        snapshot = read_snapshot(where, region=region)
        key = snapshot.resolve(account, region)
        return snapshot.world(Clock(settle_seconds=settle)).view(*key)
    return view_from_state(where, account or DEFAULT_ACCOUNT, region or DEFAULT_REGION, settle)


def account_to_read(world: Any, account: str | None, endpoint: str) -> str:
    """The account to analyse at a server: as asked, else the only one the answer holds (under
    --auth strict a signed read holds only the signer's), else the default; an account the
    answer does not hold is a usage error, not an empty network (e.g. keys of another account).
    """
    from vpclab.network import UsageError

    held = sorted({acct for acct, _region in world.partitions})
    if account is None:
        return held[0] if len(held) == 1 else DEFAULT_ACCOUNT
    if account not in held:
        raise UsageError(
            f"{endpoint} holds no state that these credentials can read for account {account} "
            f"(readable: {', '.join(held) or 'none'})"
        )
    return account


def view_from_endpoint(endpoint: str, account: str, region: str) -> Any:
    """The server's whole state through GET /_vpclab/api/state, as a read-only View."""
    return world_from_endpoint(endpoint, region).view(account, region)


def world_from_endpoint(endpoint: str, region: str | None = None) -> Any:
    """Every partition of a running server, read through GET /_vpclab/api/state (signed for
    `region`, or the region the user's AWS configuration names)."""
    import time

    from vpclab.control import codec
    from vpclab.model import load_all_kinds
    from vpclab.model.state import Clock, World

    load_all_kinds()
    payload = json.loads(call_server(endpoint, "/_vpclab/api/state", region, timeout=30))
    partitions = {
        (p["account"], p["region"]): codec.partition_from_plain(p["resources"])
        for p in payload["partitions"]
    }
    clock = Clock(settle_seconds=payload["settle_seconds"], offset=payload["now"] - time.time())
    return World(partitions, clock)


def call_server(
    endpoint: str,
    path: str,
    region: str | None,
    *,
    body: bytes | None = None,
    timeout: float = 30,
    sign: Signer | None = None,
) -> bytes:
    """GET (or, with a body, POST as JSON) one of a vpclab server's own endpoints, SigV4-signed
    with the user's usual AWS credentials so a `--auth strict` server accepts it (`sign`: keys
    already resolved by `local_signer`); the answer's body, or OSError carrying the server's own
    error when it refuses."""
    import urllib.error
    import urllib.request

    url = endpoint.rstrip("/") + path
    method = "GET" if body is None else "POST"
    headers = {} if body is None else {"Content-Type": "application/json"}
    signature = (sign or local_signer(region))(method, url, body or b"", headers)
    request = urllib.request.Request(
        url, data=body, headers={**headers, **signature}, method=method
    )
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            answer: bytes = response.read()
            return answer
    except urllib.error.HTTPError as exc:
        detail = exc.read().decode(errors="replace")
        hint = NO_CREDENTIALS_HINT if exc.code == 403 and not signature else ""
        raise OSError(
            f"{endpoint} refused {method} {path} (HTTP {exc.code}): {detail}{hint}"
        ) from exc


def signed_reader(region: str | None) -> Callable[[str, str], bytes]:
    """GET (endpoint, path) -> body, signed with keys resolved once: what `vpclab up` polls a
    server with every few milliseconds (resolving the keys costs ~17 ms, signing ~0.2 ms)."""
    sign = local_signer(region)
    return lambda endpoint, path: call_server(endpoint, path, region, timeout=10, sign=sign)


def signature_headers(
    method: str, url: str, body: bytes, headers: dict[str, str], region: str | None
) -> dict[str, str]:
    """The SigV4 headers (service ec2) botocore adds to this request with the keys the AWS CLI
    would use; see `local_signer`."""
    return local_signer(region)(method, url, body, headers)


def local_signer(region: str | None) -> Signer:
    """Signs requests (SigV4, service ec2) with the keys the AWS CLI would use (environment,
    then the profile's keys in the shared files), resolved now; signs nothing when there are
    none (or only half a pair, such as a bare AWS_ACCESS_KEY_ID naming the account), which a server in the default auth mode accepts. Providers that would ask a remote
    service (STS, SSO, instance or container metadata) are skipped: a vpclab client sends
    nothing off this machine."""
    import botocore.session
    from botocore.auth import SigV4Auth
    from botocore.awsrequest import AWSRequest
    from botocore.credentials import CredentialResolver, create_credential_resolver
    from botocore.exceptions import PartialCredentialsError

    session = botocore.session.get_session()
    providers = create_credential_resolver(session).providers
    local = [provider for provider in providers if provider.METHOD in LOCAL_CREDENTIALS]
    try:
        credentials = CredentialResolver(local).load_credentials()
    except PartialCredentialsError:  # e.g. only AWS_ACCESS_KEY_ID: nothing to sign with
        credentials = None
    scope = region or session.get_config_variable("region") or DEFAULT_REGION

    def sign(method: str, url: str, body: bytes, headers: dict[str, str]) -> dict[str, str]:
        """The headers SigV4 adds to this request (none without credentials)."""
        if credentials is None:
            return {}
        request = AWSRequest(method=method, url=url, data=body, headers=dict(headers))
        SigV4Auth(credentials, "ec2", scope).add_auth(request)
        return {name: value for name, value in request.headers.items() if name not in headers}

    return sign


def view_from_state(path: str, account: str, region: str, settle: float) -> Any:
    """A state file's partition as a View (the file is only read)."""
    from vpclab.network import Network

    return Network.open(path, settle_seconds=settle).store.view(account, region)
