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
``GET /json/version``. ``sb.asgi`` serves them over HTTP
(``python -m odoo_restful.sandbox``).
"""

from .app import Sandbox

__all__ = ["Sandbox"]
