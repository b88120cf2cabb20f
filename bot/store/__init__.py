"""The store: SQLAlchemy tables, the engine, migrations and the queries the core needs."""
