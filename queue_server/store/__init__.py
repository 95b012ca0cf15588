"""Persistence: SQLModel tables, the database handle, and loading/saving the queue."""
