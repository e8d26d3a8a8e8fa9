"""`--auth strict`: verify AWS SigV4 signatures against a credentials file, as AWS would."""

from __future__ import annotations

import configparser
import hmac
import json
import re
import uuid
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from vpclab.api.dispatch import HttpResponse
from vpclab.wire import serialize_error

MAX_SKEW = timedelta(minutes=15)
_AUTHORIZATION = re.compile(
    r"^AWS4-HMAC-SHA256\s+Credential=(?P<key>[^/,\s]+)/(?P<date>\d{8})/(?P<region>[^/,\s]+)/"
    r"(?P<service>[^/,\s]+)/aws4_request,\s*SignedHeaders=(?P<headers>[a-z0-9;.\-]+),\s*"
    r"Signature=(?P<signature>[0-9a-f]{64})$"
)


class CredentialsFileError(Exception):
    """A credentials file that cannot be read or lacks a key, secret or account."""


class AuthError(Exception):
    """A request AWS would refuse before running it: its EC2 code and message (HTTP 403)."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(f"{code}: {message}")
        self.code = code
        self.message = message


@dataclass(frozen=True)
class Identity:
    """One access key's secret and the account it acts in."""

    access_key: str
    secret_key: str
    account: str


def _identity(entry: Mapping[str, Any], where: str) -> Identity:
    """One identity from a mapping with access key, secret key and a 12-digit account."""
    access_key = entry.get("access_key") or entry.get("aws_access_key_id")
    secret_key = entry.get("secret_key") or entry.get("aws_secret_access_key")
    account = str(entry.get("account") or entry.get("account_id") or "")
    if not access_key or not secret_key or not (account.isdigit() and len(account) == 12):
        raise CredentialsFileError(
            f"{where}: each entry needs access_key, secret_key and a 12-digit account"
        )
    return Identity(str(access_key), str(secret_key), account)


def load_credentials(path: str | Path) -> dict[str, Identity]:
    """Identities by access key from YAML (a list under `credentials:`) or INI (one per section)."""
    path = Path(path)
    try:
        text = path.read_text()
    except OSError as exc:
        raise CredentialsFileError(f"cannot read {path}: {exc}") from exc
    entries: list[tuple[Mapping[str, Any], str]]
    if path.suffix in (".ini", ".cfg", ".conf") or text.lstrip().startswith("["):
        parser = configparser.ConfigParser()
        try:
            parser.read_string(text)
        except configparser.Error as exc:
            raise CredentialsFileError(f"{path}: {exc}") from exc
        entries = [(parser[name], f"{path} [{name}]") for name in parser.sections()]
    else:
        import yaml  # only --auth strict reads a credentials file: kept off the start-up path

        try:
            data = yaml.safe_load(text)
        except yaml.YAMLError as exc:
            raise CredentialsFileError(f"{path}: {exc}") from exc
        listed = data.get("credentials") if isinstance(data, dict) else data
        if not isinstance(listed, list) or not all(isinstance(e, dict) for e in listed):
            raise CredentialsFileError(f"{path}: expected a list of credentials")
        entries = [(entry, str(path)) for entry in listed]
    identities = [_identity(entry, where) for entry, where in entries]
    if not identities:
        raise CredentialsFileError(f"{path} holds no credentials")
    return {identity.access_key: identity for identity in identities}


class Verifier:
    """Checks each request's SigV4 signature; answers the identity or raises AuthError."""

    def __init__(self, identities: Mapping[str, Identity]) -> None:
        self.identities = dict(identities)

    def verify(
        self,
        method: str,
        url: str,
        headers: Mapping[str, str],
        body: bytes,
        now: datetime | None = None,
    ) -> Identity:
        """The caller's identity, once the signature, key and date are proven good."""
        authorization = headers.get("authorization")
        if not authorization:
            raise AuthError(
                "AuthFailure", "AWS was not able to validate the provided access credentials"
            )
        match = _AUTHORIZATION.match(authorization.strip())
        if match is None:
            raise AuthError(
                "IncompleteSignature",
                f"Authorization header requires 'Credential', 'Signature' and 'SignedHeaders' "
                f"parameters, in AWS4-HMAC-SHA256 form. Authorization={authorization}",
            )
        identity = self.identities.get(match["key"])
        if identity is None:
            raise AuthError(
                "AuthFailure", "AWS was not able to validate the provided access credentials"
            )
        stamp = _request_time(headers)
        now = now or datetime.now(UTC)
        if abs(now - stamp) > MAX_SKEW:
            raise AuthError(
                "RequestExpired",
                f"Request has expired. Timestamp date is {stamp:%Y%m%dT%H%M%SZ}, "
                f"the server time is {now:%Y%m%dT%H%M%SZ} (more than 15 minutes apart).",
            )
        if stamp.strftime("%Y%m%d") != match["date"]:
            raise AuthError(
                "SignatureDoesNotMatch", "The credential scope date does not match X-Amz-Date."
            )
        expected = _signature(identity, match, method, url, headers, body, stamp)
        if not hmac.compare_digest(expected, match["signature"]):
            raise AuthError(
                "SignatureDoesNotMatch",
                "The request signature we calculated does not match the signature you provided. "
                "Check your AWS Secret Access Key and signing method. "
                "Consult the service documentation for details.",
            )
        return identity


