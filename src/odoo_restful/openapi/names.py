"""Component names for models, unique and clear of the shared components' names."""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Final

from .components import shared_schemas

_SUFFIXES: Final = ("", "Create", "Write", "Fields", "Domain")


def component_names(models: Iterable[str]) -> dict[str, str]:
    """``res.partner`` -> ``ResPartner``; unique even when two models collapse alike.

    Each model also owns ``<name>Create``, ``<name>Write``, ``<name>Fields`` and
    ``<name>Domain``: no name is handed out that would clash with one of those.
    """
    out: dict[str, str] = {}
    used: set[str] = set(_RESERVED)
    for model in models:
        base = "".join(part[:1].upper() + part[1:] for part in re.split(r"[._]", model) if part)
        base = base or "Model"
        name, n = base, 2
        while any(name + suffix in used for suffix in _SUFFIXES):
            name, n = f"{base}{n}", n + 1
        used.update(name + suffix for suffix in _SUFFIXES)
        out[model] = name
    return out


# The shared components' own names, so a model never takes one of them.
_RESERVED: Final = frozenset(shared_schemas())
