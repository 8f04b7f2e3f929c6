"""The rollup SQL of the quality records: sampling lots, nonconformities, CAPAs and their action
items, acknowledgements and audit findings (tables in ``models_quality.py``).

Same shape as ``rollups.py``: each statement aggregates every (team, day) key of the run from
``metrics_keys`` and upserts; stale rows go by run token; a full rebuild and an incremental run
execute the same statements. The keys come from the same dirty queue, fed by the statement
triggers below in the changing transaction, so a late commit is refreshed by the next run.

Which business day a record counts on:

- lot: the day it was decided (accepted or rejected);
- NC: opened the day it was detected, closed the day its CAPA closed (or, without a CAPA, the day
  of the signed no-action decision);
- CAPA: opened, closed and cancelled on those days; its state and its action items' states on
  the day it opened (so any change to it or to an item refreshes that one day);
- acknowledgement: the day it was due;
- finding: the day it was recorded.

These tables are small beside the posts and reviews (thousands to a few hundred thousand rows),
so each statement joins the keys on the record's computed business day: one hash join over the
table per run, whatever the number of keys (the per-key index probes of ``rollups.py`` would need
indexes on other apps' timestamps, and probed every team row once per key without them).
"""

from .rollups import trigger_sql

_TZ = "AT TIME ZONE %(tz)s)::date"
_END = "DATE '9999-12-31'"  # models_quality.OPEN_END

# Extra keys of a (ranged) full rebuild: every day these records count on, and the days the
# rollups hold (so a day whose last record went is emptied).
KEYS_FROM_RANGE = f"""
INSERT INTO metrics_keys (team_id, day)
SELECT DISTINCT team_id, day FROM (
  SELECT team_id, (decided_at {_TZ} AS day FROM post_reviews_samplinglot WHERE decided_at IS NOT NULL
  UNION
  SELECT n.team_id, (v.at {_TZ}
    FROM capa_nonconformity n LEFT JOIN capa_correctiveaction c ON c.id = n.corrective_action_id
   CROSS JOIN LATERAL (VALUES (n.detected_at), (n.decided_at), (c.closed_at)) v(at) WHERE v.at IS NOT NULL
  UNION
  SELECT c.team_id, (v.at {_TZ}
    FROM capa_correctiveaction c
   CROSS JOIN LATERAL (VALUES (c.opened_at), (c.closed_at), (c.cancelled_at)) v(at) WHERE v.at IS NOT NULL
  UNION
  SELECT d.team_id, (k.due_at {_TZ}
    FROM docs_control_acknowledgement k
    JOIN docs_control_documentversion dv ON dv.id = k.version_id
    JOIN docs_control_document d ON d.id = dv.document_id
  UNION
  SELECT team_id, (created_at {_TZ} FROM audits_finding
  UNION SELECT team_id, day FROM metrics_lotdaily
  UNION SELECT team_id, day FROM metrics_ncdaily
  UNION SELECT team_id, day FROM metrics_capadaily
  UNION SELECT team_id, day FROM metrics_capastate
  UNION SELECT team_id, day FROM metrics_actionitemstate
  UNION SELECT team_id, day FROM metrics_ackdaily
  UNION SELECT team_id, day FROM metrics_findingdaily
) s
WHERE day BETWEEN %(day_from)s AND %(day_to)s
EXCEPT SELECT team_id, day FROM metrics_keys
"""  # noqa: S608 (our constants only)

UPSERT_LOTS = f"""
INSERT INTO metrics_lotdaily (day, team_id, account_id, platform, accepted, rejected, run_token)
SELECT b.day, l.team_id, coalesce(l.account_id, 0), coalesce(max(a.platform), ''),
       count(*) FILTER (WHERE l.status = 'accepted'),
       count(*) FILTER (WHERE l.status = 'rejected'),
       %(token)s
  FROM post_reviews_samplinglot l
  JOIN metrics_keys b ON b.team_id = l.team_id AND b.day = (l.decided_at {_TZ}
  LEFT JOIN post_reviews_socialaccount a ON a.id = l.account_id
 WHERE l.status IN ('accepted', 'rejected')
 GROUP BY b.day, l.team_id, coalesce(l.account_id, 0)
ON CONFLICT (day, team_id, account_id) DO UPDATE SET
       platform = EXCLUDED.platform, accepted = EXCLUDED.accepted, rejected = EXCLUDED.rejected,
       run_token = EXCLUDED.run_token
"""  # noqa: S608 (our constants only)

