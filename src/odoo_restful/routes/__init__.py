"""HTTP route handlers; each reads like the data flow: identify, parse, call Odoo, shape."""
