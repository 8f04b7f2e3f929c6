"""Time of the quality rollups and of the charts that read them, at scale.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/qms_bench_rollq .venv/bin/python bench/rollup_quality.py

Seeds (once, by set-based SQL, so the queue triggers fire as for any bulk write) three years of
one team's quality records: 20,000 NCs, 10,000 CAPAs with 40,000 action items, 50,000
acknowledgements of 500 SOP versions, 10,000 audit findings and 5,000 sampling lots. Then times a
full rebuild, an incremental run after one CAPA closes, and the dashboard's quality reads over
three years by day (median of 5 after a warm-up).
"""

import statistics
import time

from common import setup

SEED = """
INSERT INTO capa_correctiveaction (reference, team_id, title, owner_id, status, opened_at, opened_by_id, five_whys,
    fishbone, root_cause, root_cause_category, reopen_reason, cancel_reason, closed_at, closed_by_id, cancelled_at)
SELECT 'B-CAPA-' || g, %(team)s, 'bench', %(user)s,
       CASE WHEN g %% 10 < 6 THEN 'closed' WHEN g %% 10 = 6 THEN 'cancelled' ELSE 'implementing' END,
       now() - (g %% 1095) * interval '1 day', %(user)s, '[]', '{}', '', '', '', '',
       CASE WHEN g %% 10 < 6 THEN now() - (g %% 1095) * interval '1 day' + (g %% 60) * interval '1 day' END,
       CASE WHEN g %% 10 < 6 THEN %(user)s END,
       CASE WHEN g %% 10 = 6 THEN now() - (g %% 1095) * interval '1 day' + interval '3 days' END
  FROM generate_series(1, 10000) g;
INSERT INTO capa_actionitem (corrective_action_id, description, action_type, owner_id, due_date, done_at, done_by_id,
    done_note, created_at, created_by_id)
SELECT c.id, 'bench', 'corrective', %(user)s, (c.opened_at + (k * 7) * interval '1 day')::date,
       CASE WHEN c.status = 'closed' THEN c.closed_at - interval '1 day' END,
       CASE WHEN c.status = 'closed' THEN %(user)s END, '', c.opened_at, %(user)s
  FROM capa_correctiveaction c CROSS JOIN generate_series(1, 4) k WHERE c.reference LIKE 'B-CAPA-%%';
INSERT INTO capa_nonconformity (reference, team_id, source_kind, category, severity, title, description, status,
    detected_at, detected_by_id, decision, decision_justification, decided_at, decided_by_id, corrective_action_id,
    created_at)
SELECT 'B-NC-' || g, %(team)s, (ARRAY['complaint','other','post_review_defect','audit_finding'])[1 + g %% 4],
       (ARRAY['disclosure','link','timing','process'])[1 + g %% 4], 'major', 'bench', 'bench',
       CASE WHEN g %% 3 = 0 THEN 'closed' ELSE 'open' END,
       now() - (g %% 1095) * interval '1 day', %(user)s,
       CASE WHEN g %% 3 = 0 THEN 'no_action' ELSE '' END, '',
       CASE WHEN g %% 3 = 0 THEN now() - (g %% 1095) * interval '1 day' + interval '2 days' END,
       CASE WHEN g %% 3 = 0 THEN %(user)s END, NULL, now()
  FROM generate_series(1, 20000) g;
INSERT INTO audits_finding (audit_id, number, team_id, classification, clause, statement, requirement, evidence_text,
    auditee_response, created_at, created_by_id)
SELECT %(audit)s, g, %(team)s, (ARRAY['major_nc','minor_nc','observation','ofi'])[1 + g %% 4],
       (ARRAY['7.5.3','8.5.1','9.1.3','7.2','8.7',''])[1 + g %% 6], 'bench', '', '', '',
       now() - (g %% 1095) * interval '1 day', %(user)s
  FROM generate_series(1, 10000) g;
INSERT INTO post_reviews_samplinglot (team_id, account_id, period_start, period_end, method, code_letter, lot_size,
    sample_size, accept, reject, seed, sample_post_ids, status, defectives, decided_at, created_by_id, created_at)
SELECT %(team)s, NULL, current_date, current_date, 'percentage', '', 100, 10, 1, 2, g, '[]',
       CASE WHEN g %% 5 = 0 THEN 'rejected' ELSE 'accepted' END, 0,
       now() - (g %% 1095) * interval '1 day', %(user)s, now()
  FROM generate_series(1, 5000) g;
"""


