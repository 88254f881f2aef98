"""Every model of the recorded Odoo database, including those the sandbox does not have.

Sandbox models have fields pointing at models the sandbox does not implement
(``res.partner.rtc_session_ids`` -> ``discuss.channel.rtc.session``). Whether a user
may read such a co-model decides whether reading the field fails, as on Odoo, so
the sandbox keeps the recorded facts in ``data/ir_model.json``: each model's
description and flags, and which models each ordinary profile may read (the
``get_available_models`` answers recorded for demo and nosales).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import cache
from importlib import resources
from typing import Any


@dataclass(frozen=True, slots=True)
class ModelInfo:
    id: int
    model: str
    name: str
    transient: bool
    abstract: bool
    access_ids: tuple[int, ...]


@cache
def _data() -> dict[str, Any]:
    text = (resources.files("odoo_restful.sandbox") / "data" / "ir_model.json").read_text("utf-8")
    data: dict[str, Any] = json.loads(text)
    return data


@cache
def models() -> dict[str, ModelInfo]:
    """model name -> facts, in the recorded order (by model name)."""
    result = {}
    for rid, model, name, transient, abstract, access_ids in _data()["rows"]:
        result[model] = ModelInfo(rid, model, name, transient, abstract, tuple(access_ids))
    return result


def description(model: str) -> str | None:
    info = models().get(model)
    return info.name if info else None


@cache
def _readable(profile: str) -> tuple[str, ...]:
    if profile == "system":
        return tuple(m for m, info in models().items() if not info.abstract)
    listed: list[str] = _data()["readable"].get(profile, [])
    return tuple(listed)


def readable_models(profile: str) -> tuple[str, ...]:
    """The models a user of ``profile`` may read, in the order Odoo listed them."""
    return _readable(profile)


@cache
def _readable_set(profile: str) -> frozenset[str]:
    return frozenset(_readable(profile))


def may_read(profile: str, model: str) -> bool:
    """Read access of ``profile`` on a model the sandbox does not implement."""
    return model in _readable_set(profile)


def languages() -> list[list[str]]:
    """``db.list_lang``: ``[code, name]`` of every language Odoo knows."""
    return [list(pair) for pair in _data()["languages"]]
