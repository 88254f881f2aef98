"""A small in-memory ORM shaped like Odoo's: registry, environment, models.

A model instance is a recordset: an environment (user, context) and a tuple of
ids. The public methods (marked with :mod:`.api`) are what RPC calls reach:
``search``, ``read``, ``create``... Creation, writing and deletion live in
:mod:`.crud`; the model classes are in :mod:`.models_base` and :mod:`.models_sale`.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field, replace
from datetime import datetime
from typing import Any, ClassVar, Self

from . import access, api, catalog, copying, crud, groups, profiles, read_group
from .domain import Junction, Leaf, Node, Not, Table, and_, compile_domain, mentions, parse
from .errors import AccessError, InvalidRowCountInLimitClause
from .fields import MISSING, X2MANY, Field, describe, filter_attributes, to_read
from .ordering import Term, parse_order, sort_ids
from .schema import load_fields
from .store import Row, Store
from .web_base import Base


class Registry:
    """The models of one database and its data."""

    def __init__(self, classes: Iterable[type[BaseModel]], now: Callable[[], datetime]) -> None:
        self.store = Store()
        self.now = now
        self.models: dict[str, type[BaseModel]] = {cls._name: cls for cls in classes}
        #: model -> [(model, field)] of stored many2one/many2many fields pointing at it
        self.inbound: dict[str, list[tuple[str, Field]]] = {}
        for name, cls in self.models.items():
            self.store.table(name)
            for fld in cls.fields().values():
                if fld.related or fld.m2m_of or not fld.store or fld.relation not in self.models:
                    continue
                if fld.type in ("many2one", "many2many"):
                    self.inbound.setdefault(fld.relation or "", []).append((name, fld))

    def timestamp(self) -> str:
        return self.now().strftime("%Y-%m-%d %H:%M:%S")


@dataclass(frozen=True)
class Env:
    registry: Registry
    uid: int
    context: dict[str, Any] = field(default_factory=dict)
    su: bool = False
    #: True when called through a web session (``/web/dataset/call_kw``).
    http_session: bool = False

    def __getitem__(self, model: str) -> BaseModel:
        return self.registry.models[model](self)

    def get(self, model: str) -> BaseModel | None:
        cls = self.registry.models.get(model)
        return cls(self) if cls is not None else None

    def sudo(self) -> Env:
        return replace(self, su=True)

    def with_context(self, **values: Any) -> Env:
        return replace(self, context={**self.context, **values})

    def with_extra_context(self, context: Any) -> Env:
        """This environment with a client-supplied ``context`` merged in (ignored unless a dict)."""
        return (
            replace(self, context={**self.context, **context})
            if isinstance(context, dict)
            else self
        )

    @property
    def user(self) -> Row:
        return self.registry.store.table("res.users").get(self.uid, {})

    @property
    def profile(self) -> str:
        return str(self.user.get("_profile", "system" if self.uid == 1 else "nosales"))

    @property
    def active_test(self) -> bool:
        return bool(self.context.get("active_test", True))

    def can(self, model: str, operation: str) -> bool:
        """ACL: may this user do ``operation`` on ``model`` (sandbox model or not)?"""
        if self.su:
            return True
        cls = self.registry.models.get(model)
        if cls is not None:
            return cls.acl_allows(self.profile, operation)
        return access.allowed_external(self.profile, model, operation)

    def acl_error(self, model: str, operation: str) -> AccessError:
        cls = self.registry.models.get(model)
        if cls is not None:
            return access.acl_error(model, cls._description, operation)
        name = catalog.description(model) or model
        return access.acl_error(model, name, operation, external=True)

    def check_companies(self) -> None:
        """``allowed_company_ids`` in the context must be companies of the user.

        Odoo checks it when ``env.companies`` is first used (record rules, defaults...),
        which nearly every call does; the sandbox checks it on every access check.
        """
        wanted = self.context.get("allowed_company_ids")
        if self.su or not wanted:
            return
        mine = self.user.get("company_ids") or []
        if not isinstance(wanted, list) or any(cid not in mine for cid in wanted):
            raise AccessError("Access to unauthorized or invalid companies.")

    def display_name(self, model: str, rid: int) -> str | None:
        """The name shown for a many2one value (None if the record is gone)."""
        target = self.get(model)
        if target is None:
            return f"{model},{rid}"
        if rid not in target.rows:
            return None
        return target.sudo().display_name(rid)


class BaseModel(Base):
    """Generic behaviour of every model; subclasses set ``_name`` and their quirks."""

    _name: ClassVar[str]
    _description: ClassVar[str]
    _order: ClassVar[str] = "id"
    _rec_name: ClassVar[str | None] = "name"
    _parent_name: ClassVar[str | None] = None
    #: Fields with a sandbox default that Odoo computes instead: ``default_get`` omits them.
    _computed_defaults: ClassVar[frozenset[str]] = frozenset()
    #: Fields ``name_search`` matches (``display_name`` when empty).
    _rec_names_search: ClassVar[tuple[str, ...]] = ()
    #: Sandbox behaviour added to the recorded field attributes, per field name.
    _field_options: ClassVar[dict[str, dict[str, Any]]] = {}
    _fields_cache: ClassVar[dict[int, dict[str, Field]]]
    _order_cache: ClassVar[list[Term]]

    def __init__(self, env: Env, ids: Iterable[int] = ()) -> None:
        self.env = env
        self.ids: tuple[int, ...] = tuple(ids)

    def __repr__(self) -> str:
        return f"{self._name}{self.ids!r}"

    # --- definitions ---

    @classmethod
    def fields(cls) -> dict[str, Field]:
        profile = profiles.current()
        by_version = cls.__dict__.get("_fields_cache")
        if by_version is None:
            by_version = cls._fields_cache = {}
        cached = by_version.get(profile.major)
        if cached is None:
            cached = {}
            # options are keyed by the 19 names: a field renamed or dropped here follows
            dropped = profile.dropped_fields.get(cls._name, frozenset())
            wanted = {
                profile.field_name(cls._name, fname): opts
                for fname, opts in cls._field_options.items()
                if fname not in dropped
            }
            for fld in profile.adapt_fields(cls._name, load_fields(cls._name)):
                options = wanted.get(fld.name, {})
                cached[fld.name] = replace(fld, **options) if options else fld
            for fname in wanted:
                if fname not in cached:
                    raise KeyError(f"{cls._name}: options for unknown field {fname!r}")
            for fld in cached.values():
                if not fld.store and not _has_source(cls, fld):
                    raise TypeError(f"{cls._name}.{fld.name} is computed but has no compute")
            by_version[profile.major] = cached
        return cached

    @property
    def rows(self) -> dict[int, Row]:
        return self.env.registry.store.tables[self._name]

    @property
    def store(self) -> Store:
        return self.env.registry.store

    def browse(self, ids: Iterable[int] | int) -> Self:
        return type(self)(self.env, (ids,) if isinstance(ids, int) else ids)

    def sudo(self) -> Self:
        return type(self)(self.env.sudo(), self.ids)

    def with_env(self, env: Env) -> Self:
        return type(self)(env, self.ids)

    # --- the Table protocol used by domains and ordering ---

    @property
    def model_name(self) -> str:
        return self._name

    @property
    def parent_name(self) -> str | None:
        return self._parent_name

    def get_field(self, name: str) -> Field | None:
        return self.fields().get(name)

    def table(self, model: str) -> Table | None:
        """A co-model, with this user's rights (sub-searches of domains)."""
        return self.env.get(model)

    def all_ids(self, active_test: bool) -> Iterable[int]:
        """Every id a search of this user may see (ACL checked, record rules applied)."""
        self.check_access_operation("read")
        allowed = self._allowed_ids("read")
        ids = [rid for rid in self.rows if allowed is None or rid in allowed]
        if active_test and "active" in self.fields():
            return [rid for rid in ids if self.value(rid, "active")]
        return ids

    def value(self, rid: int, fname: str) -> Any:
        """The cache value of field ``fname`` of record ``rid`` (computed if need be)."""
        if fname == "id":
            return rid
        fld = self.fields()[fname]
        if fld.related:
            return self._related_value(rid, fld.related)
        if fld.type == "one2many":
            return self._one2many_value(rid, fld)
        if fld.m2m_of:
            model, other = fld.m2m_of
            return sorted(
                oid for oid, row in self.store.tables[model].items() if rid in row.get(other, ())
            )
        if not fld.store:
            compute: Callable[[int], Any] = getattr(self, f"_compute_{fname}")
            return compute(rid)
        value = self.rows[rid].get(fname, MISSING)
        return fld.empty() if value is MISSING else value

    def display_name(self, rid: int) -> str:
        return str(self.value(rid, "display_name"))

    def _compute___last_update(self, rid: int) -> Any:
        """Odoo <= 16's magic field (see :mod:`.profiles`)."""
        return self.value(rid, "write_date") or self.value(rid, "create_date")

    def _compute_display_name(self, rid: int) -> str:
        if self._rec_name and self._rec_name in self.fields():
            name = self.value(rid, self._rec_name)
            if name:
                return str(name)
        return f"{self._name},{rid}"

    def _related_value(self, rid: int, path: tuple[str, ...]) -> Any:
        model: BaseModel = self.sudo()
        value: Any = rid
        for step in path:
            if not value:
                break
            if isinstance(value, list):
                value = value[0] if value else False
                if not value:
                    break
            fld = model.fields()[step]
            value = model.value(value, step)
            if fld.relation and step != path[-1]:
                model = self.env.sudo()[fld.relation]
        if value is False or value is None or value == []:
            return self.fields()[path[-1]].empty() if path[-1] in self.fields() else False
        return value

    def _one2many_value(self, rid: int, fld: Field) -> list[int]:
        comodel = self.env.get(fld.relation or "")
        if comodel is None or not fld.inverse_name:
            return []
        inverse = fld.inverse_name
        active = self.env.active_test and "active" in comodel.fields()
        ids = [
            cid
            for cid, row in comodel.rows.items()
            if row.get(inverse) == rid and (not active or row.get("active", True))
        ]
        return comodel.ordered(ids)

    def ordered(self, ids: Iterable[int]) -> list[int]:
        return sort_ids(self, ids, self._default_order())

    @classmethod
    def _default_order(cls) -> list[Term]:
        cached = cls.__dict__.get("_order_cache")
        if cached is None:
            cached = parse_order(cls._order, cls(_NO_ENV))
            cls._order_cache = cached
        return cached

    # --- access control ---

    @classmethod
    def acl_allows(cls, profile: str, operation: str) -> bool:
        """The model's access rights (ACL) for a user profile; models may override it."""
        return access.allowed(profile, cls._name, operation)

    def check_access_operation(self, operation: str) -> None:
        if self.env.su:
            return
        self.env.check_companies()
        if self.acl_allows(self.env.profile, operation):
            return
        raise access.acl_error(self._name, self._description, operation)

    def check_field_access(self, fname: str, operation: str = "read") -> None:
        """A field restricted to groups the user lacks cannot be read, searched or written."""
        spec = self._field_groups(fname)
        if self.env.su or groups.has_groups(self.env.profile, spec):
            return
        raise groups.field_error(
            self._name, self._description, fname, spec or "", self.env.uid, operation
        )

    def _check_path_access(self, path: str) -> None:
        """Every field of a domain path (``partner_id.credit_limit``) must be accessible."""
        model: BaseModel | None = self
        for part in path.split("."):
            fld = model.fields().get(part) if model is not None else None
            if model is None or fld is None:
                return  # unknown fields: the domain's own error
            model.check_field_access(part)
            model = self.env.get(fld.relation) if fld.relation else None

    def _field_groups(self, fname: str) -> str | None:
        fld = self.fields().get(fname)
        spec = fld.recorded.get("groups") if fld is not None else None
        return spec if isinstance(spec, str) else None

    def visible_fields(self) -> list[str]:
        """The fields this user may see (``fields_get``, the default field list)."""
        if self.env.su:
            return list(self.fields())
        profile = self.env.profile
        return [f for f in self.fields() if groups.has_groups(profile, self._field_groups(f))]

    def _rule_domain(self, operation: str) -> list[Any] | None:
        """Record rule of the current user for ``operation`` (None: no restriction)."""
        return None

    def _allowed_ids(self, operation: str) -> set[int] | None:
        if self.env.su:
            return None
        domain = self._rule_domain(operation)
        if domain is None:
            return None
        predicate = compile_domain(domain, self.sudo())
        return {rid for rid in self.rows if predicate(rid)}

    def check_rules(self, operation: str) -> None:
        allowed = self._allowed_ids(operation)
        if allowed is not None and any(rid not in allowed for rid in self.ids):
            user = self.env.user
            partners = self.env.sudo()["res.partner"]
            partner = user.get("partner_id", 0)
            # the user's name (recorded "Marc Demo"), not the contact's "YourCompany, Marc Demo"
            name = str(partners.value(partner, "name") or "") if partner in partners.rows else ""
            raise access.rule_error(name, self.env.uid, self._name, self._description, operation)

    # --- search ---

    def search_ids(
        self,
        domain: Any,
        offset: int = 0,
        limit: int | None = None,
        order: str | None = None,
    ) -> list[int]:
        if limit is not None and not isinstance(limit, bool) and int(limit) < 0:
            raise InvalidRowCountInLimitClause()
        node: Node = parse(domain if domain is not None else [])
        if not self.env.su:
            for path in _leaf_paths(node):
                self._check_path_access(path)
        if self.env.active_test and "active" in self.fields() and not mentions(node, "active"):
            node = and_(Leaf("active", "=", True, ("active", "=", True)), node)
        terms = parse_order(order, self) if order else self._default_order()
        predicate = compile_domain(node, self)
        ids = [rid for rid in self.rows if predicate(rid)]
        allowed = self._allowed_ids("read")
        if allowed is not None:
            ids = [rid for rid in ids if rid in allowed]
        ids = sort_ids(self, ids, terms)
        start = int(offset or 0)
        return ids[start : start + int(limit)] if limit else ids[start:]

    @api.model
    def search(
        self, domain: Any, offset: int = 0, limit: int | None = None, order: str | None = None
    ) -> list[int]:
        self.check_access_operation("read")
        return self.search_ids(domain, offset, limit, order)

    @api.model
    def search_count(self, domain: Any, limit: int | None = None) -> int:
        self.check_access_operation("read")
        return len(self.search_ids(domain, limit=limit))

    @api.model
    def search_read(
        self,
        domain: Any = None,
        fields: list[str] | None = None,
        offset: int = 0,
        limit: int | None = None,
        order: str | None = None,
        **read_kwargs: Any,
    ) -> list[dict[str, Any]]:
        self.check_access_operation("read")
        names = self._check_field_names(fields)
        ids = self.search_ids(domain, offset, limit, order)
        unexpected = [key for key in read_kwargs if key != "load"]
        if unexpected:
            raise TypeError(
                f"BaseModel._read_format() got an unexpected keyword argument '{unexpected[0]}'"
            )
        records = self.browse(ids)
        records._check_comodels(names)
        return records._read_rows(names, read_kwargs.get("load", "_classic_read"))

    @api.model
    def name_search(
        self, name: str = "", domain: Any = None, operator: str = "ilike", limit: int = 100
    ) -> list[list[Any]]:
        self.check_access_operation("read")
        leaves: list[Any] = []
        if name:
            names = self._rec_names_search or ("display_name",)
            leaves = ["|"] * (len(names) - 1) + [(fname, operator, name) for fname in names]
        node = parse(domain or [])
        if leaves:
            node = and_(node, parse(leaves))
        ids = self.search_ids(node, limit=limit)
        return [[rid, self.display_name(rid)] for rid in ids]

    # --- read ---

    def _check_field_names(self, fields: Any) -> list[str]:
        if not fields:
            return [name for name in self.visible_fields() if name != "id"]
        if isinstance(fields, str):
            fields = [fields]
        known = self.fields()
        for fname in fields:
            if fname not in known:
                raise profiles.current().unknown_field(self._name, fname, "on")
        for fname in fields:
            self.check_field_access(fname)
        return [fname for fname in fields if fname != "id"]

    def _check_comodels(self, names: list[str]) -> None:
        """Reading an x2many field reads its co-model: the user must be allowed to.

        (A many2one is read as ``[id, display_name]`` with superuser rights, as Odoo does.)
        """
        if self.env.su or not self.ids:
            return
        fields = self.fields()
        for fname in names:
            fld = fields[fname]
            if fld.type in X2MANY and fld.relation and not self.env.can(fld.relation, "read"):
                error = self.env.acl_error(fld.relation, "read")
                raise AccessError(f"Failed to read field {self._name}.{fname}\n{error.message}")

    @api.records
    def read(
        self, fields: list[str] | None = None, load: str | None = "_classic_read"
    ) -> list[dict[str, Any]]:
        self.check_access_operation("read")
        names = self._check_field_names(fields)
        existing = self.browse([rid for rid in self.ids if rid in self.rows])
        existing.check_rules("read")
        existing._check_comodels(names)
        return existing._read_rows(names, load)

    def _read_rows(self, names: list[str], load: str | None) -> list[dict[str, Any]]:
        fields = self.fields()
        bin_size = bool(self.env.context.get("bin_size"))
        classic = load == "_classic_read"
        result = []
        for rid in self.ids:
            record: dict[str, Any] = {"id": rid}
            for fname in names:
                fld = fields[fname]
                value = self.value(rid, fname)
                if fld.type == "many2many" and value:
                    value = self._visible(fld, value)
                record[fname] = to_read(
                    fld, value, self.env.display_name, bin_size=bin_size, classic=classic
                )
            result.append(record)
        return result

    def _visible(self, fld: Field, ids: list[int]) -> list[int]:
        comodel = self.env.get(fld.relation or "")
        if comodel is None:
            return list(ids)
        active = self.env.active_test and "active" in comodel.fields()
        rows = comodel.rows
        present = [i for i in ids if i in rows and (not active or rows[i].get("active", True))]
        return comodel.ordered(present)

    # --- other generic public methods ---

    @api.model
    def fields_get(
        self, allfields: list[str] | None = None, attributes: list[str] | None = None
    ) -> dict[str, dict[str, Any]]:
        has_parent = bool(self._parent_name)
        fields = self.fields()
        result = {}
        for fname in self.visible_fields():
            if allfields and fname not in allfields:
                continue
            desc = describe(fields[fname], self._rec_name, has_parent)
            result[fname] = filter_attributes(desc, attributes)
        return result

    @api.model
    def default_get(self, fields: list[str]) -> dict[str, Any]:
        defaults = crud.defaults(self, [f for f in fields if f in self.fields()])
        return {
            key: value
            for key, value in defaults.items()
            if key in fields and key not in self._computed_defaults
        }

    @api.model
    def check_access_rights(self, operation: str, raise_exception: bool = True) -> bool:
        try:
            self.check_access_operation(operation)
        except AccessError:
            if raise_exception:
                raise
            return False
        return True

    @api.private
    def check_access(self, operation: str) -> None:
        self.check_access_operation(operation)
        self.browse([rid for rid in self.ids if rid in self.rows]).check_rules(operation)

    @api.records
    def name_get(self) -> list[list[Any]]:
        """Odoo <= 16: ``[[id, display name], ...]`` (a missing method on 17+)."""
        self.check_access_operation("read")
        self.check_rules("read")
        return [[rid, self.display_name(rid)] for rid in self.ids]

    @api.records
    def has_access(self, operation: str) -> bool:
        """ACL without ids; ACL then record rules with ids."""
        try:
            self.check_access(operation)
        except AccessError:
            return False
        return True

    @api.records
    def get_external_id(self) -> dict[int, str]:
        """``{id: "module.name"}`` (``""`` without one), read from ir.model.data as superuser."""
        result = dict.fromkeys(self.ids, "")
        rows = self.env.registry.store.tables.get("ir.model.data", {})
        for _xid, row in sorted(rows.items()):
            rid = row.get("res_id")
            if row.get("model") == self._name and rid in result and not result[rid]:
                result[rid] = f"{row.get('module')}.{row.get('name')}"
        return result

    @api.records
    def exists(self) -> list[int]:
        return [rid for rid in self.ids if rid in self.rows]

    @api.model_create
    def create(self, vals_list: Any) -> list[int]:
        return crud.create(self, vals_list)

    @api.records
    def write(self, vals: dict[str, Any]) -> bool:
        return crud.write(self, vals)

    @api.records
    def unlink(self) -> bool:
        return crud.unlink(self)

    @api.model
    def name_create(self, name: str) -> list[Any]:
        if not self._rec_name:
            raise ValueError(f"Cannot create a {self._name} record from its name")
        fname = self._rec_name if self.fields()[self._rec_name].store else "name"
        (rid,) = crud.create(self, [{fname: name}])
        return [rid, self.display_name(rid)]

    @api.records
    def action_archive(self) -> None:
        crud.write(self, {"active": False})

    @api.records
    def action_unarchive(self) -> None:
        crud.write(self, {"active": True})

    @api.records
    def copy(self, default: dict[str, Any] | None = None) -> list[int]:
        return copying.copy(self, default)

    @api.model
    def read_group(
        self,
        domain: Any,
        fields: Any,
        groupby: Any,
        offset: int = 0,
        limit: int | None = None,
        orderby: Any = False,
        lazy: bool = True,
    ) -> list[dict[str, Any]]:
        """Deprecated in Odoo 19 but still public (see :mod:`.read_group`)."""
        return read_group.read_group(self, domain, fields, groupby, offset, limit, orderby, lazy)

    # --- hooks for the models (see crud) ---

    def _rewrite_vals(self, vals: dict[str, Any]) -> dict[str, Any]:
        return vals

    def _complete_vals(self, vals: dict[str, Any]) -> None:
        """Fill values that depend on other values (phase 1, no mutation)."""

    def _before_insert(self, vals: dict[str, Any], related: dict[str, Any]) -> None:
        """Create the records this one needs (e.g. a user's partner), before its id."""

    def _check_insert(self, rid: int, vals: dict[str, Any]) -> None:
        """Fill id-dependent values (sequence names) and check SQL CHECK/UNIQUE constraints."""

    def _after_create(self, rid: int) -> None:
        """Business effects once the record exists, with its x2many values."""

    def _after_write(self, vals: dict[str, Any]) -> None:
        """Business effects after ``write(vals)`` on ``self``."""

    def _constrains(self, rid: int) -> None:
        """Python constraints, checked after every create and write."""

    def _before_unlink(self) -> None:
        """Refuse deletions the business rules forbid."""


def _leaf_paths(node: Node) -> Iterable[str]:
    """The field path of every leaf of ``node`` (field groups apply to those)."""
    if isinstance(node, Leaf):
        yield node.path
    elif isinstance(node, Not):
        yield from _leaf_paths(node.child)
    elif isinstance(node, Junction):
        for child in node.children:
            yield from _leaf_paths(child)


def _has_source(cls: type[BaseModel], fld: Field) -> bool:
    return bool(
        fld.name == "__last_update"
        or fld.related
        or fld.m2m_of
        or fld.type == "one2many"
        or fld.name == "id"
        or hasattr(cls, f"_compute_{fld.name}")
    )


class _NoEnv:
    """Placeholder environment for class-level checks (field definitions only)."""


_NO_ENV: Any = _NoEnv()
__all__ = ["BaseModel", "Env", "Registry"]
