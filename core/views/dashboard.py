"""Dashboard panels: every panel an app registered (``core.registry``), in order."""

from core.registry import dashboard_panels as registered_panels


def dashboard_panels(request) -> list[dict]:
    panels = []
    for panel in registered_panels():
        content = panel(request)
        if content:
            panels.append(content)
    return panels
