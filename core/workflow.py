"""The one transition check every app's workflow goes through.

Each app keeps its own ``Status`` choices and transition table (a dict of status to the set of
statuses it may move to) in ``<app>/workflow.py``; this function is what services call on them.
"""

from collections.abc import Mapping

from core.exceptions import TransitionNotAllowed


def allowed_targets(table: Mapping[str, frozenset[str]], current: str) -> frozenset[str]:
    return table.get(current, frozenset())


def assert_transition(
    table: Mapping[str, frozenset[str]], current: str, target: str, *, message: str | None = None
) -> None:
    """Raise ``TransitionNotAllowed`` (a 409 in the API) unless ``table`` lets ``current`` become
    ``target``. ``message`` is what a person reads; the default names both states."""
    if target not in allowed_targets(table, current):
        raise TransitionNotAllowed(current, target, message)