def _seed_acks(cursor, team, user, users):
    cursor.execute(
        "INSERT INTO docs_control_document (number, title, team_id, owner_id, kind, source_url,"
        " review_interval_months, required_approvals, created_at, search_text)"
        " SELECT 'B-SOP-' || g, 'bench', %s, %s, 'sop', '', 12, 1, now(), '' FROM generate_series(1, 500) g",
        [team, user],
    )
    cursor.execute(
        "INSERT INTO docs_control_documentversion (document_id, major, minor, body, change_summary, author_id,"
        " status, lock_version, review_round, created_at, obsolete_reason, review_comment)"
        " SELECT id, 1, 0, '', '', %s, 'effective', 1, 0, now(), '', '' FROM docs_control_document"
        " WHERE number LIKE 'B-SOP-%%'",
        [user],
    )
    cursor.execute(
        "INSERT INTO docs_control_acknowledgement (version_id, user_id, requested_at, due_at, acknowledged_at)"
        " SELECT v.id, u, now() - (v.id %% 1095) * interval '1 day' - interval '14 days',"
        "        now() - (v.id %% 1095) * interval '1 day',"
        "        CASE WHEN u %% 4 = 0 THEN NULL ELSE now() - (v.id %% 1095) * interval '1 day'"
        "             + (u %% 3 - 1) * interval '1 day' END"
        "   FROM docs_control_documentversion v JOIN docs_control_document d ON d.id = v.document_id"
        "  CROSS JOIN unnest(%s::int[]) u WHERE d.number LIKE 'B-SOP-%%'",
        [users],
    )


def timed(fn, runs: int = 5) -> float:
    fn()
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        fn()
        times.append((time.perf_counter() - start) * 1000)
    return statistics.median(times)


def main() -> None:
    setup()
    from datetime import timedelta

    from django.db import connection, transaction
    from django.utils import timezone

    from accounts.models import Membership, Team, User
    from audits.models import Audit, AuditProgramme
    from capa.models import CorrectiveAction
    from metrics.definitions import METRICS
    from metrics.selectors import Filters
    from metrics.selectors_quality import ack_compliance, breakdown, capa_ageing, findings_matrix
    from metrics.services import rollup_metrics

    team, _ = Team.objects.get_or_create(name="Bench quality")
    user = User.objects.filter(username="bench-q").first() or User.objects.create_user("bench-q")
    Membership.objects.get_or_create(user=user, team=team, defaults={"role": "qa_manager"})
    if not CorrectiveAction.objects.filter(reference="B-CAPA-1").exists():
        users = [User.objects.get_or_create(username=f"bench-q{n}")[0].pk for n in range(100)]
        programme, _ = AuditProgramme.objects.get_or_create(
            team=team, year=2026, defaults={"objectives": "bench", "owner": user}
        )
        audit = Audit.objects.filter(reference="B-AUD-1").first() or Audit.objects.create(
            reference="B-AUD-1",
            programme=programme,
            team=team,
            title="bench",
            audit_type="process",
            lead_auditor=user,
            planned_start=timezone.localdate(),
            planned_end=timezone.localdate(),
        )
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(SEED, {"team": team.pk, "user": user.pk, "audit": audit.pk})
            _seed_acks(cursor, team.pk, user.pk, users)
    start = time.perf_counter()
    run = rollup_metrics(full=True)
    print(f"full rebuild: {run.keys} keys in {(time.perf_counter() - start) * 1000:.0f} ms")
    capa = CorrectiveAction.objects.filter(reference__startswith="B-CAPA-", status="implementing").first()
    with connection.cursor() as cursor:
        cursor.execute("UPDATE capa_correctiveaction SET status = 'closed', closed_at = now() WHERE id = %s", [capa.pk])
    start = time.perf_counter()
    run = rollup_metrics()
    print(f"incremental after one CAPA closed: {run.keys} keys in {(time.perf_counter() - start) * 1000:.1f} ms")
    today = timezone.localdate()
    f = Filters(team_ids=frozenset({team.pk}), day_from=today - timedelta(days=1095), day_to=today, interval="day")
    fw = Filters(**{**f.__dict__, "interval": "week"})
    print(
        f"capa_ageing, 3 years by day ({len(capa_ageing(f)['points'])} points): {timed(lambda: capa_ageing(f)):.1f} ms"
    )
    print(f"capa_ageing, 3 years by week: {timed(lambda: capa_ageing(fw)):.1f} ms")
    nc = METRICS["nc_opened"]
    print(f"NCs by source, 3 years by week: {timed(lambda: breakdown(nc, fw, 'source')):.1f} ms")
    print(f"findings by clause and classification: {timed(lambda: findings_matrix(f)):.1f} ms")
    print(f"acknowledgements per SOP (500 SOPs): {timed(lambda: ack_compliance(f, user=user)):.1f} ms")


if __name__ == "__main__":
    main()
