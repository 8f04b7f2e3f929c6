"""Private servers for tests that break them: a redis-server on a free port, never the shared one."""

import socket
import subprocess
import sys
import time
from pathlib import Path


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_for(predicate, timeout: float = 20.0, interval: float = 0.2):
    """Poll ``predicate`` until it returns something truthy (returned) or ``timeout`` passes (None)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(interval)
    return None


def _answers(port: int) -> bool:
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=0.5) as sock:
            sock.sendall(b"PING\r\n")
            return sock.recv(16).startswith(b"+PONG")
    except OSError:
        return False


class PrivateRedis:
    """``redis-server --port N --save ""`` as a child process; stop() and start() keep the port."""

    def __init__(self, workdir: Path):
        self.port = free_port()
        self.url = f"redis://127.0.0.1:{self.port}/0"
        self.workdir = workdir
        workdir.mkdir(parents=True, exist_ok=True)
        self.proc: subprocess.Popen | None = None

    def start(self) -> "PrivateRedis":
        self.proc = subprocess.Popen(
            ["redis-server", "--port", str(self.port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no",
             "--daemonize", "no", "--dir", str(self.workdir)],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        )  # fmt: skip
        if not wait_for(lambda: _answers(self.port), timeout=20):
            raise RuntimeError(f"private redis-server did not start on port {self.port}")
        return self

    def stop(self) -> None:
        if self.proc and self.proc.poll() is None:
            self.proc.terminate()
            self.proc.wait(timeout=20)
        self.proc = None


def private_redis(workdir: Path) -> PrivateRedis:
    return PrivateRedis(workdir).start()


class PrivateS3:
    """moto's S3 in server mode (``ThreadedMotoServer``) on a free loopback port: a real HTTP S3
    endpoint that boto3 and django-storages talk to as to any other. ``stop()`` closes the port
    (the storage becomes unreachable) and ``start()`` opens it again on the same port; the
    buckets and objects live in the test process and survive that."""

    def __init__(self):
        self.port = free_port()
        self.endpoint = f"http://127.0.0.1:{self.port}"
        self.server = None

    def start(self) -> "PrivateS3":
        from moto.server import ThreadedMotoServer

        self.server = ThreadedMotoServer(ip_address="127.0.0.1", port=self.port, verbose=False)
        self.server.start()
        return self

    def stop(self) -> None:
        if self.server is not None:
            self.server.stop()
        self.server = None


class CeleryProcesses:
    """Real ``celery worker`` and ``celery beat`` processes on a test's database and broker, on a
    queue of their own (tests/worker_settings.py); each can be killed like a crashed host, and
    stop() ends every one that was started."""

    def __init__(self, *, cwd: Path, env: dict[str, str], log_dir: Path):
        self.cwd = cwd
        self.env = env
        self.log_dir = log_dir
        log_dir.mkdir(parents=True, exist_ok=True)
        self.started: list[subprocess.Popen] = []

    def _start(self, args: list[str], env: dict[str, str]) -> subprocess.Popen:
        command = [sys.executable, "-m", "celery", "-A", "qms", *args, "-l", "WARNING"]
        with open(self.log_dir / f"{len(self.started)}-{args[0]}.log", "wb") as log:
            process = subprocess.Popen(command, env={**self.env, **env}, cwd=self.cwd, stdout=log, stderr=log)
        self.started.append(process)
        return process

    def logs(self) -> str:
        """What the processes printed (warnings and errors): for a failing assertion's message."""
        logs = sorted(self.log_dir.glob("*.log"))
        return "\n".join(f"--- {log.name}\n{log.read_text(errors='replace')[-4000:]}" for log in logs)

    def worker(self, *, pool: str = "solo", env: dict[str, str] | None = None) -> subprocess.Popen:
        args = ["worker", f"--pool={pool}", "--without-mingle", "--without-gossip", "-Q", self.env["QMS_TEST_QUEUE"],
                "-n", f"test{len(self.started)}@%h"]  # fmt: skip
        if pool == "prefork":
            args += ["-c", "1"]
        return self._start(args, env or {})

    def beat(self, *, schedule_file: Path, env: dict[str, str] | None = None) -> subprocess.Popen:
        return self._start(["beat", "-s", str(schedule_file), "--pidfile="], env or {})

    def stop(self) -> None:
        for process in self.started:
            if process.poll() is None:
                process.terminate()
                try:
                    process.wait(timeout=30)
                except subprocess.TimeoutExpired:
                    process.kill()
                    process.wait()


def children(pid: int) -> list[int]:
    """Process ids whose parent is ``pid`` (a prefork worker's pool children)."""
    out = subprocess.run(["ps", "-o", "pid=", "--ppid", str(pid)], capture_output=True, text=True).stdout
    return [int(p) for p in out.split()]
