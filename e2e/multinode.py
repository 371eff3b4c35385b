"""A production-shaped deployment on one machine, for e2e/test_multinode.py and `make multinode`.

    with deployment(base) as site:      # base: an empty folder of the test's own
        site.balancer.get("/")          # alternates between the two web nodes

What it starts, as README "Production" describes a deployment of several machines:

- a PostgreSQL database of its own, copied from the migrated test database (CREATE DATABASE
  ... TEMPLATE: a second or so, where migrating takes twenty), dropped at the end;
- an S3-compatible object store (moto's server mode, a process of its own) with a private
  bucket, which every node reaches only through the MEDIA_S3_* environment;
- the same Redis as the suite, with a queue, broker key prefix and cache key prefix of this
  deployment's own (CELERY_QUEUE, CELERY_BROKER_KEY_PREFIX, CACHE_KEY_PREFIX), so another
  run on the same Redis never takes its jobs or reads its keys;
- two web nodes (gunicorn, brukarkraft/gunicorn.conf.py, DEBUG off, HTTPS behind a proxy)
  and two Celery workers (no beat: the test sends the beat's sweep itself). Each process
  runs in an empty working directory of its own, with MEDIA_ROOT and VAR_DIR inside it, so
  nothing can pass between nodes through a local disk; the test checks they stay empty.
  The static files are the release's build (collectstatic, kept between runs), read-only
  to every node as a container image's would be;
- a load-balancer stand-in (`Balancer`): sends each request to the next node in turn, as
  the proxy does (X-Forwarded-Proto, X-Real-IP, the public host name), keeps the cookies
  of one browser, and sends a request whose connection was refused or dropped to the
  other node.

The workers run brukarkraft/tests/slow_report_worker.py, the plain `celery` command with the
report PDF slowed by SLOW_REPORT_SECONDS, so a test can kill a worker while it holds the job.
"""

from __future__ import annotations

import hashlib
import os
import re
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass, field
from http.cookies import SimpleCookie
from pathlib import Path
from urllib.parse import urlsplit

import requests

BASE_DIR = Path(__file__).resolve().parent.parent
HOST = "portal.test"
ORIGIN = f"https://{HOST}"
S3_KEY = "multinode-test"
# Seconds to wait for a process to come up or a state to be reached.
TIMEOUT = float(os.environ.get("MULTINODE_TIMEOUT", "40"))
# The environment the test process has that no node may inherit (the suite's own settings).
NOT_INHERITED = {
    "CELERY_TASK_ALWAYS_EAGER",
    "EMAIL_URL",
    "SQLITE_TEST_NAME",
    "MEDIA_ROOT",
    "VAR_DIR",
    "STATIC_ROOT",
    "DJANGO_ALLOW_ASYNC_UNSAFE",
    "PYTEST_XDIST_WORKER",
    "PYTEST_CURRENT_TEST",
}


class Unavailable(Exception):
    """Every node refused or dropped the request."""


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@dataclass
class Process:
    """One machine's process: a web node, a worker or the object store."""

    name: str
    command: list[str]
    cwd: Path
    env: dict[str, str]
    log: Path
    echo: bool = False
    popen: subprocess.Popen | None = None
    port: int | None = None
    killed: bool = False

    def start(self) -> None:
        self.cwd.mkdir(parents=True, exist_ok=True)
        self.popen = subprocess.Popen(
            self.command,
            cwd=self.cwd,
            env=self.env,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            # Its own process group: killing it kills gunicorn's or Celery's children too.
            start_new_session=True,
        )
        threading.Thread(target=self._copy_output, daemon=True).start()

    def _copy_output(self) -> None:
        # Into the log file (the test reads it), and to standard output for a person
        # watching `make multinode`, each line marked with the machine it came from.
        assert self.popen is not None and self.popen.stdout is not None
        with self.log.open("ab") as log:
            for line in self.popen.stdout:
                log.write(line)
                log.flush()
                if self.echo:
                    sys.stdout.write(f"[{self.name}] {line.decode(errors='replace')}")
                    sys.stdout.flush()

    @property
    def alive(self) -> bool:
        return self.popen is not None and self.popen.poll() is None

    def kill(self) -> None:
        """The machine is lost: every process of it dies at once, without a word."""
        self.killed = True
        if self.popen is None:
            return
        with suppress(ProcessLookupError):
            os.killpg(self.popen.pid, signal.SIGKILL)
        with suppress(subprocess.TimeoutExpired):
            self.popen.wait(timeout=15)

    def log_text(self) -> str:
        return self.log.read_text(errors="replace") if self.log.exists() else ""

    def files_written(self) -> list[Path]:
        """Every file in the working directory: a node without local state leaves none."""
        return sorted(path for path in self.cwd.rglob("*") if path.is_file())