UPSERT_NCS = f"""
INSERT INTO metrics_ncdaily (day, team_id, source, category, severity, opened, closed, run_token)
SELECT day, team_id, source_kind, category, severity, sum(opened), sum(closed), %(token)s
  FROM (
    SELECT b.day, n.team_id, n.source_kind, n.category, n.severity, 1 AS opened, 0 AS closed
      FROM capa_nonconformity n
      JOIN metrics_keys b ON b.team_id = n.team_id AND b.day = (n.detected_at {_TZ}
    UNION ALL
    SELECT b.day, n.team_id, n.source_kind, n.category, n.severity, 0, 1
      FROM capa_nonconformity n
      JOIN metrics_keys b ON b.team_id = n.team_id AND b.day = (n.decided_at {_TZ}
     WHERE n.status = 'closed' AND n.corrective_action_id IS NULL
    UNION ALL
    SELECT b.day, n.team_id, n.source_kind, n.category, n.severity, 0, 1
      FROM capa_correctiveaction c
      JOIN metrics_keys b ON b.team_id = c.team_id AND b.day = (c.closed_at {_TZ}
      JOIN capa_nonconformity n ON n.corrective_action_id = c.id AND n.team_id = b.team_id
     WHERE n.status = 'closed'
  ) e
 GROUP BY day, team_id, source_kind, category, severity
ON CONFLICT (day, team_id, source, category, severity) DO UPDATE SET
       opened = EXCLUDED.opened, closed = EXCLUDED.closed, run_token = EXCLUDED.run_token
"""  # noqa: S608 (our constants only)

UPSERT_CAPAS = f"""
INSERT INTO metrics_capadaily (day, team_id, opened, closed, closed_on_time, cancelled, age_days_at_close, run_token)
SELECT day, team_id, sum(opened), sum(closed), sum(on_time), sum(cancelled), sum(age), %(token)s
  FROM (
    SELECT b.day, c.team_id, 1 AS opened, 0 AS closed, 0 AS on_time, 0 AS cancelled, 0::bigint AS age
      FROM capa_correctiveaction c
      JOIN metrics_keys b ON b.team_id = c.team_id AND b.day = (c.opened_at {_TZ}
    UNION ALL
    SELECT b.day, c.team_id, 0, 1,
           CASE WHEN EXISTS (
             SELECT 1 FROM capa_actionitem i
              WHERE i.corrective_action_id = c.id
                AND (i.done_at IS NULL OR (i.done_at {_TZ} > i.due_date)
           ) THEN 0 ELSE 1 END,
           0,
           floor(extract(epoch FROM c.closed_at - c.opened_at) / 86400)::bigint
      FROM capa_correctiveaction c
      JOIN metrics_keys b ON b.team_id = c.team_id AND b.day = (c.closed_at {_TZ}
     WHERE c.status = 'closed'
    UNION ALL
    SELECT b.day, c.team_id, 0, 0, 0, 1, 0
      FROM capa_correctiveaction c
      JOIN metrics_keys b ON b.team_id = c.team_id AND b.day = (c.cancelled_at {_TZ}
     WHERE c.status = 'cancelled'
  ) e
 GROUP BY day, team_id
ON CONFLICT (day, team_id) DO UPDATE SET
       opened = EXCLUDED.opened, closed = EXCLUDED.closed, closed_on_time = EXCLUDED.closed_on_time,
       cancelled = EXCLUDED.cancelled, age_days_at_close = EXCLUDED.age_days_at_close,
       run_token = EXCLUDED.run_token
"""  # noqa: S608 (our constants only)

_CAPA_END = f"""CASE c.status WHEN 'closed' THEN (c.closed_at {_TZ}
                 WHEN 'cancelled' THEN (c.cancelled_at {_TZ}
                 ELSE {_END} END"""

UPSERT_CAPA_STATES = f"""
INSERT INTO metrics_capastate (day, team_id, end_day, capas, run_token)
SELECT b.day, c.team_id, {_CAPA_END}, count(*), %(token)s
  FROM capa_correctiveaction c
  JOIN metrics_keys b ON b.team_id = c.team_id AND b.day = (c.opened_at {_TZ}
 GROUP BY 1, 2, 3
ON CONFLICT (day, team_id, end_day) DO UPDATE SET capas = EXCLUDED.capas, run_token = EXCLUDED.run_token
"""  # noqa: S608 (our constants only)

