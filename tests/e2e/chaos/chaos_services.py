"""A private PostgreSQL cluster and a private RabbitMQ node for the chaos suite.

The shared services (5432, 5672, 15672) are never restarted: every fault here hits a
cluster and a node this run started itself, on free ports, in a directory of its own under
/tmp/wattlog-chaos-*. The directory records the pytest process that owns it; a later run
stops whatever an earlier run left behind (a killed pytest cannot run its teardown) by the
pids in that directory, and removes it.
"""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import signal
import socket
import subprocess
import tempfile
import time
import urllib.error
import urllib.request
from base64 import b64encode
from dataclasses import dataclass
from pathlib import Path

PG_BIN = Path("/usr/lib/postgresql")
# Debian's /usr/sbin/rabbitmq-* wrap the scripts in `su rabbitmq`; call the scripts themselves.
RABBIT_BIN = (
    Path("/usr/lib/rabbitmq/bin")
    if Path("/usr/lib/rabbitmq/bin/rabbitmq-server").exists()
    else Path(shutil.which("rabbitmq-server") or "/usr/sbin/rabbitmq-server").parent
)
BASE_PREFIX = "wattlog-chaos-"
STARTUP_TIMEOUT_S = 90.0


class ServiceError(RuntimeError):
    """A private service did not start or stop; the message has its log's tail."""


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def _runs_from(pid: int, base: Path) -> bool:
    """The process is still the server started in `base` (its pid was not reused)."""
    try:
        return str(base) in Path(f"/proc/{pid}/cmdline").read_bytes().decode(errors="replace")
    except OSError:
        return False


def _read_pid(path: Path) -> int | None:
    with contextlib.suppress(OSError, ValueError, IndexError):
        return int(path.read_text().split()[0])
    return None


def _tail(path: Path, lines: int = 40) -> str:
    with contextlib.suppress(OSError):
        return "\n".join(path.read_text(errors="replace").splitlines()[-lines:])
    return f"(no log at {path})"


def _pg_bin() -> Path:
    versions = sorted(
        (p for p in PG_BIN.glob("*") if (p / "bin" / "initdb").exists()),
        key=lambda p: int(p.name) if p.name.isdigit() else 0,
    )
    if not versions:
        initdb = shutil.which("initdb")
        if initdb:
            return Path(initdb).parent
        raise ServiceError(f"no PostgreSQL server binaries under {PG_BIN} or on PATH")
    return versions[-1] / "bin"


def _as_postgres() -> list[str]:
    # PostgreSQL refuses to run as root; the tests may run as root (CI, containers).
    return ["runuser", "-u", "postgres", "--"] if os.geteuid() == 0 else []


def new_base_dir() -> Path:
    clean_leftovers()
    base = Path(tempfile.mkdtemp(prefix=BASE_PREFIX))
    base.chmod(0o755)
    (base / "owner.pid").write_text(str(os.getpid()))
    return base


def clean_leftovers() -> None:
    """Stops the services of earlier runs whose pytest is gone, and removes their files."""
    for base in Path(tempfile.gettempdir()).glob(BASE_PREFIX + "*"):
        owner = _read_pid(base / "owner.pid")
        if owner is not None and _alive(owner):
            continue
        for pid_file in (base / "rabbit" / "node.pid", base / "pg" / "data" / "postmaster.pid"):
            pid = _read_pid(pid_file)
            if pid is not None and _runs_from(pid, base):
                with contextlib.suppress(OSError):
                    os.kill(pid, signal.SIGKILL)
        shutil.rmtree(base, ignore_errors=True)


@dataclass
class PrivatePostgres:
    base: Path
    port: int = 0

    @property
    def data(self) -> Path:
        return self.base / "pg" / "data"

    @property
    def log(self) -> Path:
        return self.base / "pg" / "server.log"

    def admin_url(self) -> str:
        return f"postgresql://postgres@127.0.0.1:{self.port}/postgres"

    def url(self, database: str) -> str:
        return f"postgresql://wattlog@127.0.0.1:{self.port}/{database}"

    def init(self) -> None:
        self.port = free_port()
        home = self.base / "pg"
        home.mkdir()
        if os.geteuid() == 0:
            shutil.chown(home, "postgres")
        self._run(
            [
                *(str(_pg_bin() / "initdb"), "-D", str(self.data), "-A", "trust"),
                *("-U", "postgres", "-E", "UTF8", "--no-sync"),
            ]
        )
        self.start()

    def start(self) -> None:
        # fsync=off: the faults here stop PostgreSQL, not the machine, so what it wrote to
        # the kernel survives; and the suite stays fast on a small CI machine.
        options = f"-p {self.port} -k {self.base / 'pg'} -c listen_addresses=127.0.0.1 -c fsync=off"
        self._run(
            [
                *(str(_pg_bin() / "pg_ctl"), "-D", str(self.data), "-l", str(self.log), "-w"),
                *("-t", str(int(STARTUP_TIMEOUT_S)), "-o", options, "start"),
            ]
        )

    def stop_immediate(self) -> None:
        """`pg_ctl stop -m immediate`: every backend killed, crash recovery at next start."""
        self._run([str(_pg_bin() / "pg_ctl"), "-D", str(self.data), "-m", "immediate", "stop"])

    def is_running(self) -> bool:
        pid = _read_pid(self.data / "postmaster.pid")
        return pid is not None and _alive(pid)

    def ensure_running(self) -> None:
        if not self.is_running():
            self.start()

    def destroy(self) -> None:
        if self.is_running():
            with contextlib.suppress(ServiceError):
                self.stop_immediate()
        pid = _read_pid(self.data / "postmaster.pid")
        if pid is not None and _alive(pid):
            os.kill(pid, signal.SIGKILL)

    def _run(self, argv: list[str]) -> None:
        done = subprocess.run(
            _as_postgres() + argv,
            capture_output=True,
            text=True,
            timeout=STARTUP_TIMEOUT_S + 30,
            cwd="/",
            check=False,
        )
        if done.returncode != 0:
            raise ServiceError(
                f"{' '.join(argv[:2])} failed ({done.returncode}): {done.stderr.strip()}\n"
                + _tail(self.log)
            )


