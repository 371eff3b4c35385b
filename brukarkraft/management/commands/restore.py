"""manage.py restore <folder>: a backup into an empty database and an empty storage."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from brukarkraft.backup import BackupError, restore


class Command(BaseCommand):
    help = (
        "Restore a folder made by `backup` into an empty database and an empty default "
        "storage (bucket or MEDIA_ROOT), after checking every file's sha256."
    )

    def add_arguments(self, parser):
        parser.add_argument("folder", type=Path, help="A folder made by manage.py backup.")
        parser.add_argument("--database", default="default", help="The database alias.")

    def handle(self, *args, folder: Path, database: str, **options):
        try:
            summary = restore(folder, alias=database)
        except BackupError as error:
            raise CommandError(str(error)) from error
        self.stdout.write(
            f"Restored the database ({summary.database}) and {summary.files} files "
            f"({summary.bytes} bytes) from {folder}."
        )
