"""The load test's report: CPU of the stack's processes over the run, the per-request table and
the verdict (bench/load.py imports this after locust, which monkey-patches first)."""

import time
from pathlib import Path

import gevent

# --- CPU of the stack's processes --------------------------------------------------------------


class CpuMeter:
    """Sums user+system CPU seconds of the stack's processes over the run: gunicorn and Celery
    processes started from this checkout (by their working directory), and the PostgreSQL
    backends connected to the stack's database. Sampled every second, so processes that start
    or end during the run are counted (a process that lives less than a second may be missed)."""

    def __init__(self, database_url: str, root: Path):
        self.database_url = database_url
        self.root = root
        self.seen: dict[tuple[int, float], list] = {}  # (pid, create time) -> [kind, first, last]
        self.started = time.time()
        self.running = True

    def _app_processes(self):
        import psutil

        for proc in psutil.process_iter(["pid", "cmdline", "cwd", "create_time"]):
            cmd = " ".join(proc.info["cmdline"] or [])
            if proc.info["cwd"] != str(self.root):
                continue
            if "bin/gunicorn" in cmd:
                yield proc, "web"
            elif "bin/celery" in cmd:
                yield proc, "workers"

    def _db_backends(self):
        import psutil
        import psycopg

        try:
            with psycopg.connect(self.database_url, connect_timeout=3) as conn:
                pids = [
                    r[0]
                    for r in conn.execute(
                        "SELECT pid FROM pg_stat_activity"
                        " WHERE datname = current_database() AND pid <> pg_backend_pid()"
                    )
                ]
        except psycopg.Error:
            return
        for pid in pids:
            try:
                yield psutil.Process(pid), "database"
            except psutil.Error:
                continue

    def sample(self) -> None:
        import psutil

        for proc, kind in [*self._app_processes(), *self._db_backends()]:
            try:
                times = proc.cpu_times()
                key = (proc.pid, proc.create_time())
            except psutil.Error:
                continue
            cpu = times.user + times.system + times.children_user + times.children_system
            if key not in self.seen:
                first = cpu if key[1] < self.started else 0.0  # born during the run: all of it counts
                self.seen[key] = [kind, first, cpu]
            self.seen[key][2] = cpu

    def loop(self) -> None:
        while self.running:
            self.sample()
            gevent.sleep(1)

    def totals(self) -> dict[str, float]:
        out: dict[str, float] = {"web": 0.0, "workers": 0.0, "database": 0.0}
        for kind, first, last in self.seen.values():
            out[kind] += last - first
        return out


def hash_ms() -> float:
    """One PBKDF2 password check as the server does it (Django's iteration count), timed here:
    requests that check a password (login, token, signing) get that on top of the target."""
    import hashlib

    from django.contrib.auth.hashers import PBKDF2PasswordHasher

    started = time.process_time()
    hashlib.pbkdf2_hmac("sha256", b"password", b"salt", PBKDF2PasswordHasher.iterations)
    return 1000 * (time.process_time() - started)


def loadavg() -> str:
    return " ".join(Path("/proc/loadavg").read_text().split()[:3])


def report(environment, STATE: dict, P95_TARGET_MS: int) -> None:
    """Print the table and the CPU figures; exit status 1 on a failure, an unfinished job or a p95
    over the target."""
    stats = environment.stats
    elapsed = max(1e-9, STATE.get("stopped", time.time()) - (STATE["started"] or time.time()))
    rows = sorted(stats.entries.values(), key=lambda e: (e.name, e.method))
    total = stats.total
    over = []
    print()
    print(f"{'request':<36} {'n':>6} {'fail':>5} {'req/s':>6} {'p50 ms':>7} {'p95 ms':>7} {'p99 ms':>7}")
    for e in [*rows, total]:
        p50, p95, p99 = (e.get_response_time_percentile(q) or 0 for q in (0.5, 0.95, 0.99))
        name = "all" if e is total else f"{e.method} {e.name}"
        print(
            f"{name:<36} {e.num_requests:>6} {e.num_failures:>5} {e.num_requests / elapsed:>6.2f} "
            f"{p50:>7.0f} {p95:>7.0f} {p99:>7.0f}"
        )
        target = P95_TARGET_MS + (STATE["hash_ms"] if "(password)" in name else 0)
        if e is not total and p95 > target and e.num_requests:
            over.append(name)
    cpu = STATE["cpu"].totals() if STATE["cpu"] else {}
    n = max(1, total.num_requests)
    cpu_total = sum(cpu.values())
    print(
        f"\nserver CPU over {elapsed:.0f} s: web {cpu.get('web', 0):.1f} s, workers {cpu.get('workers', 0):.1f} s, "
        f"database {cpu.get('database', 0):.1f} s; {cpu_total:.1f} s in all"
    )
    print(
        f"server CPU per request: {1000 * cpu_total / n:.1f} ms in all (web {1000 * cpu.get('web', 0) / n:.1f} ms, "
        f"database {1000 * cpu.get('database', 0) / n:.1f} ms; the workers' import and pack included in 'all')"
    )
    # Without the deliberate key stretching: what the rest of the mix costs the web processes.
    hashes = sum(e.num_requests for e in rows if "(password)" in e.name)
    rest = max(1, n - hashes)
    web_rest = max(0.0, cpu.get("web", 0) - hashes * STATE["hash_ms"] / 1000)
    print(
        f"web CPU per request without the {hashes} password checks ({STATE['hash_ms']:.0f} ms each): "
        f"{1000 * web_rest / rest:.1f} ms over {rest} requests"
    )
    print(f"load average (1, 5, 15 min) before {STATE.get('uptime_before')}, after {STATE.get('uptime_after')}")
    crashed = sum(e["count"] for e in environment.runner.exceptions.values()) if environment.runner else 0
    if crashed:
        print(f"exceptions in the users' code: {crashed} (see the log above)")
    ok = total.num_failures == 0 and not crashed
    for label in ("import", "pack"):
        job = STATE[label] or {}
        finished = job.get("done") is not None and job.get("status") == "done"
        took = f"{job['done'] - job['started']:.0f} s" if job.get("done") else "not finished"
        extra = {k: job.get(k) for k in ("rows", "created", "errors", "size") if job.get(k) is not None}
        print(f"{label}: {job.get('status', 'not started')}, {took} {extra}")
        ok = ok and finished
    print(
        f"p95 target: {P95_TARGET_MS} ms; requests marked (password) check one PBKDF2 hash, which took "
        f"{STATE['hash_ms']:.0f} ms of CPU here, and get {P95_TARGET_MS} ms on top of it"
    )
    if over:
        print(f"p95 over the target: {', '.join(over)}")
    if not ok or over:
        environment.process_exit_code = 1
