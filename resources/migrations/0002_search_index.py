from django.db import migrations


def create_index(apps, schema_editor):
    # A GIN index exists only on PostgreSQL; SQLite searches without one (see services).
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(
            "CREATE INDEX IF NOT EXISTS resources_resource_search_gin "
            "ON resources_resource USING gin (search_vector)"
        )


def drop_index(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute("DROP INDEX IF EXISTS resources_resource_search_gin")


class Migration(migrations.Migration):
    dependencies = [("resources", "0001_initial")]

    operations = [migrations.RunPython(create_index, drop_index)]
