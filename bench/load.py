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
from load_report import CpuMeter, hash_ms, loadavg, report
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


@events.test_start.add_listener
def _start(environment, **_kwargs):
    STATE["hash_ms"] = hash_ms()
    STATE["started"] = time.time()
    STATE["uptime_before"] = loadavg()
    meter = CpuMeter(os.environ.get("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/qms_load"), ROOT)
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
    STATE["uptime_after"] = loadavg()


@events.quitting.add_listener
def _report(environment, **_kwargs):
    report(environment, STATE, P95_TARGET_MS)
