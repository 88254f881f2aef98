"""Regenerate ``data/fields_*.json`` from the Odoo 19 wire recordings.

Run from the repository root (or anywhere)::

    python src/odoo_restful/sandbox/_build_fields.py [path/to/odoo-wire]

The recordings directory defaults to ``$ODOO_WIRE_DIR`` or ``../shared/odoo-wire``
next to the repository. The generated JSON files are the shipped data: the sandbox
never reads the recordings at runtime.

Each output file holds ``{"model": ..., "fields": {name: attributes}}`` in Odoo's
field order. ``attributes`` are the six recorded ones (type, string, required,
readonly, relation, selection); the fields that were also recorded with every
attribute (``fields_get`` without ``attributes``) carry that full set instead.
For res.partner that is every field, from the second batch of recordings
(``../shared/odoo-wire-19b``, same modules: its six attributes equal the first
batch's), which also shows each field's ``groups``.
"""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path
from typing import Any

_HERE = Path(__file__).resolve().parent
_SOURCES = {
    "res.partner": "jsonrpc_fields_get_partner.json",
    "sale.order": "jsonrpc_fields_get_sale_order.json",
}
_FULL_ATTRIBUTES = {
    "res.partner": "../odoo-wire-19b/jsonrpc_fields_get_partner_admin_all_attributes.json"
}


def _wire_dir(argv: list[str]) -> Path:
    if len(argv) > 1:
        return Path(argv[1])
    env = os.environ.get("ODOO_WIRE_DIR")
    if env:
        return Path(env)
    return _HERE.parents[3] / "shared" / "odoo-wire"


def _result(path: Path) -> dict[str, Any]:
    with path.open(encoding="utf-8") as fh:
        recording = json.load(fh)
    result = recording["response"]["body"]["result"]
    assert isinstance(result, dict), path
    return result


def build(wire: Path, out_dir: Path) -> list[Path]:
    written = []
    for model, filename in _SOURCES.items():
        fields = _result(wire / filename)
        full_name = _FULL_ATTRIBUTES.get(model)
        if full_name:
            for fname, attrs in _result(wire / full_name).items():
                fields[fname] = attrs
        payload = {
            "model": model,
            "generated_from": [filename] + ([full_name] if full_name else []),
            "fields": {name: dict(sorted(attrs.items())) for name, attrs in fields.items()},
        }
        target = out_dir / f"fields_{model.replace('.', '_')}.json"
        target.write_text(_dump(payload), "utf-8")
        written.append(target)
    return written


def _dump(payload: dict[str, Any]) -> str:
    """JSON with one field per line: small diffs when the recordings change."""
    head = {k: v for k, v in payload.items() if k != "fields"}
    lines = [json.dumps(head, ensure_ascii=False)[:-1] + ', "fields": {']
    items = list(payload["fields"].items())
    for i, (name, attrs) in enumerate(items):
        sep = "," if i < len(items) - 1 else ""
        lines.append(f"  {json.dumps(name)}: {json.dumps(attrs, ensure_ascii=False)}{sep}")
    lines.append("}}")
    return "\n".join(lines) + "\n"


def main(argv: list[str]) -> int:
    wire = _wire_dir(argv)
    if not wire.is_dir():
        print(f"recordings directory not found: {wire}", file=sys.stderr)
        return 1
    for path in build(wire, _HERE / "data"):
        print(f"wrote {path}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv))