def wait_until(condition: Callable[[], object], what: str, *, watch=(), timeout=TIMEOUT):
    """Wait until `condition()` is true; fail naming `what`, with the logs of `watch`."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = condition()
        if value:
            return value
        for process in watch:
            if not process.killed and not process.alive:
                raise AssertionError(f"{process.name} stopped:\n{process.log_text()[-4000:]}")
        time.sleep(0.2)
    logs = "\n".join(f"--- {p.name}\n{p.log_text()[-3000:]}" for p in watch)
    raise AssertionError(f"Waited {timeout} s for {what}.\n{logs}")


class SlowBody:
    """A request body handed to the socket in pieces; `on_first_piece` runs before the first
    piece goes out, when the node has the request's headers and is waiting for its body:
    the moment a test kills the node "mid-upload"."""

    def __init__(self, data: bytes, on_first_piece: Callable[[], None] | None) -> None:
        self.data = data
        self.position = 0
        self.on_first_piece = on_first_piece

    def __len__(self) -> int:
        return len(self.data)

    def read(self, size: int = -1) -> bytes:
        if self.position == 0 and self.on_first_piece is not None:
            hook, self.on_first_piece = self.on_first_piece, None
            hook()
        size = 4096 if size is None or size < 0 else min(size, 4096)
        piece = self.data[self.position : self.position + size]
        self.position += len(piece)
        return piece


@dataclass
class Served:
    """A response and the node that gave it."""

    response: requests.Response
    node: str
    tried: list[str] = field(default_factory=list)

    @property
    def status(self) -> int:
        return self.response.status_code

    @property
    def text(self) -> str:
        return self.response.text

    @property
    def location(self) -> str:
        return urlsplit(self.response.headers.get("Location", "")).path


class Balancer:
    """The load balancer and one browser behind it.

    Requests go to the nodes in turn. A connection refused or dropped (the node is gone)
    takes that node out of the rotation and sends the same request to the next one: POSTs
    too, as a proxy with retries does, which is why a retried POST must be recognised by
    the portal (its double-submit keys) and stored once. Cookies are kept here, by hand:
    they are Secure (the site is HTTPS behind the proxy) and this side speaks plain HTTP.
    """

    def __init__(self, nodes: list[Process], *, client_ip: str = "203.0.113.7") -> None:
        self.nodes = nodes
        self.turn = 0
        self.cookies: dict[str, str] = {}
        self.client_ip = client_ip
        self.http = requests.Session()
        self.http.trust_env = False
        self.served: list[str] = []

    def browser(self, client_ip: str) -> Balancer:
        """Another person's browser behind the same load balancer (own cookies)."""
        other = Balancer(self.nodes, client_ip=client_ip)
        other.turn = self.turn
        return other

    def peek(self) -> Process:
        """The node the next request goes to."""
        return self._ordered()[0]

    def _ordered(self) -> list[Process]:
        start = self.turn % len(self.nodes)
        ordered = self.nodes[start:] + self.nodes[:start]
        alive = [node for node in ordered if not node.killed]
        if not alive:
            raise Unavailable("no web node left")
        return alive

    def _next_nodes(self) -> list[Process]:
        ordered = self._ordered()
        self.turn += 1
        return ordered

    def request(
        self,
        method: str,
        path: str,
        *,
        data: dict | None = None,
        files: dict | None = None,
        on_first_piece: Callable[[], None] | None = None,
    ) -> Served:
        body, content_type = b"", None
        if method == "POST":
            body, content_type = _encode(data or {}, files)
        tried: list[str] = []
        for node in self._next_nodes():
            headers = {
                "Host": HOST,
                "X-Forwarded-Proto": "https",
                "X-Real-IP": self.client_ip,
                "Accept-Language": "sv",
            }
            if self.cookies:
                headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
            if method == "POST":
                headers["Origin"] = ORIGIN
                headers["Referer"] = ORIGIN + path
                headers["Content-Type"] = content_type
                if "csrftoken" in self.cookies:
                    headers["X-CSRFToken"] = self.cookies["csrftoken"]
            tried.append(node.name)
            try:
                response = self.http.request(
                    method,
                    f"http://127.0.0.1:{node.port}{path}",
                    headers=headers,
                    data=SlowBody(body, on_first_piece) if method == "POST" else None,
                    allow_redirects=False,
                    timeout=30,
                )
            except requests.ConnectionError:
                # Refused or dropped: the node is gone; take it out and try the next.
                node.killed = True
                on_first_piece = None
                continue
            self._keep_cookies(response)
            self.served.append(node.name)
            return Served(response=response, node=node.name, tried=tried)
        raise Unavailable(f"{method} {path}: tried {tried}")

    def _keep_cookies(self, response: requests.Response) -> None:
        # Read from the raw headers: requests' cookie jar mangles a quoted value (a signed
        # cookie holding JSON, like the survey respondent's place), and keeps no Secure
        # cookie for plain HTTP. The value goes back exactly as the node wrote it.
        for header in response.raw.headers.getlist("Set-Cookie"):
            jar: SimpleCookie = SimpleCookie()
            jar.load(header)
            for name, morsel in jar.items():
                expired = morsel["max-age"] == "0" or "1970" in morsel["expires"]
                if expired or morsel.value == "":
                    self.cookies.pop(name, None)
                else:
                    self.cookies[name] = morsel.coded_value

    def get(self, path: str) -> Served:
        return self.request("GET", path)

    def post(self, path: str, data: dict | None = None, **kwargs) -> Served:
        return self.request("POST", path, data=data, **kwargs)

    def follow(self, served: Served, *, limit: int = 5) -> Served:
        """Follow redirects, each through the load balancer (so often to the other node)."""
        for _ in range(limit):
            if served.status not in (301, 302, 303, 307, 308):
                return served
            served = self.get(_path_of(served))
        return served


