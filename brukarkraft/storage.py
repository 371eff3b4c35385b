"""Where files live: Django's default storage, on every machine the same one.

Every file the portal keeps (agreements, report and guide PDFs, minutes, library files and
their printable versions, survey exports, code slips and pictures) is written and read through
`default_storage`: the local disk of a development install, an S3-compatible object store
(settings.MEDIA_S3_BUCKET) when several machines serve the portal. No code reads a file by
its local path, so the node that serves a download need not be the one that made the file.

An outage of the store must lose nothing:

- both storage classes below turn the store's faults into `StorageUnavailable` (an OSError),
  so callers have one exception to handle whichever store is configured;
- `StorageErrorMiddleware` answers a request the fault reached with a translated 503 page;
- `refuses_upload_on_outage` runs an upload view in one transaction that the fault rolls
  back, so an upload that cannot be stored saves nothing at all;
- Celery tasks retry on `RETRY_ON_STORAGE_OUTAGE` with back-off (brukarkraft.celery).
"""

from __future__ import annotations

import functools
import logging
import posixpath
from collections.abc import Callable, Iterator

from django.core.files.base import ContentFile
from django.core.files.storage import FileSystemStorage, Storage, default_storage, storages
from django.db import transaction
from django.http import HttpRequest, HttpResponse

from .faults import unavailable

logger = logging.getLogger(__name__)

# Seconds a client (or a load balancer) is asked to wait before trying again.
RETRY_AFTER = 60


class StorageUnavailable(OSError):
    """The file store could not be reached, or refused to store or give back a file."""


def _cloud_errors() -> tuple[type[BaseException], ...]:
    # boto3 comes with django-storages[s3]; a trimmed install without it has only a disk.
    try:
        from boto3.exceptions import Boto3Error
        from botocore.exceptions import BotoCoreError, ClientError
    except ImportError:  # pragma: no cover — boto3 is in requirements.txt
        return ()
    return (BotoCoreError, ClientError, Boto3Error)


# What an S3 client raises when the store is down, slow or refuses (botocore's connection
# errors, an upload that failed, a 5xx); django-storages passes them through as they are.
CLOUD_ERRORS = _cloud_errors()
# What a file-writing Celery task retries on (with back-off): a store that is down now may be
# back in a minute, and the report or export must then still be made.
RETRY_ON_STORAGE_OUTAGE: tuple[type[BaseException], ...] = (StorageUnavailable, *CLOUD_ERRORS)
# Tasks that write a file retry this many times (back-off doubling up to BaseTask's ten
# minutes: about a quarter of an hour of outage); what is still not stored after that is
# left queued, where each kind's sweep for lost jobs finds it again.
STORAGE_TASK_RETRIES = 10


def _guarded(method: Callable) -> Callable:
    @functools.wraps(method)
    def call(self, *args, **kwargs):
        try:
            return method(self, *args, **kwargs)
        except FileNotFoundError:
            # A file that is not there is the caller's 404, not an outage.
            raise
        except StorageUnavailable:
            raise
        except (OSError, *CLOUD_ERRORS) as error:
            raise StorageUnavailable(f"{type(error).__name__}: {error}") from error

    return call


class _GuardedStorage:
    """Turn a store's faults into StorageUnavailable, for the storage operations we use."""

    GUARDED = ("_open", "_save", "delete", "exists", "size", "listdir")

    def __init_subclass__(cls, **kwargs):
        super().__init_subclass__(**kwargs)
        # Wrap the concrete backend's own methods: the class after this one in the MRO.
        mro = cls.__mro__
        backend = mro[mro.index(_GuardedStorage) + 1]
        for name in cls.GUARDED:
            setattr(cls, name, _guarded(getattr(backend, name)))


class LocalStorage(_GuardedStorage, FileSystemStorage):
    """MEDIA_ROOT on this machine's disk: one machine only (development, the embedded default)."""


try:
    from storages.backends.s3 import S3Storage
except ImportError:  # pragma: no cover — django-storages[s3] is in requirements.txt
    S3Storage = None

if S3Storage is not None:

    class ObjectStorage(_GuardedStorage, S3Storage):
        """A private bucket of an S3-compatible store (MinIO, Ceph, AWS, a Swedish cloud),
        shared by every web and worker machine."""


def is_local(storage: Storage | None = None) -> bool:
    """Whether files are kept on this machine's own disk (no other machine can read them)."""
    return isinstance(storage if storage is not None else storages["default"], FileSystemStorage)


def store(name: str, content: bytes, *, storage: Storage | None = None) -> str:
    """Write bytes under `name` (or a free name next to it); returns the name stored."""
    return (storage or default_storage).save(name, ContentFile(content))


def read(name: str, *, storage: Storage | None = None) -> bytes:
    with (storage or default_storage).open(name, "rb") as handle:
        return handle.read()


def walk(storage: Storage | None = None, top: str = "") -> Iterator[str]:
    """Every file name in the store under `top`, in a stable order (for the backup)."""
    storage = storage or default_storage
    folders, files = storage.listdir(top)
    for name in sorted(files):
        yield posixpath.join(top, name) if top else name
    for folder in sorted(folders):
        yield from walk(storage, posixpath.join(top, folder) if top else folder)


# --- An outage, as the visitor sees it ---------------------------------------------------


def storage_unavailable(request: HttpRequest, error: BaseException) -> HttpResponse:
    """The translated 503 page for the file store."""
    return unavailable(
        request, error, what="File storage", template="503_storage.html", retry_after=RETRY_AFTER
    )


def is_storage_error(error: BaseException) -> bool:
    return isinstance(error, RETRY_ON_STORAGE_OUTAGE)


class StorageErrorMiddleware:
    """Turn a fault of the file store in a view (a download, an upload) into the 503 page."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponse | None:
        if is_storage_error(exception):
            return storage_unavailable(request, exception)
        return None


def refuses_upload_on_outage(view: Callable) -> Callable:
    """Run an upload view in one transaction: if the file cannot be stored, every row the
    view wrote before the fault is rolled back, and the visitor gets the 503 page.

    Django stores a FileField's file before its row is written (pre_save), so a single row
    is safe anyway; the transaction covers whatever else the view's service wrote first.
    """

    @functools.wraps(view)
    def wrapped(request: HttpRequest, *args, **kwargs) -> HttpResponse:
        try:
            with transaction.atomic():
                return view(request, *args, **kwargs)
        except RETRY_ON_STORAGE_OUTAGE as error:
            return storage_unavailable(request, error)

    return wrapped
