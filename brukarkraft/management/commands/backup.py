"""manage.py backup <folder>: the database and every stored file, with a manifest."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from brukarkraft.backup import BackupError, backup


class Command(BaseCommand):
    help = (
        "Back up the database (pg_dump, or SQLite's backup API) and every file of the default "
        "storage into an empty folder, with a manifest of sha256 checksums."
    )

    def add_arguments(self, parser):
        parser.add_argument("folder", type=Path, help="An empty or new folder for the backup.")
        parser.add_argument("--database", default="default", help="The database alias.")

    def handle(self, *args, folder: Path, database: str, **options):
        try:
            summary = backup(folder, alias=database)
        except BackupError as error:
            raise CommandError(str(error)) from error
        self.stdout.write(
            f"Backed up the database ({summary.database}) and {summary.files} files "
            f"({summary.bytes} bytes) to {folder}."
        )