def _path_of(served: Served) -> str:
    location = served.response.headers["Location"]
    parts = urlsplit(location)
    return parts.path + (f"?{parts.query}" if parts.query else "")


def _encode(data: dict, files: dict | None) -> tuple[bytes, str]:
    from urllib3 import encode_multipart_formdata

    fields: list[tuple] = []
    for name, value in data.items():
        for item in value if isinstance(value, list | tuple) else [value]:
            fields.append((name, str(item)))
    for name, (filename, content, content_type) in (files or {}).items():
        fields.append((name, (filename, content, content_type)))
    return encode_multipart_formdata(fields)


@dataclass
class Deployment:
    base: Path
    database: str
    database_url: str
    bucket: str
    s3_endpoint: str
    prefix: str
    env: dict[str, str]
    store: Process
    web: list[Process]
    workers: list[Process]
    balancer: Balancer
    echo: bool = False
    started: list[Process] = field(default_factory=list)

    # Where the nodes keep files in the bucket (MEDIA_S3_PREFIX's default).
    media_prefix = "media"

    @property
    def processes(self) -> list[Process]:
        return [self.store, *self.web, *self.workers]

    def s3(self):
        import boto3

        return boto3.client(
            "s3",
            endpoint_url=self.s3_endpoint,
            aws_access_key_id=S3_KEY,
            aws_secret_access_key=S3_KEY,
            region_name="us-east-1",
        )

    def objects(self, prefix: str = "") -> dict[str, bytes]:
        """Every object in the bucket under `prefix`, with its bytes."""
        client = self.s3()
        found = {}
        pages = client.get_paginator("list_objects_v2").paginate(Bucket=self.bucket, Prefix=prefix)
        for page in pages:
            for item in page.get("Contents", []):
                found[item["Key"]] = client.get_object(Bucket=self.bucket, Key=item["Key"])[
                    "Body"
                ].read()
        return found

    def add_web_node(self) -> Process:
        """A new web machine (the one lost is replaced): empty disk, same environment; the
        load balancer sends it requests as soon as it answers."""
        node = web_node(f"web{len(self.web) + 1}", self.base, self.env, echo=self.echo)
        node.start()
        self.started.append(node)
        _wait_for_web(node)
        # The balancers share this list: every browser reaches the new node.
        self.web.append(node)
        return node

    def send_task(self, name: str, *args) -> None:
        """Publish a task as the beat would (to this deployment's queue and key prefix)."""
        from celery import Celery

        app = Celery("multinode-beat", broker=self.env["REDIS_URL"])
        app.conf.broker_transport_options = {
            "global_keyprefix": self.env["CELERY_BROKER_KEY_PREFIX"]
        }
        app.conf.task_default_queue = self.env["CELERY_QUEUE"]
        with app.connection_for_write() as connection:
            app.send_task(name, args=args, connection=connection)

    def worker_holding(self, task_name: str) -> Process | None:
        """The worker whose log says it received `task_name` (the one holding the job)."""
        for worker in self.workers:
            if re.search(rf"Task {re.escape(task_name)}\[[^\]]+\] received", worker.log_text()):
                return worker
        return None

    def local_files(self) -> dict[str, list[Path]]:
        """The files each node wrote to its own disk (none, when no node keeps state)."""
        return {p.name: p.files_written() for p in [*self.web, *self.workers] if p.files_written()}


