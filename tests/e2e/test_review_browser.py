"""The review loop in a real browser: materialize a bundled collection, open its review page in Debian's
Chromium (driven by Selenium through chromedriver), filter by a flag, open a problem, see its page and its
rendered formula, correct its answer, save; materialize again and find the correction in the dataset.
A screenshot of the problem view is kept in ``.cache/artifacts/`` (``REVIEW_ARTIFACTS`` overrides)."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import dagster as dg
import pyarrow.parquet as pq
import pytest

from assets.distill_dataset import distill_dataset
from assets.pdf_pages import pdf_pages
from assets.problem_pairs import problem_pairs
from assets.teacher_cot import teacher_cot
from assets.translated_pairs import translated_pairs
from assets.verified_cot import verified_cot
from pipelines.environment import load_resources
from pipelines.review.app import ReviewSettings
from tests.review.conftest import Served

pytestmark = pytest.mark.e2e
ROOT = Path(__file__).resolve().parents[2]
COLLECTION = "gaokao-sample"
CHROMIUM, DRIVER = shutil.which("chromium"), shutil.which("chromedriver")
ARTIFACTS = Path(os.environ.get("REVIEW_ARTIFACTS", ROOT / ".cache" / "artifacts"))
NEW_ANSWER = "42"


def _browser(tmp_path: Path):
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM
    for flag in (
        "--headless=new", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
        "--disable-background-networking", "--disable-component-update", "--disable-sync",
        "--window-size=1400,1000", f"--user-data-dir={tmp_path / 'chromium'}",
    ):  # fmt: skip
        options.add_argument(flag)
    return webdriver.Chrome(service=Service(DRIVER), options=options)


def _materialize(resources: dict, instance) -> dg.ExecuteInProcessResult:
    collection = dg.materialize(
        [pdf_pages, problem_pairs, translated_pairs, teacher_cot, verified_cot],
        partition_key=COLLECTION,
        resources=resources,
        instance=instance,
    )
    assert collection.success
    assert dg.materialize([distill_dataset], resources=resources, instance=instance).success
    return collection


def _sft_rows(data: Path, problem_id: str) -> list[dict]:
    rows = []
    for path in sorted((data / "distill_dataset" / "sft").glob("*.parquet")):
        rows += [r for r in pq.read_table(path).to_pylist() if r["problem_id"] == problem_id]
    return rows


@pytest.mark.skipif(
    not (CHROMIUM and DRIVER),
    reason="Debian's chromium and chromium-driver are not installed (.ci/run installs them when run as root)",
)
def test_a_correction_made_in_the_browser_reaches_the_dataset(tmp_path, monkeypatch):
    from selenium.common.exceptions import WebDriverException
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support import expected_conditions as ec
    from selenium.webdriver.support.ui import Select, WebDriverWait

    inbox, data = tmp_path / "inbox", tmp_path / "data"
    shutil.copytree(ROOT / "samples" / "inbox" / COLLECTION, inbox / COLLECTION)
    monkeypatch.setenv("DATA_ROOT", str(data))
    monkeypatch.setenv("INBOX_ROOT", str(inbox))
    resources = load_resources(ROOT / "tests" / "e2e" / "fast.yaml")
    (tmp_path / "dagster").mkdir()
    with dg.instance_for_test(temp_dir=str(tmp_path / "dagster")) as instance:
        instance.add_dynamic_partitions("collections", [COLLECTION])
        first = _materialize(resources, instance)
        link = first.asset_materializations_for_node("problem_pairs")[0].metadata["review_page"]
        assert link.value == f"http://127.0.0.1:8765/c/{COLLECTION}"

        with Served(ReviewSettings(data, inbox, reviewer="tester")) as server:
            driver = _browser(tmp_path)
            # a page that is being replaced answers with errors about its old elements: looked at again
            wait = WebDriverWait(driver, 30, ignored_exceptions=(WebDriverException,))
            try:
                driver.get(f"{server.url}/")
                driver.find_element(By.LINK_TEXT, COLLECTION).click()
                flags = [
                    o.get_attribute("value") for o in Select(driver.find_element(By.NAME, "flag")).options
                ]
                flag = next(f for f in flags if f)
                Select(driver.find_element(By.NAME, "flag")).select_by_value(flag)
                driver.find_element(By.CSS_SELECTOR, "#filters button").click()
                wait.until(ec.url_contains("flag="))  # the filtered page has replaced the first one
                rows = wait.until(ec.presence_of_all_elements_located((By.CSS_SELECTOR, ".problem-row")))
                assert all(flag in row.text for row in rows)
                kept = [row for row in rows if "kept" in row.text] or rows
                kept[0].find_element(By.CSS_SELECTOR, "td a").click()

                image = wait.until(ec.presence_of_element_located((By.CSS_SELECTOR, "img.page-image")))
                wait.until(
                    lambda d: d.execute_script(
                        "return arguments[0].complete && arguments[0].naturalWidth", image
                    )
                )
                assert driver.find_elements(By.CSS_SELECTOR, "figure.page .region")
                wait.until(lambda d: d.find_elements(By.CSS_SELECTOR, "#answer .katex"))  # KaTeX rendered it
                problem_id = driver.current_url.rsplit("/", 1)[1]

                answer = driver.find_element(By.NAME, "answer")
                answer.clear()
                answer.send_keys(NEW_ANSWER)
                driver.find_element(By.CSS_SELECTOR, "button[value=edit]").click()
                status = wait.until(ec.presence_of_element_located((By.ID, "review-status")))  # none before
                assert status.text.startswith("corrected by tester")
                ARTIFACTS.mkdir(parents=True, exist_ok=True)
                driver.save_screenshot(str(ARTIFACTS / "review_problem.png"))
            finally:
                driver.quit()

        _materialize(resources, instance)
    rows = _sft_rows(data, problem_id)
    assert rows and all(r["answer"] == NEW_ANSWER and r["review"] == "corrected" for r in rows)
