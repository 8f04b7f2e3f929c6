"""The audited save: every change to a history-tracked record names who made it and why.

simple-history reads the acting user from the request in a web request only; services also run
from tasks, commands and seeds, so they always set both explicitly through this one helper.
"""

from django.db import models


def audited_save(obj: models.Model, *, by, reason: str, fields: list[str] | None = None) -> None:
    """Save ``obj`` with its history row's user (``by``; None is the system) and change reason.

    ``fields`` limits the UPDATE to those columns (``update_fields``); the history row still
    records the whole record as it now is.
    """
    obj._history_user = by
    obj._change_reason = reason[:100]  # the history column is 100 characters
    if fields:
        obj.save(update_fields=fields)
    else:
        obj.save()
