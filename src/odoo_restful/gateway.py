"""``Gateway``: the state route handlers share (settings, Odoo client, tokens, caches, guards)."""

from __future__ import annotations

from .config import Settings
from .guards import WriteDenyList
from .idempotency import Idempotency
from .odoo.metadata import Metadata
from .odoo.router import OdooRouter
from .odoo.xmlids import ExternalIds
from .openapi.service import OpenApiService
from .paging import Cursors
from .params import DEFAULT_METHOD_DENY
from .ratelimit import LoginGuard
from .throttle import Throttle
from .tokens.service import TokenService


class Gateway:
    def __init__(self, settings: Settings, odoo: OdooRouter, tokens: TokenService) -> None:
        self.settings = settings
        self.odoo = odoo
        self.tokens = tokens
        self.fields = Metadata(odoo)
        self.xmlids = ExternalIds(odoo)
        self.method_deny = DEFAULT_METHOD_DENY | frozenset(settings.method_deny)
        self.method_allow = frozenset(settings.method_allow) or None
        self.write_deny = WriteDenyList(settings.write_deny_fields)
        # An unfinished claim outlives any request that could still be running.
        self.idempotency = Idempotency(tokens.store, lease=settings.odoo_timeout * 3 + 30)
        self.throttle = Throttle(settings)
        self.logins = LoginGuard(
            tokens.store,
            per_client=settings.login_limit_per_client,
            per_login=settings.login_limit_per_user,
            window=settings.login_window,
        )
        self.cursors = Cursors(*tokens.server_secrets.all)
        self.openapi = OpenApiService(self)
