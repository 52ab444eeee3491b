"""What bench/run.py and bench/load.py share: a gunicorn server on 127.0.0.1, and an HTTP client with a session.

Nothing here talks to anything but 127.0.0.1.
"""

import gzip
import os
import re
import socket
import subprocess
import sys
import tempfile
import time
from http.client import HTTPConnection
from http.cookies import SimpleCookie
from pathlib import Path
from urllib.parse import urlencode

ROOT = Path(__file__).resolve().parent.parent
PYTHON = ROOT / ".venv" / "bin" / "python"
GUNICORN = ROOT / ".venv" / "bin" / "gunicorn"
HOST = "127.0.0.1"
PORTS = range(8300, 8400)
DEFAULT_PASSWORD = "bench-pass-2026"


def server_env(database_url, static_root):
    env = dict(os.environ)
    env.update(
        DATABASE_URL=database_url,
        DJANGO_SETTINGS_MODULE="bench.settings",
        GOCUA_BENCH_STATIC_ROOT=str(static_root),
        DJANGO_DEBUG="0",
        DJANGO_SECURE_SSL_REDIRECT="0",
        DJANGO_SECURE_COOKIES="0",
        DJANGO_HSTS_SECONDS="0",
        DJANGO_ALLOWED_HOSTS=HOST,
        PYTHONPATH=str(ROOT),
    )
    return env


def django_setup(database_url):
    """Configure Django in this process too (URL names, ids of the seeded units, checks)."""
    os.environ["DATABASE_URL"] = database_url
    os.environ.setdefault("GOCUA_BENCH_STATIC_ROOT", tempfile.gettempdir())
    os.environ["DJANGO_SETTINGS_MODULE"] = "bench.settings"
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()


def free_port():
    for port in PORTS:
        with socket.socket() as s:
            try:
                s.bind((HOST, port))
            except OSError:
                continue
            return port
    raise RuntimeError("no free port in 8300-8399")


class Server:
    """migrate, collectstatic into a temporary directory, then gunicorn on a free port; stopped on exit."""

    def __init__(self, database_url, *, workers, threads, log_path):
        self.database_url = database_url
        self.workers, self.threads = workers, threads
        self.log_path = log_path
        self.static = tempfile.TemporaryDirectory(prefix="gocua-bench-static-")
        self.env = server_env(database_url, self.static.name)
        self.port = None
        self.process = None

    def __enter__(self):
        for command in (["migrate", "--noinput"], ["collectstatic", "--noinput"]):
            subprocess.run([str(PYTHON), "manage.py", *command, "-v0"], cwd=ROOT, env=self.env, check=True, timeout=600)
        self.port = free_port()
        self.log = open(self.log_path, "w")  # noqa: SIM115 - closed in __exit__
        self.process = subprocess.Popen(
            [
                str(GUNICORN),
                "config.wsgi",
                f"--bind={HOST}:{self.port}",
                f"--workers={self.workers}",
                f"--threads={self.threads}",
                "--worker-class=gthread",
                "--timeout=60",
                "--access-logfile=-",
            ],
            cwd=ROOT,
            env=self.env,
            stdout=self.log,
            stderr=subprocess.STDOUT,
        )
        try:
            self._wait_ready()
        except BaseException:
            self.__exit__(None, None, None)
            raise
        return self

    def _wait_ready(self):
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            try:
                status, _body = Client(self.port).get("/accounts/login/")
                if status == 200:
                    return
            except OSError:
                pass
            if self.process.poll() is not None:
                raise RuntimeError(f"gunicorn exited; see {self.log_path}")
            time.sleep(0.2)
        raise RuntimeError(f"gunicorn did not answer in 30 s; see {self.log_path}")

    def __exit__(self, *exc):
        if self.process is not None:
            self.process.terminate()
            try:
                self.process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.process.kill()
        self.log.close()
        self.static.cleanup()


_CSRF_INPUT = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')


