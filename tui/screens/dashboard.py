"""Dashboard: MTTR against the SLA, open secrets by age, by provider and by organisation (bars
proportional to the counts at any width), and two trend charts. The panels sit side by side on a wide
terminal and two by two on a narrow one, where the page scrolls to the charts (styles/app.tcss)."""

from __future__ import annotations

from rich.table import Table
from rich.text import Text
from secret_sprawl.tracker.metrics import Metrics
from secret_sprawl.tui.format import SLA_STYLES, duration
from secret_sprawl.tui.loaders import DashboardData, load_dashboard
from secret_sprawl.tui.screens.live import LiveScreen
from secret_sprawl.tui.widgets.bars import Bars
from secret_sprawl.tui.widgets.key_footer import KeyFooter
from textual.app import ComposeResult
from textual.containers import Horizontal, VerticalScroll
from textual.widgets import Header, Static
from textual_plotext import PlotextPlot

TOP = 8  # providers and organisations listed


class DashboardScreen(LiveScreen):
    """Numbers for leadership, as of the app's clock (``--as-of`` or now)."""

    def __init__(self) -> None:
        super().__init__()
        self.data: DashboardData | None = None

    def compose(self) -> ComposeResult:
        yield Header()
        with VerticalScroll(id="dashboard"):
            with Horizontal(id="dashboard-top"):
                yield Static("loading…", id="mttr", classes="panel")
                yield Static("", id="ages", classes="panel")
                yield Static("", id="providers", classes="panel")
                yield Static("", id="orgs", classes="panel")
            with Horizontal(id="charts"):
                yield PlotextPlot(id="mttr-chart")
                yield PlotextPlot(id="open-chart")
        yield KeyFooter()

    def on_mount(self) -> None:
        self.title = "sprawl"
        self.sub_title = "dashboard"

    def read(self) -> DashboardData:
        app = self.sprawl
        return load_dashboard(app.engine, app.policy, app.now())

    def show(self, data: DashboardData) -> None:
        self.data = data
        metrics = data.metrics
        self.query_one("#mttr", Static).update(_mttr_panel(metrics))
        self.query_one("#ages", Static).update(Bars("Open secrets by age (days)", metrics.age_buckets))
        top = dict(list(metrics.open_by_provider.items())[:TOP])
        self.query_one("#providers", Static).update(Bars("Open secrets by provider", top))
        orgs = dict(list(data.open_by_org.items())[:TOP])
        self.query_one("#orgs", Static).update(Bars("Open secrets by organisation", orgs))
        self._mttr_chart(metrics)
        self._open_chart(data.open_over_time)

    def _mttr_chart(self, metrics: Metrics) -> None:
        widget = self.query_one("#mttr-chart", PlotextPlot)
        plt = widget.plt
        plt.clear_data()
        plt.clear_figure()
        plt.title(f"MTTR per month (days) vs {metrics.sla_days:g}-day SLA")
        if metrics.per_month:
            positions = list(range(len(metrics.per_month)))
            means = [stat.mean_seconds / 86400 for stat in metrics.per_month]
            plt.bar(positions, means, width=0.4, label="mean MTTR")
            plt.hline(metrics.sla_days, "red")
            plt.xticks(positions, [stat.month for stat in metrics.per_month])
            plt.xlim(-1, len(positions))
            plt.ylim(0, max(*means, metrics.sla_days) * 1.1)
        widget.refresh()

    def _open_chart(self, points: list[tuple[str, int]]) -> None:
        widget = self.query_one("#open-chart", PlotextPlot)
        plt = widget.plt
        plt.clear_data()
        plt.clear_figure()
        plt.title("Open secrets at month end")
        if points:
            positions = list(range(len(points)))
            plt.plot(positions, [count for _, count in points], marker="braille")
            # Every other month: plotext drops colliding tick labels in an order that varies between runs.
            plt.xticks(positions[::-2], [label for label, _ in points][::-2])
        widget.refresh()


def _mttr_panel(metrics: Metrics) -> Table:
    grid = Table.grid(padding=(0, 2), expand=True)
    grid.title = f"MTTR (revoked or rotated, n={metrics.mttr_count})"
    grid.add_column(style="bold")
    grid.add_column(justify="right")
    sla_seconds = metrics.sla_days * 86400
    for label, value in (("mean", metrics.mttr_mean_seconds), ("median", metrics.mttr_median_seconds),
                         ("p90", metrics.mttr_p90_seconds)):
        style = "" if value is None else ("bold red" if value > sla_seconds else "green")
        grid.add_row(label, Text(duration(value), style=style))
    grid.add_row("SLA", f"{metrics.sla_days:g} d")
    share = "—" if metrics.within_sla_share is None else f"{metrics.within_sla_share:.0%}"
    grid.add_row("within SLA", share)
    grid.add_row("open", str(metrics.open_count))
    grid.add_row("approaching", Text(str(metrics.approaching_count), style=SLA_STYLES["approaching"]))
    grid.add_row("breached", Text(str(metrics.breached_count), style=SLA_STYLES["breached"]))
    grid.add_row("exposure", f"{metrics.exposure_secret_days:,.0f} secret-days")
    return grid
