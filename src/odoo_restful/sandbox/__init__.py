"""An in-memory stand-in for the RPC endpoints of an Odoo 19 server.

>>> from odoo_restful.sandbox import Sandbox
>>> sb = Sandbox()
>>> status, headers, body = sb.handle("GET", "/json/version", {}, b"")
>>> status
200

Routes: ``POST /jsonrpc`` (services ``common``, ``object``, ``db``),
``POST /json/2/<model>/<method>`` (bearer API key), the web client's
``/web/session/authenticate``, ``/web/session/get_session_info``,
``/web/session/destroy``, ``/web/dataset/call_kw[/...]``, ``/web/version`` and
``GET /json/version``; ``GET /``, ``/web``, ``/odoo`` and ``/doc`` redirect as they
do without a session. ``sb.asgi`` serves them over HTTP
(``python -m odoo_restful.sandbox``).

Users (login/password, uid): ``admin``/``admin`` (2, administrator); ``demo``/``demo``
(5, "Sales / User: Own Documents Only": sees the orders it is salesperson of, 1, 5
and 8-18, or that have none); ``nosales``/``nosales`` (7, internal user without
Sales); ``portal``/``portal`` (6, portal user). API keys as in the recordings
(``../shared/odoo-wire-19b/README.md``). As on Odoo, ordinary users do not see
fields of groups they lack, and reading an x2many field whose co-model they may
not read (``res.partner.rtc_session_ids``: every default read) is an AccessError.
"""

from .app import Sandbox

__all__ = ["Sandbox"]
