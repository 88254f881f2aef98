"""Mapping Odoo's error names to the gateway's exception tree."""

from __future__ import annotations

from odoo_restful.errors import UnknownMethod, UnknownModel, from_odoo

NOT_FOUND = "werkzeug.exceptions.NotFound"


def test_json2_not_found_tells_model_from_method() -> None:
    assert isinstance(from_odoo(NOT_FOUND, "the model 'no.such' does not exist"), UnknownModel)
    assert isinstance(
        from_odoo(NOT_FOUND, "The method 'res.partner.nope' does not exist"), UnknownMethod
    )
    # a model whose name holds "method" is still a model
    missing = from_odoo(NOT_FOUND, "the model 'account.payment.method.line' does not exist")
    assert isinstance(missing, UnknownModel)
    assert missing.message == "model 'account.payment.method.line' does not exist"