def static_build(env: dict[str, str]) -> Path:
    """The collected static files of the current sources, as a release's build holds them.

    collectstatic takes seconds even without the compressed copies (STATIC_COMPRESS=false),
    so the result is kept in the temporary folder under a digest of every source file's
    name, size and time, and made again only when one changes."""
    from django.contrib.staticfiles.finders import get_finders

    digest = hashlib.sha256()
    for finder in get_finders():
        for path, storage in sorted(finder.list([]), key=lambda found: found[0]):
            stat = os.stat(storage.path(path))
            digest.update(f"{path}\0{stat.st_size}\0{stat.st_mtime_ns}\n".encode())
    root = Path(tempfile.gettempdir()) / "brukarkraft-multinode-static" / digest.hexdigest()[:16]
    if (root / "staticfiles.json").exists():
        return root
    building = root.with_name(f"{root.name}-{uuid.uuid4().hex[:6]}")
    building.parent.mkdir(parents=True, exist_ok=True)
    subprocess.run(
        [sys.executable, "-m", "django", "collectstatic", "--noinput", "-v0"],
        cwd=building.parent,
        env=_python_env(
            {**env, "STATIC_ROOT": str(building), "DJANGO_SETTINGS_MODULE": "brukarkraft.settings"}
        ),
        check=True,
    )
    # Renamed when complete, so a run that was stopped half-way leaves no broken build.
    with suppress(OSError):
        building.rename(root)
    shutil.rmtree(building, ignore_errors=True)
    return root


def web_node(name: str, base: Path, env: dict[str, str], *, echo: bool) -> Process:
    """A web machine: gunicorn as `make serve` runs it, in an empty folder of its own."""
    port = free_port()
    cwd = base / name
    return Process(
        name=name,
        command=[
            sys.executable,
            "-m",
            "gunicorn",
            "--config",
            str(BASE_DIR / "brukarkraft" / "gunicorn.conf.py"),
            "--chdir",
            str(cwd),
            # One machine per node in production; here they share one home folder, where
            # gunicorn would put its control socket.
            "--no-control-socket",
        ],
        cwd=cwd,
        env=_python_env(
            {
                **env,
                "MEDIA_ROOT": str(cwd / "media"),
                "VAR_DIR": str(cwd / "var"),
                "GUNICORN_BIND": f"127.0.0.1:{port}",
                "WEB_CONCURRENCY": "2",
            }
        ),
        log=base / "logs" / f"{name}.log",
        echo=echo,
        port=port,
    )


