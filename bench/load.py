"""A mixed working day against the production-shaped stack (`bin/stack`), headless, bounded.

    # once: the volumes and the people (see docs/operations.md, "Load test")
    export DATABASE_URL=postgres://postgres@127.0.0.1:5432/qms_load
    .venv/bin/python manage.py seed_scale --posts 1000000 --reviews 1000000
    CELERY_BROKER_URL=redis://127.0.0.1:6379/8 DJANGO_MEDIA_ROOT=var/stack/media .venv/bin/python bench/load_seed.py
    # the stack, then the run (it stops by itself)
    QMS_HTTP_PORT=8608 WEB_CONCURRENCY=4 CELERY_BROKER_URL=redis://127.0.0.1:6379/8 bin/stack &
    .venv/bin/locust -f bench/load.py --headless -u 50 -r 0.5 -t 4m --host http://127.0.0.1:8608

Who (Locust users, by weight; one "ops" user besides):
  reviewers   work the queue: the queue page, the review page, then the keyboard
              page's submit as htmx sends it (HX-Request, X-CSRFToken) and the next review page
              htmx fetches from the answer's HX-Location;
  team leads  read their approval inbox, the revision and its diff, and approve (signed);
  readers     open what they must acknowledge and acknowledge it (signed);
  API clients list posts (following the cursor) and bulk-post 100 posts (token auth);
  dashboards  the home page and the metrics dashboard;
  ops (1)     starts one 100,000-row CSV import and one evidence pack build at the start and
              polls both; the run fails if either has not finished when it stops.
Everyone but the API clients logs in through the login form (CSRF), as a browser does.

At the end it prints per request type p50/p95/p99 (ms), requests/s and failures, and the CPU
seconds the stack's own processes (gunicorn, Celery, and the PostgreSQL backends serving this
database) spent per request, from their kernel counters (psutil), which holds on a busy machine
where wall-clock latencies do not. Exit status 1 on any failed request, an unfinished import or
pack, or a p95 over the target: 300 ms, plus one password hash (PBKDF2, timed on this machine at
the start) for the requests that check a password by design (login, token, signing).

Bounded: refuses to start without --headless and --run-time (at most 30 min), with more than
200 users or a spawn rate above 10/s, or against a host that is not loopback.
"""

from locust import HttpUser, between, events, task  # noqa: I001 - first: gevent monkey-patches sockets and SSL
import gevent

import ipaddress
import json
import os
import random
import re
import sys
import tempfile
import time
from pathlib import Path
from urllib.parse import urlsplit

sys.path.insert(0, str(Path(__file__).resolve().parent))
from import_csv import write_csv
from load_seed import AUDIT_REF, GROUPS, LOAD_PASSWORD, OPS, PREFIX

ROOT = Path(__file__).resolve().parent.parent
P95_TARGET_MS = 300
IMPORT_ROWS = int(os.environ.get("QMS_LOAD_IMPORT_ROWS", "100000"))
RUN_TAG = f"{int(time.time())}"
STATE = {"import": None, "pack": None, "started": None, "cpu": None}


# --- bounds ------------------------------------------------------------------------------------


@events.init.add_listener
def _bounded(environment, **_kwargs):
    opts = environment.parsed_options
    if opts is None:
        return
    problems = []
    if not opts.headless:
        problems.append("run it --headless")
    if not opts.run_time or opts.run_time > 30 * 60:
        problems.append("give --run-time of at most 30m")
    if opts.num_users > 200 or opts.spawn_rate > 10:
        problems.append("at most 200 users (-u) and 10/s spawn rate (-r)")
    host = urlsplit(opts.host or "").hostname or ""
    try:
        loopback = ipaddress.ip_address(host).is_loopback
    except ValueError:
        loopback = host == "localhost"
    if not loopback:
        problems.append("--host must be http://127.0.0.1:PORT (loopback only)")
    if problems:
        sys.stderr.write("bench/load.py: " + "; ".join(problems) + "\n")
        sys.exit(2)


# --- helpers -----------------------------------------------------------------------------------


