"""The database: schema, migrations, and the queries every other part calls."""