def _wait_for_web(node: Process) -> None:
    wait_until(
        lambda: _http_ok(f"http://127.0.0.1:{node.port}/healthz"),
        f"{node.name} to answer",
        watch=[node],
    )


def _python_env(extra: dict[str, str]) -> dict[str, str]:
    env = {key: value for key, value in os.environ.items() if key not in NOT_INHERITED}
    env.update(PYTHONPATH=str(BASE_DIR), PYTHONUNBUFFERED="1", PYTHONDONTWRITEBYTECODE="1")
    env.update(extra)
    return env


def _copy_database(template_url: str, template: str, name: str) -> None:
    import psycopg2

    connection = psycopg2.connect(template_url.rsplit("/", 1)[0] + "/postgres")
    connection.autocommit = True
    try:
        with connection.cursor() as cursor:
            # PostgreSQL copies a database nobody is connected to. The template is this test
            # process's own (each xdist worker has one); a live server thread of an earlier
            # browser test may still hold a connection to it, which Django opens again.
            cursor.execute(
                "SELECT pg_terminate_backend(pid) FROM pg_stat_activity"
                " WHERE datname = %s AND pid <> pg_backend_pid()",
                [template],
            )
            cursor.execute(f'CREATE DATABASE "{name}" TEMPLATE "{template}"')
    finally:
        connection.close()


def drop_database(server_url: str, name: str) -> None:
    import psycopg2

    connection = psycopg2.connect(server_url + "/postgres")
    connection.autocommit = True
    try:
        with connection.cursor() as cursor:
            cursor.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    finally:
        connection.close()


def _drop_database_later(template_url: str, name: str) -> None:
    # DROP DATABASE waits for a checkpoint, seconds on a busy machine: a process of its
    # own does it, and the test does not wait.
    subprocess.Popen(
        [
            sys.executable,
            "-c",
            "import sys; from e2e.multinode import drop_database; drop_database(*sys.argv[1:])",
            template_url.rsplit("/", 1)[0],
            name,
        ],
        cwd=BASE_DIR,
        env=_python_env({}),
        start_new_session=True,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )


def _delete_redis_keys(redis_url: str, prefixes: list[str]) -> None:
    import redis

    client = redis.Redis.from_url(redis_url)
    with suppress(redis.exceptions.RedisError), client:
        for prefix in prefixes:
            for key in client.scan_iter(match=f"{prefix}*"):
                client.delete(key)


def _http_ok(url: str) -> bool:
    try:
        return requests.get(url, timeout=1, headers={"Host": HOST}).status_code < 500
    except requests.RequestException:
        return False