@dataclass
class PrivateRabbit:
    base: Path
    node: str = ""
    port: int = 0
    management_port: int = 0
    dist_port: int = 0

    @property
    def home(self) -> Path:
        return self.base / "rabbit"

    @property
    def pid_file(self) -> Path:
        return self.home / "node.pid"

    def amqp_url(self, vhost: str, port: int | None = None) -> str:
        return f"amqp://guest:guest@127.0.0.1:{port or self.port}/{vhost}"

    def management_url(self) -> str:
        return f"http://127.0.0.1:{self.management_port}"

    def init(self) -> None:
        self.port, self.management_port, self.dist_port = free_port(), free_port(), free_port()
        self.node = f"chaos-{self.base.name.removeprefix(BASE_PREFIX)}@localhost"
        self.home.mkdir()
        (self.home / "enabled_plugins").write_text(
            "[rabbitmq_management,rabbitmq_consistent_hash_exchange].\n"
        )
        (self.home / "rabbitmq.conf").write_text(
            f"listeners.tcp.1 = 127.0.0.1:{self.port}\n"
            f"management.tcp.port = {self.management_port}\n"
            "management.tcp.ip = 127.0.0.1\n"
        )
        self.start()

    def _env(self) -> dict[str, str]:
        # HOME holds this node's own Erlang cookie, shared by the node and our CLI calls.
        return {
            **os.environ,
            "HOME": str(self.home),
            "RABBITMQ_NODENAME": self.node,
            "RABBITMQ_NODE_PORT": str(self.port),
            "RABBITMQ_DIST_PORT": str(self.dist_port),
            "RABBITMQ_MNESIA_BASE": str(self.home / "mnesia"),
            "RABBITMQ_LOG_BASE": str(self.home / "log"),
            "RABBITMQ_ENABLED_PLUGINS_FILE": str(self.home / "enabled_plugins"),
            "RABBITMQ_CONFIG_FILE": str(self.home / "rabbitmq.conf"),
            "RABBITMQ_PID_FILE": str(self.pid_file),
        }

    def start(self) -> None:
        with contextlib.suppress(FileNotFoundError):
            self.pid_file.unlink()
        self._run("rabbitmq-server", "-detached")
        self._run("rabbitmqctl", "-n", self.node, "wait", str(self.pid_file), "--timeout", "90")
        self.wait_for_management()

    def wait_for_management(self) -> None:
        deadline = time.monotonic() + STARTUP_TIMEOUT_S
        while True:
            try:
                self.management("GET", "/api/overview")
                return
            except (OSError, urllib.error.URLError):
                if time.monotonic() > deadline:
                    raise ServiceError(f"management API of {self.node} did not answer") from None
                time.sleep(0.3)

    def kill9(self) -> None:
        pid = _read_pid(self.pid_file)
        if pid is None:
            raise ServiceError(f"no pid file for {self.node}")
        os.kill(pid, signal.SIGKILL)
        deadline = time.monotonic() + 30
        while _alive(pid) and time.monotonic() < deadline:
            time.sleep(0.1)

    def stop_app(self) -> None:
        self._run("rabbitmqctl", "-n", self.node, "stop_app")

    def start_app(self) -> None:
        self._run("rabbitmqctl", "-n", self.node, "start_app")
        self.wait_for_management()

    def is_running(self) -> bool:
        pid = _read_pid(self.pid_file)
        return pid is not None and _alive(pid)

    def ensure_running(self) -> None:
        """A node that was killed is started again; one whose app was stopped is restarted."""
        if not self.is_running():
            self.start()
            return
        try:
            self.management("GET", "/api/overview")
        except (OSError, urllib.error.URLError):
            self.start_app()

    def destroy(self) -> None:
        if self.is_running():
            with contextlib.suppress(ServiceError, subprocess.TimeoutExpired):
                self._run("rabbitmqctl", "-n", self.node, "stop", timeout_s=30)
        pid = _read_pid(self.pid_file)
        if pid is not None and _alive(pid):
            os.kill(pid, signal.SIGKILL)

    def management(self, method: str, path: str, body: object = None) -> object:
        request = urllib.request.Request(
            self.management_url() + path,
            method=method,
            data=json.dumps(body).encode() if body is not None else None,
            headers={
                "content-type": "application/json",
                "authorization": "Basic " + b64encode(b"guest:guest").decode(),
            },
        )
        with urllib.request.urlopen(request, timeout=10) as response:
            text = response.read()
        return json.loads(text) if text else None

    def consumers(self, vhost: str, queue: str) -> int:
        info = self.management("GET", f"/api/queues/{vhost}/{queue}")
        assert isinstance(info, dict)
        return int(info.get("consumers", 0))

    def _run(self, script: str, *args: str, timeout_s: float = STARTUP_TIMEOUT_S + 30) -> None:
        done = subprocess.run(
            [str(RABBIT_BIN / script), *args],
            env=self._env(),
            capture_output=True,
            text=True,
            timeout=timeout_s,
            cwd=str(self.home),
            check=False,
        )
        if done.returncode != 0:
            log = self.home / "log" / f"{self.node}.log"
            raise ServiceError(
                f"{script} {' '.join(args)} failed ({done.returncode}): "
                f"{done.stdout.strip()} {done.stderr.strip()}\n{_tail(log)}"
            )