def _request_time(headers: Mapping[str, str]) -> datetime:
    """The signing time the client claims (X-Amz-Date), or IncompleteSignature without one."""
    raw = headers.get("x-amz-date", "")
    try:
        return datetime.strptime(raw, "%Y%m%dT%H%M%SZ").replace(tzinfo=UTC)
    except ValueError as exc:
        raise AuthError(
            "IncompleteSignature", "The request must contain a valid X-Amz-Date header."
        ) from exc


def _signature(
    identity: Identity,
    match: re.Match[str],
    method: str,
    url: str,
    headers: Mapping[str, str],
    body: bytes,
    stamp: datetime,
) -> str:
    """The signature botocore computes for exactly the headers the client said it signed."""
    # Imported on first use (--auth strict only), off the start-up path.
    from botocore.auth import SigV4Auth  # type: ignore[import-untyped]
    from botocore.awsrequest import AWSRequest  # type: ignore[import-untyped]
    from botocore.credentials import Credentials  # type: ignore[import-untyped]

    signed = match["headers"].split(";")
    if "host" not in signed or any(name not in headers for name in signed):
        raise AuthError(
            "IncompleteSignature", "SignedHeaders must include host and only headers sent."
        )
    request = AWSRequest(
        method=method, url=url, data=body, headers={name: headers[name] for name in signed}
    )
    request.context["timestamp"] = stamp.strftime("%Y%m%dT%H%M%SZ")
    signer = SigV4Auth(
        Credentials(identity.access_key, identity.secret_key), match["service"], match["region"]
    )
    canonical = signer.canonical_request(request)
    signature: str = signer.signature(signer.string_to_sign(request, canonical), request)
    return signature


def request_url(scope: Mapping[str, Any], headers: Mapping[str, str]) -> str:
    """The URL the client signed, rebuilt from the ASGI scope and its Host header."""
    query = scope.get("query_string", b"").decode("latin-1")
    return f"http://{headers.get('host', '')}{scope['path']}" + (f"?{query}" if query else "")


def refusal(error: AuthError) -> HttpResponse:
    """The 403 EC2 error response for a request that failed authentication."""
    body = serialize_error(error.code, error.message, str(uuid.uuid4()), "ec2")
    return HttpResponse(403, body)


SIGNED_ACCOUNT = "vpclab.signed_account"  # ASGI scope key: the account a SigV4 signature proved


def signed_account(scope: Mapping[str, Any]) -> str | None:
    """The account a request's signature proved under --auth strict (None: unsigned or auth off).

    vpclab's own /_vpclab/api/ routes confine a signed caller to this account, as the EC2 API
    does; the console token (the operator's) is not confined.
    """
    account = scope.get(SIGNED_ACCOUNT)
    return account if isinstance(account, str) else None


class ForeignAccount(Exception):
    """A signed request to vpclab's own API named an account other than its signer's."""


def confined_account(scope: Mapping[str, Any], requested: str | None) -> str | None:
    """The account a /_vpclab/api/ request may touch: the signer's when signed, else as asked."""
    signed = signed_account(scope)
    if signed is None:
        return requested
    if requested and requested != signed:
        raise ForeignAccount(
            f"the request is signed for account {signed} and cannot read or change account "
            f"{requested}"
        )
    return signed


def foreign_account_refusal(error: ForeignAccount) -> HttpResponse:
    """403 for a signed request reaching past its own account (nothing read, nothing changed)."""
    body = {"error": {"code": "AccessDenied", "message": str(error)}}
    return HttpResponse(403, json.dumps(body).encode(), {"Content-Type": "application/json"})


def authenticate(
    verifier: Verifier | None, scope: Mapping[str, Any], headers: Mapping[str, str], body: bytes
) -> tuple[str | None, HttpResponse | None]:
    """(verified account, None), or (None, 403 refusal); (None, None) when auth is off."""
    if verifier is None:
        return None, None
    try:
        identity = verifier.verify(scope["method"], request_url(scope, headers), headers, body)
    except AuthError as exc:
        return None, refusal(exc)
    return identity.account, None
