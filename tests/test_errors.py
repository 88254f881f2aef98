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


def test_client_input_that_reaches_postgresql_is_422() -> None:
    for name in (
        "psycopg2.errors.InvalidTextRepresentation",
        "psycopg2.errors.InvalidRowCountInLimitClause",
    ):
        err = from_odoo(name, 'invalid input syntax for type integer: "base.main_partner"')
        assert err.status == 422 and err.type == "invalid_parameters"
