"""The house rules, read from the code (ast), so drift fails CI instead of waiting for a review.

Each rule has a short list of justified exceptions: a path (and what it may do) with the reason.
"""

import ast
from functools import cache
from pathlib import Path

import pytest
from django.apps import apps

ROOT = Path(__file__).resolve().parent.parent
KERNEL = ("core", "accounts")
MAX_LINES = 400


@cache
def domain_apps() -> tuple[str, ...]:
    local = [c.name for c in apps.get_app_configs() if (ROOT / c.name).is_dir() and c.name not in ("qms",)]
    return tuple(name for name in local if name not in KERNEL)


@cache
def app_sources() -> list[Path]:
    files = []
    for app in (*KERNEL, *domain_apps()):
        files += [p for p in (ROOT / app).rglob("*.py") if "migrations" not in p.parts]
    return sorted(files)


def rel(path: Path) -> str:
    return path.relative_to(ROOT).as_posix()


@cache
def tree(path: Path) -> ast.Module:
    return ast.parse(path.read_text(), filename=str(path))


@cache
def tracked_model_names() -> frozenset[str]:
    """Models with a simple-history trail (their history model is registered beside them)."""
    names = set()
    for model in apps.get_models():
        if getattr(model, "_meta", None) and hasattr(model, "history") and not model.__name__.startswith("Historical"):
            names.add(model.__name__)
    return frozenset(names)


def _is_service_or_workflow(path: Path) -> bool:
    parts = path.relative_to(ROOT).parts
    return "services" in parts or path.stem in ("services", "workflow") or path.name.startswith("services")


# --- rule 1: a status is assigned only in services and workflow --------------------------------

STATUS_EXCEPTIONS: dict[str, str] = {}


def test_status_is_assigned_only_in_services_or_workflow():
    offenders = []
    for path in app_sources():
        if _is_service_or_workflow(path) or rel(path) in STATUS_EXCEPTIONS:
            continue
        for node in ast.walk(tree(path)):
            targets = []
            if isinstance(node, ast.Assign):
                targets = node.targets
            elif isinstance(node, ast.AugAssign | ast.AnnAssign):
                targets = [node.target]
            for target in targets:
                if isinstance(target, ast.Attribute) and target.attr == "status":
                    offenders.append(f"{rel(path)}:{node.lineno}")
    assert not offenders, f"status assigned outside services/workflow: {offenders}"


# --- rule 2: no history-bypassing bulk writes on tracked models ----------------------------------

BULK_METHODS = {"update", "bulk_update", "bulk_create"}
# path -> why a bulk write on a tracked model there keeps the trail whole.
BULK_EXCEPTIONS: dict[str, str] = {
    "docs_control/services/_common.py": "Document.search_text is derived from the body and kept out of history.",
    "post_reviews/services/posts.py": "pre-check results are derived fields kept out of the post's history on purpose"
    " (see Post.history); tests/post_reviews/test_history_trail.py holds that no tracked field moves this way.",
    "post_reviews/services/engagement.py": "engagement counters are platform data kept out of the post's history on"
    " purpose (see Post.history); tests/post_reviews/test_history_trail.py holds that no tracked field moves.",
}


def _root_name(node: ast.AST) -> str | None:
    while isinstance(node, ast.Attribute | ast.Call | ast.Subscript):
        node = node.value if not isinstance(node, ast.Call) else node.func
    return node.id if isinstance(node, ast.Name) else None


def _chain_has_objects(node: ast.AST) -> bool:
    while isinstance(node, ast.Attribute | ast.Call | ast.Subscript):
        if isinstance(node, ast.Attribute) and node.attr in ("objects", "_default_manager"):
            return True
        node = node.value if not isinstance(node, ast.Call) else node.func
    return False


def test_no_bulk_write_bypasses_the_history_of_a_tracked_model():
    tracked = tracked_model_names()
    offenders = []
    for path in app_sources():
        if rel(path) in BULK_EXCEPTIONS:
            continue
        for node in ast.walk(tree(path)):
            if not (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)):
                continue
            if node.func.attr not in BULK_METHODS or not _chain_has_objects(node.func.value):
                continue
            if _root_name(node.func.value) in tracked:
                offenders.append(f"{rel(path)}:{node.lineno} {_root_name(node.func.value)}.{node.func.attr}")
    assert not offenders, f"bulk writes that skip the audit trail: {offenders}"


