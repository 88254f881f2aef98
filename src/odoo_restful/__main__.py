"""``python -m odoo_restful`` is the ``odoo-restful`` command."""

from .cli import main

main()
