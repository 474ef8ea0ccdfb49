"""Alembic's entry: run migrations on the connection the store hands over (never a URL of its own)."""

from alembic import context

from coverage.store.schema import metadata

connection = context.config.attributes["connection"]
context.configure(connection=connection, target_metadata=metadata, render_as_batch=True)
with context.begin_transaction():
    context.run_migrations()
