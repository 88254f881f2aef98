"""odoo-restful: a REST gateway in front of any Odoo server."""

__version__ = "0.1.0"
