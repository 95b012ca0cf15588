"""Antrean: digital queue management for Indonesian public-service offices."""
