"""History excerpts (django-simple-history) of the records in a pack: who, when, what changed, old → new.

One query per model whatever the number of records (rows ordered by record then time, each row
diffed against the previous row of the same record), so 2,000 evidence rows cost one query, not
2,000. The ids come from the pack's scoped reads: only records already in the pack are excerpted.
"""

from collections.abc import Iterator

from django.utils import timezone

HEADER = ["record", "record id", "when", "who", "action", "field", "old", "new", "reason"]
ACTIONS = {"+": "created", "~": "changed", "-": "deleted"}
MAX_VALUE = 500


def _show(value) -> str:
    if value is None:
        return ""
    text = str(value)
    return text if len(text) <= MAX_VALUE else text[: MAX_VALUE - 1] + "…"


def history_rows(model, ids: list[int], label) -> Iterator[list]:
    """CSV rows for the history of ``model`` rows ``ids``; ``label(historical_row)`` names a record."""
    if not ids:
        return
    rows = (
        model.history.filter(id__in=ids)
        .select_related("history_user")
        .order_by("id", "history_date", "history_id")
        .iterator(chunk_size=2000)
    )
    previous = None
    for row in rows:
        base = previous if previous is not None and previous.id == row.id else None
        who = row.history_user.printed_name if row.history_user_id else "system"
        when = timezone.localtime(row.history_date).isoformat(timespec="seconds")
        head = [label(row), row.id, when, who, ACTIONS.get(row.history_type, row.history_type)]
        reason = row.history_change_reason or ""
        changes = row.diff_against(base).changes if base is not None and row.history_type == "~" else []
        if changes:
            for change in changes:
                field = model._meta.get_field(change.field)
                yield [*head, str(field.verbose_name), _show(change.old), _show(change.new), reason]
        else:
            yield [*head, "", "", "", reason]
        previous = row
