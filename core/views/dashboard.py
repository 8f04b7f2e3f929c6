"""Dashboard panels. Each installed module may add a panel through a `dashboard_panel(request)`
function in its `selectors` module; nothing is shown for what does not exist yet."""

from importlib import import_module

from django.apps import apps

PANEL_APPS = ("docs_control", "post_reviews", "audits", "capa", "metrics")


def dashboard_panels(request) -> list[dict]:
    panels = []
    for label in PANEL_APPS:
        if not apps.is_installed(label):
            continue
        module = import_module(f"{label}.selectors")
        panel = getattr(module, "dashboard_panel", None)
        if panel is not None:
            panels.append(panel(request))
    return panels