# --- rules 3 and 4: imports follow the dependency direction --------------------------------------

# (importing path, imported module) -> why.
IMPORT_EXCEPTIONS: dict[tuple[str, str], str] = {
    ("audits/packs/build.py", "capa.models"): "history excerpts read the models' history managers, read-only",
    ("audits/packs/build.py", "docs_control.models"): "history excerpts read the models' history managers, read-only",
    ("audits/packs/content.py", "post_reviews.models"): "the defects of reviews already read through a selector",
    ("metrics/labels.py", "audits.models"): "the finding classifications' labels for the charts",
    ("metrics/labels.py", "capa.models"): "the NC source kinds' labels for the charts",
    ("metrics/services/effectiveness.py", "capa.models"): "the verdict choices, handed to capa's service",
    ("metrics/services/trends.py", "post_reviews.models"): "the account's label for the raised NC's description",
    ("post_reviews/demo.py", "docs_control.models"): "the demo looks up the SOP its checklist comes from",
}


def _imports(path: Path) -> list[tuple[int, str]]:
    found = []
    for node in ast.walk(tree(path)):
        if isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.append((node.lineno, node.module))
        elif isinstance(node, ast.Import):
            found += [(node.lineno, alias.name) for alias in node.names]
    return found


def test_a_domain_app_never_imports_another_domain_apps_models():
    offenders = []
    for path in app_sources():
        own = path.relative_to(ROOT).parts[0]
        if own in KERNEL:
            continue
        for line, module in _imports(path):
            head = module.split(".")[0]
            crosses = head in domain_apps() and head != own and module.endswith(".models")
            if crosses and (rel(path), module) not in IMPORT_EXCEPTIONS:
                offenders.append(f"{rel(path)}:{line} imports {module}")
    assert not offenders, f"read another app through its selectors and services: {offenders}"


def test_core_and_accounts_import_no_domain_app():
    offenders = []
    for path in app_sources():
        if path.relative_to(ROOT).parts[0] not in KERNEL:
            continue
        for line, module in _imports(path):
            if module.split(".")[0] in domain_apps() and (rel(path), module) not in IMPORT_EXCEPTIONS:
                offenders.append(f"{rel(path)}:{line} imports {module}")
    assert not offenders, f"the kernel must not know the domain apps: {offenders}"


# --- rule 5: a task is ids in and one service call -----------------------------------------------


def _is_task(fn: ast.FunctionDef) -> bool:
    for deco in fn.decorator_list:
        target = deco.func if isinstance(deco, ast.Call) else deco
        name = target.attr if isinstance(target, ast.Attribute) else getattr(target, "id", "")
        if name in ("shared_task", "task"):
            return True
    return False


def test_every_task_only_calls_one_service():
    offenders = []
    for path in sorted(ROOT.glob("*/tasks.py")):
        for fn in [n for n in tree(path).body if isinstance(n, ast.FunctionDef) and _is_task(n)]:
            body = [
                s
                for s in fn.body
                if not isinstance(s, ast.Import | ast.ImportFrom)
                and not (isinstance(s, ast.Expr) and isinstance(s.value, ast.Constant))
            ]
            one_call = len(body) == 1 and isinstance(body[0], ast.Expr | ast.Return)
            one_call = one_call and isinstance(body[0].value, ast.Call)
            if not one_call:
                offenders.append(f"{rel(path)}:{fn.lineno} {fn.name}")
    assert not offenders, f"tasks must be one service call: {offenders}"


# --- size -----------------------------------------------------------------------------------------


# The benchmarks are code we keep too: the same size rule.
@pytest.mark.parametrize("path", [*app_sources(), *sorted((ROOT / "bench").glob("*.py"))], ids=rel)
def test_no_module_is_over_400_lines(path):
    lines = len(path.read_text().splitlines())
    assert lines <= MAX_LINES, f"{rel(path)} has {lines} lines: split it into a package"


def test_the_rules_look_at_every_domain_app():
    # A guard for the guard: the rules above must see the apps they protect.
    assert {"docs_control", "post_reviews", "capa"} <= set(domain_apps())
    assert {"Document", "Post", "CorrectiveAction"} <= tracked_model_names()
