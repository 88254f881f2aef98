"""Issue #11, parsing: integers beyond 64 bits are refused (never silently floats), Python's
own exception text never reaches a client, and one request's parsing has a total budget."""

from __future__ import annotations

import pytest

from odoo_restful import params
from odoo_restful.errors import BadRequest, InvalidParameters, from_odoo

BIG = "123456789012345678901234567890"


@pytest.mark.parametrize(
    "body",
    [
        b'{"name": "x", "color": ' + BIG.encode() + b"}",
        b'{"a": [1, 2, {"b": -' + BIG.encode() + b"}]}",
        b"[" + BIG.encode() + b"]",
        b'{"n": 18446744073709551616}',  # 2**64
    ],
)
def test_json_body_integers_beyond_64_bits_are_refused(body: bytes) -> None:
    with pytest.raises(BadRequest, match="64 bits"):
        params.decode_body(body, "application/json")


@pytest.mark.parametrize(
    "text", [f'[["id", "=", {BIG}]]', BIG, f"[{BIG}]", f"[('id', '=', {BIG})]"]
)
def test_literal_integers_beyond_64_bits_are_refused(text: str) -> None:
    with pytest.raises(BadRequest, match="out of range"):
        params.parse_literal(text, what="domain")


def test_floats_and_64_bit_integers_still_pass() -> None:
    body = params.decode_body(
        b'{"a": 1e300, "b": 18446744073709551615, "c": -9223372036854775808, "d": 1.5e19}',
        "application/json",
    )
    assert body.fields == {
        "a": 1e300,
        "b": 2**64 - 1,
        "c": -(2**63),
        "d": 1.5e19,
    }
    assert params.parse_literal("[1e20, 2.5]", what="x") == [1e20, 2.5]


@pytest.mark.parametrize(
    "message",
    [
        "BaseModel.read() takes from 1 to 3 positional arguments but 301 were given",
        "BaseModel.read() got an unexpected keyword argument 'bogus'",
        "write() missing 1 required positional argument: 'vals'",
        "f() got multiple values for argument 'ids'",
    ],
)
def test_signature_type_errors_are_not_passed_verbatim(message: str) -> None:
    err = from_odoo("builtins.TypeError", message)
    assert isinstance(err, InvalidParameters)
    assert err.message == "the arguments do not match the method's signature"
    assert "BaseModel" not in err.message


def test_other_type_errors_keep_their_message() -> None:
    err = from_odoo("builtins.TypeError", "unsupported operand for 'name'")
    assert err.message == "unsupported operand for 'name'"
