"""Test helpers: boto3 clients wired straight into an in-process vpclab, no sockets."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, MutableMapping
from typing import Any

import boto3
from botocore.config import Config

from tests.scenarios import world
from vpclab.api.dispatch import Api
from vpclab.network import answer_in_process

NO_RETRIES = Config(retries={"total_max_attempts": 1, "mode": "standard"})
# One session for every client: it loads each service model once (a client costs ~20 ms, not ~600).
_SESSION = boto3.session.Session()

# EC2's one message for a ClientToken reused with other arguments (RunInstances and friends).
IDEMPOTENCY_MISMATCH = (
    "Arguments on this idempotent request are inconsistent with arguments used in previous "
    "request(s)."
)


def client(
    api: Api,
    service: str = "ec2",
    *,
    region: str = "us-east-1",
    access_key: str = "AKIDEXAMPLE",
) -> Any:
    """A real boto3 client whose requests are answered by `api` through a before-send hook."""
    made = _SESSION.client(
        service,
        region_name=region,
        aws_access_key_id=access_key,
        aws_secret_access_key="secret",
        endpoint_url="http://vpclab.invalid",
        config=NO_RETRIES,
    )

    def answer(request: Any, **_: Any) -> Any:
        return answer_in_process(api, service, request)

    made.meta.events.register("before-send", answer)
    return made


def aws_error(call: Any, *args: Any, **kwargs: Any) -> tuple[str, str]:
    """The (code, message) of the AWS error a boto3 call fails with; fails the test if it succeeds."""
    from botocore.exceptions import ClientError

    try:
        call(*args, **kwargs)
    except ClientError as exc:
        error = exc.response["Error"]
        return error["Code"], error["Message"]
    raise AssertionError(f"{getattr(call, '__name__', call)} succeeded; an AWS error was expected")


def raw_call(
    api: Api,
    form: dict[str, str],
    *,
    access_key: str = "AKIDEXAMPLE",
    region: str = "us-east-1",
    service: str = "ec2",
) -> tuple[int, str]:
    """POST a hand-made form (bypassing botocore's client-side checks); the status and XML body."""
    from urllib.parse import urlencode

    scope = f"Credential={access_key}/20240101/{region}/{service}/aws4_request"
    headers = {"authorization": f"AWS4-HMAC-SHA256 {scope}, SignedHeaders=host, Signature=0"}
    response = api.handle(urlencode(form).encode(), headers)
    return response.status, response.body.decode()


def public_private(ec2: Any, second: int = 0, *, private: bool = True) -> dict[str, str]:
    """The documented public/private layout, built through boto3 like user code: VPC
    10.N.0.0/16, a public subnet 10.N.1.0/24 whose own table routes 0.0.0.0/0 to an attached
    internet gateway and (unless `private` is False) a private subnet 10.N.2.0/24 with its own
    table. Names -> ids: vpc, public, igw, private, and cidr ("10.N")."""
    vpc = world.vpc(ec2, f"10.{second}.0.0/16")
    net = {"vpc": vpc, "public": world.subnet(ec2, vpc, f"10.{second}.1.0/24")}
    if private:
        net["private"] = world.subnet(ec2, vpc, f"10.{second}.2.0/24")
    net["igw"] = world.internet_gateway(ec2, vpc)
    ec2.create_route(
        RouteTableId=world.table_of(ec2, net["public"]),
        DestinationCidrBlock="0.0.0.0/0",
        GatewayId=net["igw"],
    )
    return net | {"cidr": f"10.{second}"}


def public_web_private_db(ec2: Any, web_ports: tuple[int, ...] = (80, 443)) -> dict[str, str]:
    """`public_private` plus a web server with a public address in the public subnet (TCP
    `web_ports` open to all) and a db server without one in the private subnet (5432 open)."""
    net = public_private(ec2)
    web_group = world.open_group(ec2, net["vpc"], "web", web_ports)
    web = world.instance(ec2, net["public"], web_group, public=True)
    db = world.instance(ec2, net["private"], world.open_group(ec2, net["vpc"], "db", (5432,)))
    return net | {"web": web, "db": db}


def open_port_to_world(ec2: Any, group: str, port: int) -> str:
    """Authorize TCP `port` from 0.0.0.0/0 on an existing group; the new rule's id."""
    out = ec2.authorize_security_group_ingress(
        GroupId=group, IpProtocol="tcp", FromPort=port, ToPort=port, CidrIp="0.0.0.0/0"
    )
    return str(out["SecurityGroupRules"][0]["SecurityGroupRuleId"])


Asgi = Callable[..., Awaitable[None]]


def asgi_request(
    app: Asgi, method: str, path: str, *, authorization: str, query: bytes = b""
) -> tuple[int, bytes]:
    """One HTTP request driven through an ASGI app in-process (no socket): status and body."""
    sent: list[MutableMapping[str, Any]] = []

    async def receive() -> MutableMapping[str, Any]:
        return {"type": "http.request", "body": b"", "more_body": False}

    async def send(message: MutableMapping[str, Any]) -> None:
        sent.append(message)

    scope = {
        "type": "http",
        "method": method,
        "path": path,
        "query_string": query,
        "headers": [(b"authorization", authorization.encode())],
    }
    asyncio.run(app(scope, receive, send))
    return sent[0]["status"], b"".join(m.get("body", b"") for m in sent[1:])
