"""Where each app plugs into the shell: its navigation entry and its dashboard panel.

An app registers from its ``AppConfig.ready()``; core lists what was registered and never names
a domain app, so a new module appears by installing it, without editing core (the wagtail
``register_admin_menu_item`` idea). A module that is not installed is simply absent.
"""

from collections.abc import Callable
from dataclasses import dataclass


@dataclass(frozen=True)
class NavEntry:
    label: str
    url_name: str
    order: int
    # Who sees the entry; None shows it to every signed-in user.
    visible: Callable[[object], bool] | None = None


_nav: dict[str, NavEntry] = {}
_panels: dict[str, tuple[int, Callable]] = {}


def register_nav(label: str, url_name: str, *, order: int, visible: Callable[[object], bool] | None = None) -> None:
    """Add (or replace, so a reload can't duplicate it) a main-menu entry."""
    _nav[url_name] = NavEntry(label, url_name, order, visible)


def register_dashboard_panel(name: str, panel: Callable, *, order: int) -> None:
    """``panel(request)`` returns a dict with a ``template`` key (and its context), or None."""
    _panels[name] = (order, panel)


def nav_entries() -> list[NavEntry]:
    return sorted(_nav.values(), key=lambda e: e.order)


def dashboard_panels() -> list[Callable]:
    return [panel for _, panel in sorted(_panels.values(), key=lambda p: p[0])]
