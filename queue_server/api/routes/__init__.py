"""Routers by audience: auth, the queue (kiosk, visitor, counter), administration."""