@contextmanager
def deployment(
    base: Path,
    *,
    template_url: str,
    template: str,
    redis_url: str,
    slow_report_seconds: float = 2,
    visibility_timeout: int = 4,
    report_stale_after: int = 3,
    echo: bool = False,
) -> Iterator[Deployment]:
    """Start the deployment described at the top of this module; stop and remove it after.

    `template_url` reaches the migrated database `template` (the suite's test database),
    which nobody may be connected to while it is copied. `echo` sends every process's output to standard output (for a
    person watching `make multinode`) instead of the log files under `base`."""
    tag = uuid.uuid4().hex[:10]
    database = f"{template}_mn_{tag}"[:63]
    prefix = f"bk-multinode-{tag}"
    bucket = f"brukarkraft-{tag}"
    database_url = template_url.rsplit("/", 1)[0] + "/" + database
    store_port = free_port()
    s3_endpoint = f"http://127.0.0.1:{store_port}"
    logs = base / "logs"
    logs.mkdir(parents=True, exist_ok=True)
    started: list[Process] = []
    _copy_database(template_url, template, database)
    try:
        store = Process(
            name="object-store",
            command=[sys.executable, "-m", "moto.server", "-H", "127.0.0.1", "-p", str(store_port)],
            cwd=base / "object-store",
            env=_python_env({}),
            log=logs / "object-store.log",
            echo=echo,
            port=store_port,
        )
        store.start()
        started.append(store)

        env = {
            "DEBUG": "false",
            "SECRET_KEY": secrets.token_urlsafe(50),
            "ALLOWED_HOSTS": HOST,
            "CSRF_TRUSTED_ORIGINS": ORIGIN,
            "SITE_URL": ORIGIN,
            "DATABASE_URL": database_url,
            "REDIS_URL": redis_url,
            "CACHE_KEY_PREFIX": prefix,
            "CELERY_QUEUE": prefix,
            "CELERY_BROKER_KEY_PREFIX": f"{prefix}:",
            "CELERY_VISIBILITY_TIMEOUT": str(visibility_timeout),
            "REPORT_STALE_AFTER_SECONDS": str(report_stale_after),
            "MEDIA_S3_BUCKET": bucket,
            "MEDIA_S3_ENDPOINT_URL": s3_endpoint,
            "MEDIA_S3_REGION": "us-east-1",
            "MEDIA_S3_ACCESS_KEY_ID": S3_KEY,
            "MEDIA_S3_SECRET_ACCESS_KEY": S3_KEY,
            "STATIC_COMPRESS": "false",
            "EMAIL_URL": "consolemail://",
            "LOG_LEVEL": "INFO",
            "GUNICORN_ACCESS_LOG": "-",
        }
        # The release step (`make release`): migrate ran on the template; the static files
        # are collected once for every deployment of the same sources (static_build).
        env["STATIC_ROOT"] = str(static_build(env))
        wait_until(lambda: _http_ok(s3_endpoint), "the object store", watch=[store])
        import boto3

        boto3.client(
            "s3",
            endpoint_url=s3_endpoint,
            aws_access_key_id=S3_KEY,
            aws_secret_access_key=S3_KEY,
            region_name="us-east-1",
        ).create_bucket(Bucket=bucket)

        web = [web_node(f"web{index}", base, env, echo=echo) for index in (1, 2)]
        workers = []
        for index in (1, 2):
            cwd = base / f"worker{index}"
            workers.append(
                Process(
                    name=f"worker{index}",
                    command=[
                        sys.executable,
                        "-m",
                        "brukarkraft.tests.slow_report_worker",
                        "-A",
                        "brukarkraft",
                        "worker",
                        "--pool=prefork",
                        "--concurrency=1",
                        "--loglevel=info",
                        f"--hostname=worker{index}-{tag}@%h",
                        "--without-gossip",
                        "--without-mingle",
                        "--without-heartbeat",
                    ],
                    cwd=cwd,
                    env=_python_env(
                        {
                            **env,
                            "MEDIA_ROOT": str(cwd / "media"),
                            "VAR_DIR": str(cwd / "var"),
                            "SLOW_REPORT_SECONDS": str(slow_report_seconds),
                        }
                    ),
                    log=logs / f"worker{index}.log",
                    echo=echo,
                )
            )
        for process in [*web, *workers]:
            process.start()
            started.append(process)
        for node in web:
            _wait_for_web(node)
        for worker in workers:
            wait_until(
                lambda worker=worker: "ready." in worker.log_text(),
                f"{worker.name} to be ready",
                watch=[worker],
            )
        yield Deployment(
            base=base,
            database=database,
            database_url=database_url,
            bucket=bucket,
            s3_endpoint=s3_endpoint,
            prefix=prefix,
            env=env,
            store=store,
            web=web,
            workers=workers,
            balancer=Balancer(web),
            echo=echo,
            started=started,
        )
    finally:
        # Killed, not stopped: nothing of a test deployment needs a tidy exit, and a
        # graceful stop of five processes one after the other takes seconds each.
        for process in reversed(started):
            process.kill()
        _drop_database_later(template_url, database)
        _delete_redis_keys(redis_url, [prefix])