# An item stops being owed when it is done, or when its CAPA is cancelled (capa's own overdue
# list leaves out the items of final CAPAs; a closed CAPA has every item done).
UPSERT_ITEM_STATES = f"""
INSERT INTO metrics_actionitemstate (day, team_id, created_day, due_day, resolved_day, items, run_token)
SELECT b.day, c.team_id, (i.created_at {_TZ}, i.due_date,
       LEAST(coalesce((i.done_at {_TZ}, {_END}),
             CASE WHEN c.status = 'cancelled' THEN (c.cancelled_at {_TZ} ELSE {_END} END),
       count(*), %(token)s
  FROM capa_correctiveaction c
  JOIN metrics_keys b ON b.team_id = c.team_id AND b.day = (c.opened_at {_TZ}
  JOIN capa_actionitem i ON i.corrective_action_id = c.id
 GROUP BY 1, 2, 3, 4, 5
ON CONFLICT (day, team_id, created_day, due_day, resolved_day) DO UPDATE SET
       items = EXCLUDED.items, run_token = EXCLUDED.run_token
"""  # noqa: S608 (our constants only)

UPSERT_ACKS = f"""
INSERT INTO metrics_ackdaily (day, team_id, document_id, due, on_time, late, outstanding, run_token)
SELECT b.day, d.team_id, d.id, count(*),
       count(*) FILTER (WHERE k.acknowledged_at <= k.due_at),
       count(*) FILTER (WHERE k.acknowledged_at > k.due_at),
       count(*) FILTER (WHERE k.acknowledged_at IS NULL),
       %(token)s
  FROM docs_control_acknowledgement k
  JOIN docs_control_documentversion dv ON dv.id = k.version_id
  JOIN docs_control_document d ON d.id = dv.document_id
  JOIN metrics_keys b ON b.team_id = d.team_id AND b.day = (k.due_at {_TZ}
 GROUP BY b.day, d.team_id, d.id
ON CONFLICT (day, team_id, document_id) DO UPDATE SET
       due = EXCLUDED.due, on_time = EXCLUDED.on_time, late = EXCLUDED.late,
       outstanding = EXCLUDED.outstanding, run_token = EXCLUDED.run_token
"""  # noqa: S608 (our constants only)

UPSERT_FINDINGS = f"""
INSERT INTO metrics_findingdaily (day, team_id, classification, clause, findings, run_token)
SELECT b.day, f.team_id, f.classification, f.clause, count(*), %(token)s
  FROM audits_finding f
  JOIN metrics_keys b ON b.team_id = f.team_id AND b.day = (f.created_at {_TZ}
 GROUP BY b.day, f.team_id, f.classification, f.clause
ON CONFLICT (day, team_id, classification, clause) DO UPDATE SET
       findings = EXCLUDED.findings, run_token = EXCLUDED.run_token
"""  # noqa: S608 (our constants only)

UPSERTS = (
    UPSERT_LOTS,
    UPSERT_NCS,
    UPSERT_CAPAS,
    UPSERT_CAPA_STATES,
    UPSERT_ITEM_STATES,
    UPSERT_ACKS,
    UPSERT_FINDINGS,
)

ROLLUP_TABLES = (
    "metrics_lotdaily",
    "metrics_ncdaily",
    "metrics_capadaily",
    "metrics_capastate",
    "metrics_actionitemstate",
    "metrics_ackdaily",
    "metrics_findingdaily",
)


def _moments(*columns: str) -> str:
    """A lateral list of a row's timestamps; the NULL ones queue nothing."""
    values = ", ".join(f"({c})" for c in columns)
    return f"CROSS JOIN LATERAL (VALUES {values}) v(at) WHERE v.at IS NOT NULL"


# name: (table, select, join) as in rollups._SOURCES; each row queues every moment it counts on.
SOURCES = {
    "lot": ("post_reviews_samplinglot", "x.team_id, x.decided_at", "WHERE x.decided_at IS NOT NULL"),
    "nc": (
        "capa_nonconformity",
        "x.team_id, v.at",
        "LEFT JOIN capa_correctiveaction c ON c.id = x.corrective_action_id "
        + _moments("x.detected_at", "x.decided_at", "c.closed_at"),
    ),
    "capa": (
        "capa_correctiveaction",
        "x.team_id, v.at",
        _moments("x.opened_at", "x.closed_at", "x.cancelled_at"),
    ),
    # An item counts on its CAPA's opened day (its state) and closed day (closed on time or not).
    "actionitem": (
        "capa_actionitem",
        "c.team_id, v.at",
        "JOIN capa_correctiveaction c ON c.id = x.corrective_action_id " + _moments("c.opened_at", "c.closed_at"),
    ),
    "ack": (
        "docs_control_acknowledgement",
        "d.team_id, x.due_at",
        "JOIN docs_control_documentversion dv ON dv.id = x.version_id"
        " JOIN docs_control_document d ON d.id = dv.document_id",
    ),
    "finding": ("audits_finding", "x.team_id, x.created_at", ""),
}


def quality_trigger_sql() -> tuple[str, str]:
    """(forward, backward) SQL creating the queue triggers on the quality records' tables."""
    return trigger_sql(SOURCES)
