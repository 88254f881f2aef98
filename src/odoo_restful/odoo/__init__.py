"""Clients for Odoo's external wire protocols, behind one interface (``base``)."""