class WebUser(HttpUser):
    """Logs in through the login form, as a browser does, then keeps its session cookie."""

    abstract = True
    group = ""
    counter = 0

    def username(self) -> str:
        cls = type(self)
        cls.counter += 1
        return f"{PREFIX}-{self.group}-{(cls.counter - 1) % GROUPS[self.group][1] + 1:02d}"

    def on_start(self):
        self.user_name = self.username()
        self.index = type(self).counter
        self.client.get("/accounts/login/", name="login page")
        with self.client.post(
            "/accounts/login/",
            data={
                "username": self.user_name,
                "password": LOAD_PASSWORD,
                "csrfmiddlewaretoken": self.csrf(),
            },
            name="login (password)",
            catch_response=True,
        ) as r:
            if "/accounts/login/" in r.url:
                r.failure(f"login as {self.user_name} failed")

    def csrf(self) -> str:
        return self.client.cookies.get("csrftoken", "")

    def form(self, url: str, data: dict, name: str, **kwargs):
        return self.client.post(
            url, data={"csrfmiddlewaretoken": self.csrf(), **data}, name=name, catch_response=True, **kwargs
        )


def _ids(pattern: str, text: str) -> list[int]:
    return [int(x) for x in re.findall(pattern, text)]


# --- the people --------------------------------------------------------------------------------


class Reviewer(WebUser):
    """Works the queue, a review every few seconds (keyboard: p for each item, then s)."""

    weight = 20
    group = "reviewer"
    wait_time = between(1, 3)

    def on_start(self):
        super().on_start()
        self.post_id = None
        self.page = ""

    def queue(self):
        """The queue page; then a post of its first page, each reviewer a different one (all the
        seeded waiting posts are one account's, so an account filter would not spread them)."""
        r = self.client.get("/reviews/", name="review queue")
        listed = list(dict.fromkeys(_ids(r'href="/reviews/posts/(\d+)/"', r.text)))
        self.post_id = listed[(self.index * 2 + random.randrange(2)) % len(listed)] if listed else None
        if self.post_id:
            self.page = self.client.get(f"/reviews/posts/{self.post_id}/review/", name="review page").text

    @task
    def review(self):
        if self.post_id is None or random.random() < 0.05:  # now and then back to the queue
            self.queue()
            if self.post_id is None:
                return
        page = self.page
        checklist = re.search(r'name="checklist" value="(\d+)"', page)
        started = re.search(r'name="started_at" value="([^"]+)"', page)
        items = sorted(set(_ids(r'name="item-(\d+)"', page)))
        if not checklist or not items:
            self.post_id = None
            return
        gevent.sleep(random.uniform(2, 5))  # reading the post, pressing p for each item
        data = {"checklist": checklist.group(1), "started_at": started.group(1) if started else "", "notes": ""}
        data["stage"] = (re.search(r'<option value="([a-z_]+)" selected', page) or re.search(r"()", "")).group(1)
        data.update({f"item-{i}": "pass" for i in items})
        review_url = f"/reviews/posts/{self.post_id}/review/"
        headers = {
            "HX-Request": "true",
            "HX-Current-URL": self.host + review_url,
            "HX-Target": "review-main",
            "X-CSRFToken": self.csrf(),
        }
        with self.client.post(
            f"{review_url}submit/", data=data, headers=headers, name="review submit (htmx)", catch_response=True
        ) as r:
            location = r.headers.get("HX-Location")
            if not location:
                r.failure("no HX-Location: the review was not saved")
                self.post_id = None
                return
        path = json.loads(location)["path"]
        nxt = re.match(r"/reviews/posts/(\d+)/review/", path)
        headers = {"HX-Request": "true", "HX-Current-URL": self.host + review_url, "HX-Target": "review-main"}
        self.page = self.client.get(path, headers=headers, name="review page (htmx next)").text
        self.post_id = int(nxt.group(1)) if nxt else None


class TeamLead(WebUser):
    """Reads revisions waiting for them, with the diff, and approves (signing with the password)."""

    weight = 5
    group = "lead"
    wait_time = between(5, 10)

    @task
    def approve(self):
        r = self.client.get("/documents/approvals/", name="approvals inbox")
        mine = r.text.split('id="acks"')[0]
        waiting = _ids(r'/documents/versions/(\d+)/"', mine)
        leads = GROUPS["lead"][1]
        waiting = [v for v in waiting if v % leads == (self.index - 1) % leads] or waiting[:0]
        if not waiting:
            self.client.get("/documents/", name="document register")
            return
        version = random.choice(waiting)
        self.client.get(f"/documents/versions/{version}/", name="version page")
        self.client.get(f"/documents/versions/{version}/diff/", name="version diff")
        gevent.sleep(random.uniform(3, 8))  # reading the diff
        with self.form(
            f"/documents/versions/{version}/approve/",
            {"password": LOAD_PASSWORD, "comment": "Reads well."},
            name="approve (password)",
        ) as r:
            if "Approved and signed" not in r.text:
                r.failure("approval not confirmed")


