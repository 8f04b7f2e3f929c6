"""The shell lists what the installed apps registered, and names no domain app itself."""

import ast
from pathlib import Path

import pytest

from core.registry import dashboard_panels, nav_entries, register_nav

ROOT = Path(__file__).resolve().parent.parent
DOMAIN_APPS = {"docs_control", "post_reviews", "capa", "audits", "metrics"}


def test_every_installed_module_has_a_nav_entry_and_none_is_disabled(client_for, people):
    html = client_for(people.qa).get("/").content.decode()
    for entry in nav_entries():
        assert f">{entry.label}</a>" in html
    assert "not installed" not in html
    assert 'aria-disabled="true"' not in html


def test_a_registered_entry_is_shown_only_to_whom_its_predicate_allows(client_for, people):
    register_nav("Only admins", "core:inbox", order=99, visible=lambda user: user.is_superuser)
    try:
        assert ">Only admins</a>" not in client_for(people.qa).get("/").content.decode()
    finally:
        from core import registry

        registry._nav.pop("core:inbox")


def test_dashboard_shows_each_registered_panel(client_for, people):
    assert len(dashboard_panels()) >= 3
    assert client_for(people.qa).get("/").status_code == 200


@pytest.mark.parametrize("path", ["core/context_processors.py", "core/views/dashboard.py", "core/views/pages.py"])
def test_shell_code_names_no_domain_app(path):
    source = (ROOT / path).read_text()
    names = {n.value for n in ast.walk(ast.parse(source)) if isinstance(n, ast.Constant) and isinstance(n.value, str)}
    assert not {n for n in names for app in DOMAIN_APPS if n.startswith(app)}


def test_readyz_503_is_not_logged_as_an_error(client, caplog):
    with caplog.at_level("WARNING", logger="django.request"):
        response = client.get("/readyz")
    assert response.status_code == 503
    assert not [r for r in caplog.records if r.name == "django.request"]
