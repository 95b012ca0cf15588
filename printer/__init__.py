"""Ticket printing: layout, ESC/POS and the print agent. Imports nothing from queue_server."""
