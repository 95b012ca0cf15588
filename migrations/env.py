"""Alembic environment: the URL comes from the caller (or ANTREAN_DATABASE_URL)."""

from __future__ import annotations

import os

from alembic import context
from sqlalchemy import pool, text

from queue_server.store.db import make_engine, normalise_url
from queue_server.store.tables import metadata

config = context.config
MIGRATION_LOCK = 7_262_736  # any constant: serialises concurrent upgrades on PostgreSQL


def _url() -> str:
    url = config.attributes.get("database_url") or os.environ.get(
        "ANTREAN_DATABASE_URL", "sqlite:///antrean.db"
    )
    return normalise_url(str(url))


def run_migrations_offline() -> None:
    context.configure(url=_url(), target_metadata=metadata, literal_binds=True)
    with context.begin_transaction():
        context.run_migrations()


def run_migrations_online() -> None:
    engine = make_engine(_url(), poolclass=pool.NullPool)
    with engine.connect() as connection:
        is_pg = connection.dialect.name == "postgresql"
        if is_pg:
            connection.execute(text("SELECT pg_advisory_lock(:k)"), {"k": MIGRATION_LOCK})
            connection.commit()
        try:
            context.configure(
                connection=connection,
                target_metadata=metadata,
                render_as_batch=connection.dialect.name == "sqlite",
            )
            with context.begin_transaction():
                context.run_migrations()
        finally:
            if is_pg:
                connection.execute(text("SELECT pg_advisory_unlock(:k)"), {"k": MIGRATION_LOCK})
                connection.commit()
    engine.dispose()


if context.is_offline_mode():
    run_migrations_offline()
else:
    run_migrations_online()
