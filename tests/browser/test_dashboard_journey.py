"""Alice opens the quality dashboard on the demo data, filters it to one account, sees the p-chart
and the Pareto drawn (Chart.js instances with painted pixels, no console error, no CSP
violation), downloads a chart's CSV and opens an objective, which shows its status per period."""

import csv
import io

import pytest
from django.conf import settings
from django.core.management import call_command
from playwright.sync_api import expect

from metrics.models import Objective
from metrics.objectives import NO_DATA, STATUS_LABELS
from post_reviews.models import SocialAccount

pytestmark = pytest.mark.browser

# Chart.js keeps its instances (Chart.getChart); a drawn canvas has non-transparent pixels.
CHART_STATE = """id => {
  const canvas = document.getElementById(id);
  const chart = Chart.getChart(canvas);
  const { width, height } = canvas;
  const pixels = canvas.getContext("2d").getImageData(0, 0, width, height).data;
  let painted = 0;
  for (let i = 3; i < pixels.length; i += 4) if (pixels[i] !== 0) painted++;
  return {
    created: chart !== undefined,
    type: chart ? chart.config.type || null : null,
    points: chart ? chart.data.datasets[0].data.length : 0,
    width, height, painted,
  };
}"""


def test_alice_filters_the_dashboard_to_one_account_downloads_a_csv_and_opens_an_objective(
    page, live_server, transactional_db, problems
):
    call_command("seed_demo", stdout=io.StringIO())
    account = SocialAccount.objects.filter(team__name="Brand").order_by("platform", "handle").first()
    label = f"{account.get_platform_display()} @{account.handle}"
    page.goto(f"{live_server.url}/accounts/login/")
    page.get_by_label("Username").fill("alice")
    page.get_by_label("Password").fill(settings.QMS_DEMO_PASSWORD)
    page.get_by_role("button", name="Log in").click()
    page.wait_for_url(f"{live_server.url}/")

    page.goto(f"{live_server.url}/metrics/")
    expect(page.get_by_role("heading", name="Quality dashboard")).to_be_visible()
    page.get_by_test_id("metrics-filters").get_by_label("Account").select_option(label=label)
    page.get_by_role("button", name="Show").click()
    page.wait_for_url(f"**/metrics/?*account={account.pk}*")
    expect(page.get_by_test_id("metrics-filters").get_by_label("Account")).to_have_value(str(account.pk))

    # The p-chart is a line chart; the Pareto mixes bars and a line, so its config has no type.
    for canvas, kind in (("chart-p", "line"), ("chart-pareto", None)):
        expect(page.get_by_test_id(canvas)).to_be_visible()
        state = page.evaluate(CHART_STATE, canvas)
        assert state["created"] and state["type"] == kind, state
        assert state["points"] > 0 and state["width"] > 0 and state["height"] > 0, state
        assert state["painted"] > 0, f"{canvas} has a chart but no pixels: {state}"

    with page.expect_download() as download_info:
        page.get_by_test_id("csv-p").click()
    download = download_info.value
    assert download.suggested_filename == "p-chart.csv"
    with open(download.path(), encoding="utf-8") as fh:
        rows = list(csv.reader(fh))
    assert rows[0] == ["period", "n", "p", "ucl", "lcl", "out_of_control"]
    assert len(rows) > 1 and all(len(row) == 6 for row in rows[1:]), rows
    # The CSV is of the filtered view: as many periods as the table twin on the page.
    assert len(rows) - 1 == page.get_by_test_id("table-p").locator("tbody tr").count()

    objective = Objective.objects.filter(team__name="Brand").order_by("name").first()
    page.get_by_test_id("objectives").get_by_role("link", name=objective.name).click()
    expect(page.get_by_role("heading", name=objective.name)).to_be_visible()
    periods = page.get_by_test_id("objective-periods")
    expect(periods.locator("tbody tr").first).to_be_visible()
    statuses = periods.locator("tbody .badge").all_inner_texts()
    assert set(statuses) <= set(STATUS_LABELS.values()), statuses
    assert set(statuses) - {STATUS_LABELS[NO_DATA]}, f"no period with a status: {statuses}"
    assert problems.items == []
