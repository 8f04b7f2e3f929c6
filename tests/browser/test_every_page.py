"""Every page, as every demo login: no error page, no console error or CSP violation, and no form
that overflows its column or squeezes an input below its label, at laptop and phone widths.

The pages are found by following the links each person is shown (one page per URL shape, so a
list of 50 posts costs one visit), starting from the dashboard. That way a new page is covered the
day it is linked, and a person is only ever sent where the product itself sends them.
"""

import re
from collections import deque
from urllib.parse import urlsplit

import pytest
from django.conf import settings
from django.core.management import call_command

pytestmark = pytest.mark.browser

DEMO_LOGINS = ["admin", "alice", "ben", "cara", "dan", "erin", "frank", "gina"]
WIDTHS = (1366, 390)
MAX_PAGES = 45
# Not pages: downloads, the admin site (superusers only, Django's own), the API, leaving.
SKIP = re.compile(
    r"^/(admin|api/(?!docs)|static|media|accounts/logout|attachments/\d+/?$)|\.(pdf|csv|zip|json)$|/(pdf|csv|download)/?$"
)

LAYOUT_PROBLEMS = """
() => {
  const problems = [];
  const fields = document.querySelectorAll(
    'main input:not([type=checkbox]):not([type=radio]):not([type=hidden]), main select, main textarea');
  for (const el of fields) {
    const box = el.getBoundingClientRect();
    if (box.width === 0 || el.closest('.modal, [hidden], .d-none, .collapse:not(.show)')) continue;
    const form = el.closest('form') || el.parentElement;
    const outer = form.getBoundingClientRect();
    const name = el.name || el.id || el.tagName;
    if (box.right > outer.right + 1 || box.left < outer.left - 1) problems.push(`${name} overflows its form`);
    const label = el.id && document.querySelector(`label[for="${CSS.escape(el.id)}"]`);
    // A visually hidden label (a table of inline forms) names the field for screen readers only.
    if (label && !label.classList.contains('visually-hidden')) {
      const range = document.createRange();
      range.selectNodeContents(label);
      const text = range.getBoundingClientRect().width;
      if (box.width + 1 < Math.min(text, outer.width)) problems.push(`${name} is narrower than its label`);
    }
  }
  if (document.documentElement.scrollWidth > window.innerWidth + 1) {
    // Name the innermost element that sticks out, so the message says what to fix.
    const wide = [...document.querySelectorAll('body *')].filter(e => {
      const r = e.getBoundingClientRect();
      return r.right > window.innerWidth + 1 && r.width > 0 && !e.closest('.table-responsive');
    });
    const leaf = wide.filter(e => !wide.some(o => o !== e && e.contains(o)))[0] || wide[0];
    const classes = leaf && leaf.className ? '.' + String(leaf.className).split(' ').join('.') : '';
    const testid = leaf && leaf.dataset && leaf.dataset.testid ? `[${leaf.dataset.testid}]` : '';
    const name = leaf ? leaf.tagName.toLowerCase() + classes + testid : '?';
    problems.push(`the page scrolls sideways (${name})`);
  }
  return problems;
}
"""


def _shape(path: str) -> str:
    return re.sub(r"/\d+(?=/|$)", "/N", path)


def _crawl(page, base: str) -> dict[str, list[str]]:
    seen_shapes: set[str] = set()
    queue = deque(["/"])
    found: dict[str, list[str]] = {}
    while queue and len(found) < MAX_PAGES:
        path = queue.popleft()
        if _shape(path) in seen_shapes:
            continue
        seen_shapes.add(_shape(path))
        response = page.goto(base + path)
        issues = []
        if response is None or response.status >= 400:
            issues.append(f"HTTP {response.status if response else 'none'}")
        else:
            for width in WIDTHS:
                page.set_viewport_size({"width": width, "height": 900})
                issues += [f"{width}px: {p}" for p in page.evaluate(LAYOUT_PROBLEMS)]
            page.set_viewport_size({"width": WIDTHS[0], "height": 900})
            for href in page.eval_on_selector_all("a[href]", "els => els.map(e => e.getAttribute('href'))"):
                parts = urlsplit(href)
                if parts.netloc or not parts.path.startswith("/") or SKIP.search(parts.path):
                    continue
                target = parts.path + (f"?{parts.query}" if parts.query and "page=" not in parts.query else "")
                if _shape(parts.path) not in seen_shapes:
                    queue.append(target)
        found[path] = issues
    return found


@pytest.mark.parametrize("username", DEMO_LOGINS)
def test_every_page_reads_cleanly_for_every_demo_login(page, live_server, transactional_db, problems, username):
    call_command("seed_demo", stdout=open("/dev/null", "w"))  # noqa: SIM115
    page.goto(f"{live_server.url}/accounts/login/")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(settings.QMS_DEMO_PASSWORD)
    page.get_by_role("button", name="Log in").click()
    page.wait_for_url(f"{live_server.url}/")

    found = _crawl(page, live_server.url)

    assert len(found) >= 5, f"{username} reached only {list(found)}"
    bad = {path: issues for path, issues in found.items() if issues}
    assert (bad, problems.items) == ({}, []), f"{username}: {bad} {problems.items} (visited {sorted(found)})"
