"""``ir.attachment``: files stored as base64 ``datas``, with Odoo's computed facts.

``mimetype`` comes from the values, else the file name, else the content's magic
bytes (``text/plain`` for UTF-8 text); ``file_size`` is the decoded length and
``checksum`` the SHA-1 of the content. Access follows Odoo's rule: an attachment
of a record is readable by who may read the record and changed by who may
write it; an attachment of no record belongs to its creator (and to everyone
when ``public``).
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import mimetypes
from typing import Any, ClassVar

from . import schema
from .errors import ValidationError
from .orm import BaseModel

schema.register(
    "ir.attachment",
    [
        ("name", "char", "Name", "q", None),
        ("description", "text", "Description", "", None),
        ("res_name", "char", "Resource Name", "r", None),
        ("res_model", "char", "Resource Model", "", None),
        ("res_field", "char", "Resource Field", "", None),
        ("res_id", "integer", "Resource ID", "", None),
        ("company_id", "many2one", "Company", "", "res.company"),
        ("type", "selection", "Type", "q", [["url", "URL"], ["binary", "File"]]),
        ("url", "char", "Url", "", None),
        ("public", "boolean", "Is public document", "", None),
        ("access_token", "char", "Access Token", "", None),
        ("datas", "binary", "File Content (base64)", "", None),
        ("store_fname", "char", "Stored Filename", "", None),
        ("file_size", "integer", "File Size", "r", None),
        ("checksum", "char", "Checksum/SHA1", "r", None),
        ("mimetype", "char", "Mime Type", "", None),
    ],
)

_MAGIC = (
    (b"\x89PNG\r\n\x1a\n", "image/png"),
    (b"\xff\xd8\xff", "image/jpeg"),
    (b"GIF87a", "image/gif"),
    (b"GIF89a", "image/gif"),
    (b"%PDF-", "application/pdf"),
    (b"PK\x03\x04", "application/zip"),
)
_WRITE_OPS = frozenset({"write", "create", "unlink"})


def decode(datas: Any) -> bytes:
    """The bytes of a base64 value (``b""`` when empty); bad base64 is a ValidationError."""
    if not datas:
        return b""
    try:
        return base64.b64decode(str(datas), validate=False)
    except (binascii.Error, ValueError) as exc:
        raise ValidationError(f"The attachment content is not valid base64: {exc}") from exc


def guess_mimetype(name: Any, raw: bytes) -> str:
    guessed = mimetypes.guess_type(str(name))[0] if name else None
    if guessed:
        return guessed
    for magic, kind in _MAGIC:
        if raw.startswith(magic):
            return kind
    try:
        raw.decode("utf-8")
    except UnicodeDecodeError:
        return "application/octet-stream"
    return "text/plain" if raw else "application/octet-stream"


class IrAttachment(BaseModel):
    _name = "ir.attachment"
    _description = "Attachment"
    _order = "id desc"
    #: The recorded database's next attachment id (``create`` answered ``928``).
    _first_id = 928
    _field_options: ClassVar[dict[str, dict[str, Any]]] = {
        "display_name": {"store": False},  # the name, as in Odoo (never stored)
        "type": {"default": "binary"},
        "res_name": {"store": False},
        "company_id": {"default": 1},
    }

    def _compute_res_name(self, rid: int) -> str | bool:
        row = self.rows[rid]
        target = self.env.get(str(row.get("res_model") or ""))
        if target is None or not row.get("res_id") or row["res_id"] not in target.rows:
            return False
        return target.sudo().display_name(int(row["res_id"]))

    def _complete_vals(self, vals: dict[str, Any]) -> None:
        _fill_content_facts(vals)

    def _after_write(self, vals: dict[str, Any]) -> None:
        if "datas" not in vals and "name" not in vals:
            return
        for rid in self.ids:
            facts = {"datas": self.rows[rid].get("datas"), "name": self.rows[rid].get("name")}
            if "mimetype" in vals:
                facts["mimetype"] = vals["mimetype"]
            _fill_content_facts(facts, force="datas" in vals)
            for fname in ("file_size", "checksum", "mimetype"):
                if fname in facts:
                    self.store.set(self._name, rid, fname, facts[fname])

    def _check_insert(self, rid: int, vals: dict[str, Any]) -> None:
        self._check_target(vals, "write")

    @classmethod
    def acl_allows(cls, profile: str, operation: str) -> bool:
        """Every internal user may use attachments; the records decide (record rules)."""
        return profile in ("system", "user", "nosales")

    def _check_target(self, row: dict[str, Any], operation: str) -> None:
        if self.env.su:
            return
        target = self.env.get(str(row.get("res_model") or ""))
        if target is None or not row.get("res_id"):
            return
        record = target.browse([int(row["res_id"])])
        record.check_access_operation("write" if operation in _WRITE_OPS else "read")
        record.check_rules("write" if operation in _WRITE_OPS else "read")

    def _allowed_ids(self, operation: str) -> set[int] | None:
        if self.env.su or self.env.profile == "system":
            return None
        wanted = "write" if operation in _WRITE_OPS else "read"
        allowed: set[int] = set()
        for rid, row in self.rows.items():
            target = self.env.get(str(row.get("res_model") or ""))
            if target is not None and row.get("res_id"):
                if target.browse([int(row["res_id"])]).has_access(wanted):
                    allowed.add(rid)
            elif row.get("create_uid") == self.env.uid or (wanted == "read" and row.get("public")):
                allowed.add(rid)
        return allowed


def _fill_content_facts(vals: dict[str, Any], *, force: bool = True) -> None:
    raw = decode(vals.get("datas"))
    if force or "file_size" not in vals:
        vals["file_size"] = len(raw)
        vals["checksum"] = hashlib.sha1(raw, usedforsecurity=False).hexdigest() if raw else False
    if not vals.get("mimetype"):
        vals["mimetype"] = guess_mimetype(vals.get("name"), raw)
