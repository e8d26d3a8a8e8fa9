"""Test helpers: boto3 clients wired straight into an in-process vpclab, no sockets."""

from __future__ import annotations

from typing import Any

import boto3
from botocore.config import Config

from vpclab.api.dispatch import Api
from vpclab.network import answer_in_process

NO_RETRIES = Config(retries={"total_max_attempts": 1, "mode": "standard"})
# One session for every client: it loads each service model once (a client costs ~20 ms, not ~600).
_SESSION = boto3.session.Session()


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