class Client:
    """A keep-alive HTTP/1.1 client with cookies, as a phone browser with gzip would be."""

    def __init__(self, port, timeout=30):
        self.port, self.timeout = port, timeout
        self.cookies = {}
        self.connection = None

    def _connect(self):
        self.connection = HTTPConnection(HOST, self.port, timeout=self.timeout)

    def request(self, method, path, body=None, headers=None):
        headers = {"Accept-Encoding": "gzip", "Host": f"{HOST}:{self.port}", **(headers or {})}
        if self.cookies:
            headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        for attempt in (1, 2):
            if self.connection is None:
                self._connect()
            try:
                self.connection.request(method, path, body=body, headers=headers)
                response = self.connection.getresponse()
                data = response.read()
                break
            except (ConnectionError, OSError):
                # The server closed an idle keep-alive connection: reconnect once.
                self.connection.close()
                self.connection = None
                if attempt == 2:
                    raise
        for header in response.headers.get_all("Set-Cookie") or []:
            for name, morsel in SimpleCookie(header).items():
                self.cookies[name] = morsel.value
        if response.headers.get("Content-Encoding") == "gzip":
            data = gzip.decompress(data)
        if response.headers.get("Connection", "").lower() == "close":
            self.connection.close()
            self.connection = None
        return response.status, data, response.headers

    def get(self, path):
        status, data, _headers = self.request("GET", path)
        return status, data

    def post(self, path, fields, referer_path=None):
        """POST a form with the CSRF token of the page at `referer_path` (or of the cookie)."""
        body = urlencode(fields, doseq=True)
        headers = {
            "Content-Type": "application/x-www-form-urlencoded",
            "X-CSRFToken": self.cookies.get("csrftoken", ""),
            "Referer": f"http://{HOST}:{self.port}{referer_path or path}",
        }
        status, data, response_headers = self.request("POST", path, body=body, headers=headers)
        return status, data, response_headers

    def csrf_from(self, html):
        match = _CSRF_INPUT.search(html.decode("utf-8", "replace"))
        return match.group(1) if match else self.cookies.get("csrftoken", "")

    def login(self, username, password=DEFAULT_PASSWORD):
        status, html = self.get("/accounts/login/")
        if status != 200:
            raise RuntimeError(f"login page answered {status}")
        token = self.csrf_from(html)
        status, _data, headers = self.post(
            "/accounts/login/", {"username": username, "password": password, "csrfmiddlewaretoken": token}
        )
        if status != 302:
            raise RuntimeError(f"login of {username} failed with {status}")
        return self


# The tables every visit rewrites rows of: a late visit rewrites each later day's counter row, so a
# run of late visits leaves thousands of dead rows in tables of a few hundred live ones. The counters' queue
# is empty between drains, and every coverage page probes it: after four runs it held 7,152 dead rows and
# no live one. The access log: each run deletes the rows it wrote (thousands).
HOT_TABLES = (
    "teams_provincecoverageday",
    "teams_communecoverageday",
    "teams_coverageday",
    "teams_periodfigures",
    "teams_queuedshift",
    "teams_accesslog",
)


class AutovacuumStandIn:
    """VACUUM of the hot tables every few rounds, on the databases whose server has autovacuum off.

    This machine's PostgreSQL runs with `autovacuum = off` (its CI configuration); a production server
    keeps it on, and its launcher would vacuum a table of 800 live rows once 210 rows are dead (the
    default threshold), within a minute. Without it a run measures its own bloat: after the late visits
    of a run the province's counter table held 83,000 dead rows beside its 804 live ones, and the planner,
    never analysed, read it whole. The first call also analyses (a migration may have rewritten the rows).
    The VACUUM runs between rounds, while no request is timed. Nothing here talks to anything but
    127.0.0.1 (the databases the run was given).
    """

    def __init__(self, database_urls, every=10):
        import psycopg

        self.every, self.connections, self.calls = every, [], 0
        for url in database_urls:
            connection = psycopg.connect(url, autocommit=True)
            if connection.execute("SHOW autovacuum").fetchone()[0] == "off":
                self.connections.append(connection)
            else:
                connection.close()

    @property
    def active(self):
        return bool(self.connections)

    def __call__(self, round_no):
        if not self.connections or round_no % self.every:
            return
        command = "VACUUM ANALYZE" if self.calls == 0 else "VACUUM"
        for connection in self.connections:
            connection.execute(f"{command} {', '.join(HOT_TABLES)}")
        self.calls += 1

    def close(self):
        for connection in self.connections:
            connection.close()


class QueueSettle:
    """Waits, untimed for the page, until the counters' queue of a target's database is empty.

    A visit dated long ago answers at once and leaves its counter changes in
    the queue (`teams.counters_queue`), which its server thread folds in once
    the response is sent. Timed pages that followed would meet that work
    and be charged for it (the trivial page's p50 went from ~12 to ~48 ms). So
    after each POST the client polls the queue until it is empty, and the time
    from the request's start to then is reported beside the response time:
    what a late visit costs the server, though not the phone.
    """

    def __init__(self, database_urls, poll_seconds=0.002, timeout_seconds=30):
        import psycopg

        self.poll, self.timeout = poll_seconds, timeout_seconds
        self.connections = {label: psycopg.connect(url, autocommit=True) for label, url in database_urls.items()}

    def __call__(self, label):
        """Milliseconds waited until `label`'s queue was empty."""
        started = time.perf_counter()
        connection = self.connections[label]
        while connection.execute("SELECT EXISTS (SELECT 1 FROM teams_queuedshift)").fetchone()[0]:
            if time.perf_counter() - started > self.timeout:
                raise RuntimeError(f"{label}: the counters' queue was not drained within {self.timeout} s")
            time.sleep(self.poll)
        return (time.perf_counter() - started) * 1000

    def close(self):
        for connection in self.connections.values():
            connection.close()
