"""Server time and query count of the audit list and the finding list, page and API, at scale.

    createdb -h 127.0.0.1 -U postgres qms_auditsx    # any database of your own
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/qms_auditsx .venv/bin/python -u bench/audit_lists.py
    (--audits 10000 --findings 100000 are the defaults)

Seeds (once) a team with 10,000 audits and 100,000 findings set-based (``bulk_create`` in
2,000-row batches; the synthetic rows have no history rows, they are never edited), plus a
second team's 1,000 audits the benchmark user must not see. Then requests go through Django's
full stack in process (no network): first pages, deep pages and filtered pages, as a QA manager
of the team (sees every audit) and as an auditor (sees the audits assigned to them). Each URL is
timed over 5 runs after one warm-up; the medians of wall time, process CPU time and SQL time
are printed as a Markdown table row with the query count.
"""

import argparse
import base64
import statistics
import time
from datetime import date, timedelta
from urllib.parse import quote

from common import setup

TEAM, OTHER = "Audit scale", "Audit scale (other team)"
BATCH = 2_000
CLASSES = ["major_nc", "minor_nc", "observation", "ofi", "observation"]
STATUSES = ["closed", "closed", "reporting", "in_progress", "planned", "cancelled"]
CLAUSES = ["7.5.3", "8.5.1", "8.6", "9.2", "10.2"]


def cursor_after(position: int) -> str:
    # DRF's cursor: base64 of "p=<position>" for the ordering field (-id).
    return quote(base64.b64encode(f"p={position}".encode()).decode())


def _people(team_name: str, suffix: str):
    from accounts.models import User
    from accounts.services import membership_grant, team_create

    team = team_create(name=team_name)
    qa, _ = User.objects.get_or_create(username=f"audit-scale-qa{suffix}", defaults={"first_name": "Scale"})
    auditor, _ = User.objects.get_or_create(username=f"audit-scale-auditor{suffix}", defaults={"first_name": "Aud"})
    lead, _ = User.objects.get_or_create(username=f"audit-scale-lead{suffix}", defaults={"first_name": "Lead"})
    membership_grant(team=team, user=qa, role="qa_manager", by=None)
    membership_grant(team=team, user=auditor, role="auditor", by=None)
    membership_grant(team=team, user=lead, role="team_lead", by=None)
    return team, qa, auditor, lead


