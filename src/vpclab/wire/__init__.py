"""Generic AWS Query/EC2 wire codec driven by botocore's service models (knows no VPCs)."""

from vpclab.wire.errors import WireError
from vpclab.wire.query import MAX_LIST_MEMBERS, MAX_PARAMETERS, decode_form, parse_params
from vpclab.wire.service_model import operation_model, service_model
from vpclab.wire.xml import serialize_error, serialize_result

__all__ = [
    "MAX_LIST_MEMBERS",
    "MAX_PARAMETERS",
    "WireError",
    "decode_form",
    "operation_model",
    "parse_params",
    "serialize_error",
    "serialize_result",
    "service_model",
]