class Reader(WebUser):
    """Acknowledges the SOPs in force they were asked to read (signing with the password)."""

    weight = 8
    group = "reader"
    wait_time = between(5, 15)

    @task
    def acknowledge(self):
        r = self.client.get("/documents/approvals/", name="approvals inbox")
        todo = _ids(r'/documents/versions/(\d+)/"', r.text.split('id="acks"')[-1])
        if not todo:
            self.client.get("/documents/", name="document register")
            return
        version = random.choice(todo)
        self.client.get(f"/documents/versions/{version}/", name="version page")
        gevent.sleep(random.uniform(2, 6))  # reading it
        with self.form(
            f"/documents/versions/{version}/acknowledge/", {"password": LOAD_PASSWORD}, name="acknowledge (password)"
        ) as r:
            if "Acknowledged and signed" not in r.text:
                r.failure("acknowledgement not confirmed")


class Dashboard(WebUser):
    weight = 8
    group = "dash"
    wait_time = between(5, 15)

    @task(2)
    def home(self):
        self.client.get("/", name="home dashboard")

    @task(3)
    def metrics(self):
        self.client.get("/metrics/", name="metrics dashboard")


class TokenUser(HttpUser):
    abstract = True

    def token_login(self, username: str) -> None:
        r = self.client.post(
            "/api/v1/auth/token/",
            json={"username": username, "password": LOAD_PASSWORD, "name": f"load {RUN_TAG}"},
            name="api token (password)",
        )
        self.client.headers["Authorization"] = f"Token {r.json()['token']}"
        me = self.client.get("/api/v1/me/", name="api me").json()
        self.team = next(m["team_id"] for m in me["memberships"] if m["team"] == "Scale")


class ApiClient(TokenUser):
    """An integration: pages through posts and pushes posts in bulk (idempotent on external_id)."""

    weight = 8
    wait_time = between(2, 6)
    counter = 0

    def on_start(self):
        ApiClient.counter += 1
        self.index = ApiClient.counter
        self.token_login(f"{PREFIX}-api-{(self.index - 1) % GROUPS['api'][1] + 1:02d}")
        accounts = self.client.get("/api/v1/social-accounts/?page_size=50", name="api social accounts").json()
        self.accounts = [a["id"] for a in accounts["results"] if a["handle"].startswith("scale")]
        self.sent = 0

    @task(3)
    def list_posts(self):
        params = random.choice(["", "&review_state=pending", f"&account={random.choice(self.accounts)}"])
        r = self.client.get(f"/api/v1/posts/?page_size=50{params}", name="api posts list")
        for _ in range(2):
            nxt = r.json().get("next")
            if not nxt:
                break
            r = self.client.get(nxt, name="api posts list (next page)")

    @task(1)
    def bulk_post(self):
        account = random.choice(self.accounts)
        rows = []
        for _ in range(100):
            self.sent += 1
            n = self.sent
            rows.append(
                {
                    "account": account,
                    "external_id": f"load-{RUN_TAG}-{self.index}-{n}",
                    "text": f"Load post {n}: our winter range is here #knitwear #ad https://brand.example/w/{n}",
                    "url": f"https://social.example/load/{RUN_TAG}/{self.index}/{n}",
                    "status": "scheduled",
                    "scheduled_at": "2027-01-05T10:00:00Z",
                }
            )
        with self.client.post("/api/v1/posts/", json=rows, name="api posts bulk (100)", catch_response=True) as r:
            if r.status_code != 201 or len(r.json()) != 100:
                r.failure(f"bulk post: {r.status_code} {r.text[:200]}")