def seed(team_name: str, suffix: str, n_audits: int, n_findings: int) -> None:
    from django.db import transaction

    from audits.models import Audit, AuditProgramme, Finding

    team, qa, auditor, lead = _people(team_name, suffix)
    have = Audit.objects.filter(team=team).count()
    if have >= n_audits:
        return
    years = range(2016, 2027)
    programmes = [
        AuditProgramme.objects.get_or_create(team=team, year=y, defaults={"objectives": "Scale", "owner": qa})[0]
        for y in years
    ]
    other_auditor = auditor if suffix else qa
    started = time.perf_counter()
    with transaction.atomic():
        audits = []
        for i in range(have, n_audits):
            start = date(2016, 1, 4) + timedelta(days=(i * 4015) // n_audits)
            audits.append(
                Audit(
                    reference=f"SC{suffix}-{i:06d}",
                    programme=programmes[min(start.year - 2016, len(programmes) - 1)],
                    team=team,
                    title=f"Scale audit {i}",
                    audit_type=["process", "content", "supplier"][i % 3],
                    status=STATUSES[i % len(STATUSES)],
                    clauses=[CLAUSES[i % 5]],
                    # Every 7th audit led by the auditor, every 5th with them as another auditor.
                    lead_auditor=auditor if i % 7 == 0 else qa,
                    planned_start=start,
                    planned_end=start + timedelta(days=2),
                    created_by=qa,
                )
            )
        for at in range(0, len(audits), BATCH):
            Audit.objects.bulk_create(audits[at : at + BATCH])
        audits = list(Audit.objects.filter(team=team).order_by("id"))
        Audit.audited_teams.through.objects.bulk_create(
            [Audit.audited_teams.through(audit_id=a.pk, team_id=team.pk) for a in audits], batch_size=BATCH
        )
        Audit.auditors.through.objects.bulk_create(
            [Audit.auditors.through(audit_id=a.pk, user_id=other_auditor.pk) for a in audits[::5]],
            batch_size=BATCH,
        )
        per_audit = max(1, n_findings // len(audits))
        rows = []
        for index, audit in enumerate(audits):
            for number in range(1, per_audit + 1):
                k = index * per_audit + number
                answered = k % 3 == 0
                rows.append(
                    Finding(
                        audit=audit,
                        number=number,
                        team=team,
                        classification=CLASSES[k % len(CLASSES)],
                        clause=CLAUSES[k % 5],
                        statement=f"Finding {k}: the sampled post had no disclosure",
                        auditee_response="Fixed." if answered else "",
                        responded_by=lead if answered else None,
                        response_due=audit.planned_end + timedelta(days=14),
                        created_by=qa,
                    )
                )
            if len(rows) >= BATCH:
                Finding.objects.bulk_create(rows)
                rows = []
        if rows:
            Finding.objects.bulk_create(rows)
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("ANALYZE audits_audit; ANALYZE audits_finding; ANALYZE audits_audit_auditors")
    print(
        f"seeded {team_name}: {len(audits):,} audits, {len(audits) * per_audit:,} findings "
        f"in {time.perf_counter() - started:.1f} s"
    )


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--audits", type=int, default=10_000)
    parser.add_argument("--findings", type=int, default=100_000)
    args = parser.parse_args()
    setup()
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    from accounts.models import User
    from audits.models import Audit, Finding

    seed(TEAM, "", args.audits, args.findings)
    seed(OTHER, "b", args.audits // 10, args.findings // 10)
    qa = User.objects.get(username="audit-scale-qa")
    auditor = User.objects.get(username="audit-scale-auditor")
    audits = Audit.objects.filter(team__name=TEAM)
    findings = Finding.objects.filter(audit__team__name=TEAM)
    deep_audit = audits.order_by("id").values_list("id", flat=True)[50]
    deep_finding = findings.order_by("id").values_list("id", flat=True)[100]
    # A cursor 50 audits before the oldest: the list's last pages.
    deep_start = audits.order_by("planned_start", "id").values_list("planned_start", "id")[50]
    one_audit = audits.order_by("id").values_list("id", flat=True)[audits.count() // 2]
    print(f"audits in team: {audits.count():,}; findings: {findings.count():,}")
    # wall: the request's elapsed time; cpu: this process's CPU time for it (Django, templates,
    # serializers: what a loaded machine inflates least); sql: the queries' elapsed time.
    print("| case | wall ms | cpu ms | sql ms | queries | URL |\n|---|---|---|---|---|---|")
    cases = [
        (qa, "audit list page 1", "/audits/"),
        (qa, "audit list deep (keyset)", f"/audits/?after={deep_start[0]:%Y-%m-%d}:{deep_start[1]}"),
        (qa, "audit list filtered", "/audits/?status=closed&audit_type=process"),
        (auditor, "audit list as auditor", "/audits/"),
        (qa, "API audits page 1", "/api/v1/audits/"),
        (qa, "API audits deep", f"/api/v1/audits/?cursor={cursor_after(deep_audit)}"),
        (qa, "API audits filtered", "/api/v1/audits/?status=closed&audit_type=process"),
        (auditor, "API audits as auditor", "/api/v1/audits/"),
        (qa, "finding list page 1", "/audits/findings/"),
        (qa, "finding list deep", f"/audits/findings/?after={deep_finding}"),
        (qa, "finding list filtered", "/audits/findings/?classification=major_nc&awaiting=on"),
        (auditor, "finding list as auditor", "/audits/findings/"),
        (qa, "API findings page 1", "/api/v1/findings/"),
        (qa, "API findings deep", f"/api/v1/findings/?cursor={cursor_after(deep_finding)}"),
        (qa, "API findings filtered", "/api/v1/findings/?classification=major_nc"),
        (qa, "API findings of one audit", f"/api/v1/findings/?audit={one_audit}"),
        (auditor, "API findings as auditor", "/api/v1/findings/"),
    ]
    clients = {}
    for user in (qa, auditor):
        clients[user.pk] = Client(SERVER_NAME="localhost")
        clients[user.pk].force_login(user)
    for user, name, url in cases:
        client = clients[user.pk]
        client.get(url)
        times, cpu, sql = [], [], []
        for _ in range(5):
            with CaptureQueriesContext(connection) as queries:
                start, start_cpu = time.perf_counter(), time.process_time()
                response = client.get(url)
                times.append((time.perf_counter() - start) * 1000)
                cpu.append((time.process_time() - start_cpu) * 1000)
            sql.append(sum(float(q["time"]) for q in queries.captured_queries) * 1000)
            assert response.status_code == 200, (url, response.status_code)
        print(
            f"| {name} | {statistics.median(times):.1f} | {statistics.median(cpu):.1f} | "
            f"{statistics.median(sql):.1f} | {len(queries)} | `{url[:60]}` |"
        )


if __name__ == "__main__":
    main()
