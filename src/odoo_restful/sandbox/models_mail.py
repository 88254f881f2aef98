"""A minimal chatter: ``mail.message`` and ``message_post`` on the documents that have one.

``message_post`` is keyword-only in Odoo 19 and answers the new message id as a
one-element list (recorded: ``[441]``). Posting needs write access to the
document (Odoo's default ``_mail_post_access``), so a salesperson may post on
their own orders; the message itself is created with sudo.
"""

from __future__ import annotations

from typing import Any, ClassVar, cast

from . import api, crud, schema
from .orm import BaseModel

_MESSAGE_TYPES = [
    ["email", "Incoming Email"],
    ["comment", "Comment"],
    ["email_outgoing", "Outgoing Email"],
    ["notification", "System notification"],
    ["auto_comment", "Automated Targeted Notification"],
    ["user_notification", "User Specific Notification"],
]

schema.register(
    "mail.message",
    [
        ("subject", "char", "Subject", "", None),
        ("date", "datetime", "Date", "", None),
        ("body", "html", "Contents", "", None),
        ("model", "char", "Related Document Model", "", None),
        ("res_id", "integer", "Related Document ID", "", None),
        ("record_name", "char", "Message Record Name", "r", None),
        ("message_type", "selection", "Type", "q", _MESSAGE_TYPES),
        ("author_id", "many2one", "Author", "", "res.partner"),
        ("partner_ids", "many2many", "Recipients", "", "res.partner"),
    ],
)


class MailMessage(BaseModel):
    _name = "mail.message"
    _description = "Message"
    _order = "id desc"
    _rec_name = "record_name"
    #: The recorded database's next message id (``message_post`` answered ``[441]``).
    _first_id = 441
    _field_options: ClassVar[dict[str, dict[str, Any]]] = {
        "display_name": {"store": False},  # computed, as in Odoo (never stored)
        "message_type": {"default": "comment"},
    }

    def _compute_display_name(self, rid: int) -> str:
        return str(self.value(rid, "subject") or self.value(rid, "record_name") or "")

    def _rule_domain(self, operation: str) -> list[Any] | None:
        """A message is visible to who may read its document (authors see their own)."""
        if self.env.profile == "system":
            return None
        partner = self.env.user.get("partner_id") or 0
        visible = [
            rid
            for rid, row in self.rows.items()
            if row.get("author_id") == partner or _document_readable(self, row)
        ]
        return [("id", "in", visible)]


def _document_readable(model: BaseModel, row: dict[str, Any]) -> bool:
    document = model.env.get(str(row.get("model") or ""))
    if document is None or not row.get("res_id"):
        return False
    records = document.browse([int(row["res_id"])])
    return bool(records.has_access("read"))


class MailThread:
    """Mixin of the models with a chatter (Odoo's ``mail.thread``)."""

    @api.records
    def message_post(
        self,
        *,
        body: str = "",
        subject: str | None = None,
        message_type: str = "notification",
        partner_ids: list[int] | None = None,
        **_kwargs: Any,
    ) -> list[int]:
        records = cast(BaseModel, self)
        records.check_access_operation("write")
        crud.check_existing(records)
        records.check_rules("write")
        partner = records.env.user.get("partner_id") or False
        messages = records.env.sudo()["mail.message"]
        values = [
            {
                "subject": subject or False,
                "body": body or False,
                "model": records._name,
                "res_id": rid,
                "record_name": records.sudo().display_name(rid),
                "message_type": message_type,
                "author_id": partner,
                "date": records.env.registry.timestamp(),
                "partner_ids": list(partner_ids or []),
            }
            for rid in records.ids
        ]
        return messages.create(values)
