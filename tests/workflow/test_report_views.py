"""The smoke study's reports as a reader gets them: in a real headless Chromium, and Snakemake's own."""

import base64
import re
import shutil
import struct

import pytest
from selenium.webdriver.support.ui import WebDriverWait

from aelab import paths
from aelab.config.loading import load_params
from aelab.report.captions import FIGURE_CAPTIONS
from tests.workflow.conftest import run

pytestmark = pytest.mark.workflow

LOAD_ALL = "for (const image of document.images) image.loading = 'eager';"
"""The report's images load lazily, as a reader scrolls; the test loads them all."""
PENDING = "return [...document.images].filter(i => !i.complete).length"
BROKEN_IMAGES = "return [...document.images].filter(i => i.naturalWidth === 0).map(i => i.getAttribute('src'))"


@pytest.fixture
def chromium():
    """Debian's chromium driven by its chromedriver (WebDriver), headless."""
    from selenium import webdriver
    from selenium.webdriver.chrome.options import Options
    from selenium.webdriver.chrome.service import Service

    binary, driver = shutil.which("chromium"), shutil.which("chromedriver")
    if not (binary and driver):
        pytest.skip("Debian's chromium and chromium-driver are not installed (`make debian` installs them as root)")
    options = Options()
    options.binary_location = binary
    for argument in ("--headless=new", "--no-sandbox", "--disable-gpu", "--window-size=1280,1000"):
        options.add_argument(argument)
    browser = webdriver.Chrome(service=Service(driver), options=options)
    yield browser
    browser.quit()


def png_size(data: bytes) -> tuple[int, int]:
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    return struct.unpack(">II", data[16:24])


def test_report_opens_in_headless_chromium_without_broken_images(snakemake_project, chromium, tmp_path):
    params = load_params(snakemake_project / "params.yaml")
    chromium.get((snakemake_project / paths.report_html()).resolve().as_uri())
    assert chromium.execute_script("return document.readyState") == "complete"
    assert chromium.execute_script("return [...document.images].every(i => i.loading === 'lazy')")
    chromium.execute_script(LOAD_ALL)
    WebDriverWait(chromium, 60).until(lambda browser: browser.execute_script(PENDING) == 0)
    assert chromium.execute_script(BROKEN_IMAGES) == []
    contents = [
        link.get_attribute("href").split("#")[1] for link in chromium.find_elements("css selector", "#contents a")
    ]
    assert {f"study-{study_id}" for study_id in params.studies} <= set(contents)
    assert all(chromium.find_elements("id", anchor) for anchor in contents)  # every entry leads somewhere
    for study_id, study in params.studies.items():
        section = chromium.find_element("id", f"study-{study_id}")
        assert section.find_element("tag name", "h2").text == study.title
        assert section.find_elements("css selector", "table.metrics"), study_id
        assert section.find_elements("css selector", f"#{study_id}-loss-curves img"), study_id
        for variant in study.variants:
            assert section.find_elements("id", f"{study_id}-{variant}"), (study_id, variant)
    devices = chromium.find_element("id", "devices-vae-baseline")
    assert "CPU only" in devices.text and len(devices.find_elements("tag name", "img")) == 4
    assert devices.find_elements("id", "devices-vae-baseline-cpu-per-epoch")
    choices = chromium.find_element("css selector", "#choices table")
    assert "aelab's choice" in choices.text and "SSIM" in choices.text
    summary = chromium.find_element("id", "mlp-denoising-summary")
    assert summary.is_displayed() and "training noise" in chromium.find_element("css selector", "#study-mlp").text
    shown = chromium.execute_script("return [...document.images].map(i => i.getAttribute('src'))")
    assert any(src.endswith("ae-deep-cmnist/latent/latent_colour_seed0.png") for src in shown)
    assert any(src.endswith("ae-deep-cmnist/latent/latent_colour_train_seed0.png") for src in shown)
    assert any(src.endswith("ae-baseline/generation/samples_full_cov_seed0.png") for src in shown)
    assert any(src.endswith("studies/conv-noise-decoding.png") for src in shown)
    # a table wider than the page scrolls inside the page, never past its edge
    page = chromium.execute_script("return document.body.getBoundingClientRect().right")
    for table in chromium.find_elements("css selector", "table"):
        assert table.value_of_css_property("overflow-x") == "auto"
        assert chromium.execute_script("return arguments[0].getBoundingClientRect().right", table) <= page + 1
    images = chromium.execute_script("return document.images.length")
    assert images >= len(params.variants) + len(params.studies)  # every variant's figures, every study's curves

    shot = chromium.execute_cdp_cmd("Page.captureScreenshot", {"format": "png", "captureBeyondViewport": True})
    screenshot = tmp_path / "report.png"
    screenshot.write_bytes(base64.b64decode(shot["data"]))
    width, height = png_size(screenshot.read_bytes())
    assert width >= 1000 and height > 5000  # the whole page, not the first screen
    print(f"full-page screenshot: {screenshot} ({width} x {height})")


def test_snakemake_report_shows_every_figure_with_its_caption(snakemake_project, tmp_path):
    target = tmp_path / "snakemake-report.html"
    run(["snakemake", "--report", str(target)], snakemake_project)
    text = target.read_text()
    params = load_params(snakemake_project / "params.yaml")
    for (task, name), caption in FIGURE_CAPTIONS.items():
        drawn = [
            variant
            for variant in params.task_variants(task)
            if (snakemake_project / paths.task_figure(variant, task, name, 0)).exists()
        ]
        if drawn:
            plain = re.match(r"[A-Za-z0-9 ,()-]+", caption).group(
                0
            )  # the caption up to its first markup-escaped character
            assert plain in text, (task, name)
