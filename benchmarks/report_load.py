"""The HTML report as a reader opens it: weight, load time and what does not show, in a real headless Chromium.

Opens ``results/report/index.html`` (or --report) in Debian's chromium through
its chromedriver, loads every lazy image, and prints: the page's HTML and
figure bytes, the number of figures and tables, the time to the load event
and to every image decoded, the images that did not load, and the tables
wider than the window (they scroll inside the page). Beside them, the same for
``docs/results.md``'s committed figures: their count, total and largest
against the page's budget (150 KB a figure, 6 MB in all).

    python benchmarks/report_load.py [--report results/report/index.html] [--width 1280]
"""

from __future__ import annotations

import argparse
import shutil
import time
from pathlib import Path

from selenium import webdriver
from selenium.webdriver.chrome.options import Options
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.support.ui import WebDriverWait

from aelab import paths
from aelab.report.results import FIGURE_BYTES, FIGURES

LOAD_ALL = "for (const image of document.images) image.loading = 'eager';"
PENDING = "return [...document.images].filter(i => !i.complete).length"
BROKEN = "return [...document.images].filter(i => i.naturalWidth === 0).map(i => i.getAttribute('src'))"
LOADED = "const t = performance.timing; return t.loadEventEnd - t.navigationStart"
WIDE = (
    "return [...document.querySelectorAll('table')].filter(t => t.scrollWidth > t.clientWidth + 1)"
    ".map(t => (t.closest('section') || {}).id + ': ' + t.scrollWidth + ' px')"
)
PAGE_BUDGET = 6_000_000


def browser(width: int) -> webdriver.Chrome:
    binary, driver = shutil.which("chromium"), shutil.which("chromedriver")
    if not (binary and driver):
        raise SystemExit("needs Debian's chromium and chromium-driver (`make debian` installs them as root)")
    options = Options()
    options.binary_location = binary
    for argument in ("--headless=new", "--no-sandbox", "--disable-gpu", f"--window-size={width},1000"):
        options.add_argument(argument)
    return webdriver.Chrome(service=Service(driver), options=options)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--report", type=Path, default=paths.report_html())
    parser.add_argument("--width", type=int, default=1280)
    args = parser.parse_args()
    figures = list(args.report.parent.rglob("*.png"))
    print(
        f"report {args.report}: HTML {args.report.stat().st_size / 1e6:.2f} MB, "
        f"{len(figures)} figures {sum(f.stat().st_size for f in figures) / 1e6:.1f} MB"
    )
    chromium = browser(args.width)
    try:
        started = time.perf_counter()
        chromium.get(args.report.resolve().as_uri())
        chromium.execute_script(LOAD_ALL)
        WebDriverWait(chromium, 300).until(lambda page: page.execute_script(PENDING) == 0)
        decoded = time.perf_counter() - started
        tables = len(chromium.find_elements("css selector", "table"))
        print(
            f"load event {chromium.execute_script(LOADED) / 1000:.2f} s; every image decoded {decoded:.1f} s; "
            f"{len(chromium.execute_script('return document.images'))} images, {tables} tables"
        )
        broken = chromium.execute_script(BROKEN)
        print(f"images that did not load: {len(broken)}" + "".join(f"\n  {src}" for src in broken))
        wide = chromium.execute_script(WIDE)
        print(
            f"tables wider than {args.width} px (they scroll inside the page): {len(wide)}"
            + "".join(f"\n  {table}" for table in wide)
        )
    finally:
        chromium.quit()
    committed = sorted(FIGURES.rglob("*.png"), key=lambda path: path.stat().st_size)
    if committed:
        total = sum(path.stat().st_size for path in committed)
        print(
            f"docs/results.md's figures: {len(committed)}, {total / 1e6:.2f} MB of a {PAGE_BUDGET / 1e6:.0f} MB "
            f"budget; largest {committed[-1].stat().st_size / 1e3:.0f} KB of {FIGURE_BYTES / 1e3:.0f} KB "
            f"({committed[-1].as_posix()})"
        )


if __name__ == "__main__":
    main()