class Ops(TokenUser):
    """One QA manager: a 100,000-row CSV import and an evidence pack build, polled to the end."""

    fixed_count = 1
    wait_time = between(5, 5)

    def on_start(self):
        self.token_login(OPS)
        handle = f"loadimport{RUN_TAG}"
        account = self.client.post(
            "/api/v1/social-accounts/",
            json={"team": self.team, "platform": "instagram", "handle": handle},
            name="api social account create",
        ).json()
        fd, path = tempfile.mkstemp(suffix=".csv")
        os.close(fd)
        write_csv(path, IMPORT_ROWS, handle)
        STATE["import"] = {"started": time.time(), "done": None, "status": "uploading", "account": account["id"]}
        with open(path, "rb") as fh:
            r = self.client.post(
                "/api/v1/posts/import/",
                data={"team": self.team, "kind": "csv"},
                files={"file": (f"load-{IMPORT_ROWS}.csv", fh, "text/csv")},
                name="api import upload (100k rows)",
            )
        os.unlink(path)
        STATE["import"].update(id=r.json()["id"], status=r.json()["status"])
        audits = self.client.get("/api/v1/audits/?page_size=200", name="api audits list").json()["results"]
        audit = next(a for a in audits if a["reference"] == AUDIT_REF)
        job = self.client.post(f"/api/v1/audits/{audit['id']}/evidence-pack/", name="api evidence pack start").json()
        STATE["pack"] = {"started": time.time(), "done": None, "status": job["status"], "id": job["id"]}

    @task
    def poll(self):
        run = STATE["import"]
        if run and run.get("id") and run["done"] is None:
            body = self.client.get(f"/api/v1/post-imports/{run['id']}/", name="api import status").json()
            run.update(status=body["status"], rows=body["rows_done"], created=body["created_count"])
            run["errors"] = body["error_count"]
            if body["status"] in ("done", "failed"):
                run["done"] = time.time()
        pack = STATE["pack"]
        if pack and pack["done"] is None:
            body = self.client.get(f"/api/v1/evidence-pack-jobs/{pack['id']}/", name="api evidence pack status").json()
            pack.update(status=body["status"], size=body.get("size"))
            if body["status"] in ("done", "failed"):
                pack["done"] = time.time()


# --- CPU of the stack's processes --------------------------------------------------------------


class CpuMeter:
    """Sums user+system CPU seconds of the stack's processes over the run: gunicorn and Celery
    processes started from this checkout (by their working directory), and the PostgreSQL
    backends connected to the stack's database. Sampled every second, so processes that start
    or end during the run are counted (a process that lives less than a second may be missed)."""

    def __init__(self, database_url: str):
        self.database_url = database_url
        self.seen: dict[tuple[int, float], list] = {}  # (pid, create time) -> [kind, first, last]
        self.started = time.time()
        self.running = True

    def _app_processes(self):
        import psutil

        for proc in psutil.process_iter(["pid", "cmdline", "cwd", "create_time"]):
            cmd = " ".join(proc.info["cmdline"] or [])
            if proc.info["cwd"] != str(ROOT):
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


def _hash_ms() -> float:
    """One PBKDF2 password check as the server does it (Django's iteration count), timed here:
    requests that check a password (login, token, signing) get that on top of the target."""
    import hashlib

    from django.contrib.auth.hashers import PBKDF2PasswordHasher

    started = time.process_time()
    hashlib.pbkdf2_hmac("sha256", b"password", b"salt", PBKDF2PasswordHasher.iterations)
    return 1000 * (time.process_time() - started)


def _loadavg() -> str:
    return " ".join(Path("/proc/loadavg").read_text().split()[:3])


@events.test_start.add_listener
def _start(environment, **_kwargs):
    STATE["hash_ms"] = _hash_ms()
    STATE["started"] = time.time()
    STATE["uptime_before"] = _loadavg()
    meter = CpuMeter(os.environ.get("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/qms_load"))
    meter.sample()
    STATE["cpu"] = meter
    gevent.spawn(meter.loop)


@events.test_stop.add_listener
def _stop(environment, **_kwargs):
    meter = STATE["cpu"]
    if meter is not None:
        meter.sample()
        meter.running = False
    STATE["stopped"] = time.time()
    STATE["uptime_after"] = _loadavg()


@events.quitting.add_listener
def _report(environment, **_kwargs):
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
