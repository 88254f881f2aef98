"""Request bodies (JSON or form) and the merge of query, body and header parameters."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qsl

import orjson

from ..errors import BadRequest
from .limits import MAX_DEPTH, MAX_FORM_FIELDS
from .literal import check_depth, check_json_integers

# --- body and sources ---------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Body:
    """A decoded request body.

    ``fields`` holds a JSON object or a form's fields; ``items`` holds a top-level
    JSON array (e.g. a list of records to create) and is None otherwise, so that a
    caller can tell ``[]`` from "no array at all".
    """

    fields: dict[str, Any] = field(default_factory=dict)
    items: list[Any] | None = None


def _media_type(content_type: str | None) -> str:
    if not content_type:
        return ""
    return content_type.split(";", 1)[0].strip().lower()


def decode_body(
    raw: bytes,
    content_type: str | None,
    *,
    max_depth: int = MAX_DEPTH,
    max_form_fields: int = MAX_FORM_FIELDS,
) -> Body:
    """Decode a request body by what it contains rather than by its content type.

    The seed sends JSON under ``application/x-www-form-urlencoded`` and form bodies
    on GET, so: an empty body gives an empty Body; a body starting with ``{`` or
    ``[`` (or labelled JSON) must be JSON; anything else must be form-encoded.
    In a form, every value is a string and a repeated key follows :func:`single_values`.
    Multipart bodies are refused.
    """
    stripped = raw.strip()
    if not stripped:
        return Body()
    media = _media_type(content_type)
    if media.startswith("multipart/"):
        raise BadRequest(
            "multipart bodies are not supported: send JSON or application/x-www-form-urlencoded"
        )
    is_json_media = media == "application/json" or media.endswith("+json")
    if stripped[:1] in (b"{", b"[") or is_json_media:
        try:
            data = orjson.loads(stripped)
        except orjson.JSONDecodeError as exc:
            raise BadRequest(f"body is not valid JSON: {str(exc)[:200]}") from None
        if check_depth(data, what="body", max_depth=max_depth):
            check_json_integers(stripped, what="body")
        if isinstance(data, dict):
            return Body(fields=data)
        if isinstance(data, list):
            return Body(items=data)
        raise BadRequest("JSON body must be an object or an array")
    try:
        text = stripped.decode("utf-8")
    except UnicodeDecodeError:
        raise BadRequest("body is not valid UTF-8") from None
    if text.count("&") >= max_form_fields:
        raise BadRequest(f"form body has too many fields (max {max_form_fields})")
    try:
        pairs = parse_qsl(
            text,
            keep_blank_values=True,
            strict_parsing=True,
            encoding="utf-8",
            errors="strict",
        )
    except ValueError:
        raise BadRequest(
            "body is neither JSON nor a form (application/x-www-form-urlencoded)"
        ) from None
    return Body(fields=single_values(pairs, where="form field"))


#: Parameters that hold a list of names or ids: ``fields=a&fields=b`` (as some generated
#: clients send an array) means ``fields=a,b``.
LIST_PARAMETERS = frozenset({"fields", "ids", "models"})


def single_values(pairs: Iterable[tuple[str, str]], *, where: str = "parameter") -> dict[str, str]:
    """One value per name: a repeated list parameter is merged, any other is a 400.

    Keeping only the last value (what a plain mapping does) would silently drop what
    the client sent.
    """
    out: dict[str, str] = {}
    for name, value in pairs:
        if name not in out:
            out[name] = value
            continue
        if name not in LIST_PARAMETERS:
            raise BadRequest(f"{where} {name!r} given more than once")
        if value.strip()[:1] in ("[", "(") or out[name].strip()[:1] in ("[", "("):
            raise BadRequest(
                f"{where} {name!r} given more than once: repeat it with one item each "
                "(or send one comma-separated or JSON list)"
            )
        out[name] = f"{out[name]},{value}"
    return out


def merge_sources(
    query: Mapping[str, str],
    body: Body,
    headers: Mapping[str, str] | None = None,
    header_names: Iterable[str] = (),
) -> dict[str, Any]:
    """One parameter mapping from the places the seed lets a client use.

    Precedence, lowest first: the listed headers, then the query string, then the
    body's fields (the body is the most deliberate source and the one the seed
    uses). A header is looked up case-insensitively and stored under its name
    lower-cased with ``-`` turned into ``_`` (``access-token`` -> ``access_token``),
    so it meets the same parameter sent in the query or body. A top-level JSON
    array (``body.items``) is not merged.
    """
    merged: dict[str, Any] = {}
    names = list(header_names)
    if headers is not None and names:
        lowered = {key.lower(): value for key, value in headers.items()}
        for name in names:
            value = lowered.get(name.lower())
            if value is not None:
                merged[name.lower().replace("-", "_")] = value
    merged.update(query)
    merged.update(body.fields)
    return merged
