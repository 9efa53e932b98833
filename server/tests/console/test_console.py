"""The web console in a real headless Chromium (Selenium over Debian's
`chromium` and `chromium-driver`), against `maestro serve` on 127.0.0.1 over
a fresh home with the demo workspace, a dataset and a model.

Signs in, chats a task into being and sees the streamed reply, finds it on
the board and completes it there, deletes a task through the chat's Confirm
button, checks that a read token sees no write controls, that a task titled
`<script>` shows as text with no dialog, that pages fit a phone's width, and
that the browser's console stays free of errors. A screenshot of every page
goes to MAESTRO_ARTIFACTS (default: target/console-screenshots).

Without Chromium the tests say they skipped, unless MAESTRO_REQUIRE_BROWSER=1."""
import json
import os
import shutil
import sys
import tempfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[3]
sys.path.insert(0, str(ROOT / "tests"))
from maestro_site import maestro, serve, token  # noqa: E402

ARTIFACTS = Path(os.environ.get("MAESTRO_ARTIFACTS", ROOT / "target" / "console-screenshots"))
CHROMIUM = shutil.which("chromium")
DRIVER = shutil.which("chromedriver")
REQUIRED = os.environ.get("MAESTRO_REQUIRE_BROWSER") == "1"
SCRIPT_TITLE = "<script>alert(1)</script>"

if not (CHROMIUM and DRIVER):
    if REQUIRED:
        raise RuntimeError("MAESTRO_REQUIRE_BROWSER=1 but chromium or chromedriver is missing: apt-get install chromium chromium-driver")
    pytest.skip("Chromium and chromedriver are not installed (apt-get install chromium chromium-driver)", allow_module_level=True)

from selenium import webdriver  # noqa: E402
from selenium.common.exceptions import NoAlertPresentException  # noqa: E402
from selenium.webdriver.chrome.service import Service  # noqa: E402
from selenium.webdriver.common.by import By  # noqa: E402
from selenium.webdriver.common.keys import Keys  # noqa: E402
from selenium.webdriver.support.ui import WebDriverWait  # noqa: E402


@pytest.fixture(scope="module")
def site():
    """`maestro serve` over the demo workspace with churn data and a model;
    its base URL and a write and a read token."""
    home = tempfile.mkdtemp(prefix="maestro-console-")
    maestro(home, "demo")
    data = Path(home) / "data"
    data.mkdir()
    shutil.copy(ROOT / "examples" / "data" / "churn.csv", data / "churn.csv")
    maestro(home, "data", "add", str(data / "churn.csv"), "--description", "customer churn, monthly")
    maestro(home, "automl", "churn", "--target", "churned", "--exclude", "customer_id", "--budget", "3")
    maestro(home, "tasks", "add", SCRIPT_TITLE)
    tokens = {"write": token(home, "console", "write"), "read": token(home, "viewer", "read")}
    server, base = serve(home, data)
    yield base, tokens
    server.terminate()
    server.wait(timeout=30)


@pytest.fixture(scope="module")
def browser():
    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM
    for flag in ("--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--window-size=1280,900"):
        options.add_argument(flag)
    options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    os.environ["SE_OFFLINE"] = "true"  # never let Selenium look for drivers online
    driver = webdriver.Chrome(service=Service(DRIVER), options=options)
    yield driver
    driver.quit()


def wait(driver, condition, seconds: float = 30):
    return WebDriverWait(driver, seconds).until(condition)


def sign_in(driver, base: str, secret: str) -> None:
    """Signs in by keyboard: the token typed into "API token", then Enter."""
    driver.delete_all_cookies()
    driver.get(f"{base}/login")
    shoot(driver, "login")
    field = driver.find_element(By.XPATH, "//label[text()='API token']/following::input[1]")
    assert field.get_attribute("name") == "token"
    field.send_keys(secret + Keys.ENTER)
    wait(driver, lambda d: d.current_url.rstrip("/") == base)


def shoot(driver, name: str) -> None:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    driver.save_screenshot(str(ARTIFACTS / f"{name}.png"))


def errors(driver) -> list[str]:
    """The browser console's errors since the last call."""
    return [e["message"] for e in driver.get_log("browser") if e["level"] == "SEVERE"]


def chat(driver, message: str, replies_before: int) -> str:
    """Types a message, presses Send, and waits for the streamed reply."""
    box = driver.find_element(By.XPATH, "//label[text()='Message']/following::textarea[1]")
    assert box.get_attribute("name") == "message"
    box.send_keys(message)
    driver.find_element(By.XPATH, "//button[text()='Send']").click()
    found = wait(driver, lambda d: len(r := d.find_elements(By.CSS_SELECTOR, "#transcript .reply")) > replies_before and r)
    return found[-1].text


def test_chat_board_and_confirmation(site, browser):
    base, tokens = site
    sign_in(browser, base, tokens["write"])
    reply = chat(browser, "create a task for Bob to renew the TLS certificates by Friday", 0)
    assert "Created task #" in reply and "Bob Smith" in reply, reply
    task = int(reply.split("Created task #")[1].split()[0])
    shoot(browser, "chat")

    browser.get(f"{base}/tasks")
    card = browser.find_element(By.CSS_SELECTOR, f"article.card[data-task='{task}']")
    assert "renew the TLS certificates" in card.find_element(By.CSS_SELECTOR, ".title").text
    assert card.find_element(By.XPATH, "ancestor::section").get_attribute("aria-label") == "To do"
    shoot(browser, "tasks")
    card.find_element(By.XPATH, ".//button[text()='Complete']").click()
    wait(browser, lambda d: "done" in d.find_element(By.CSS_SELECTOR, "[role=status]").text.lower())
    card = browser.find_element(By.CSS_SELECTOR, f"article.card[data-task='{task}']")
    assert card.find_element(By.XPATH, "ancestor::section").get_attribute("aria-label") == "Done"

    browser.get(base)
    replies = len(browser.find_elements(By.CSS_SELECTOR, "#transcript .reply"))
    question = chat(browser, f"delete task {task}", replies)
    assert "Are you sure" in question, question
    browser.find_elements(By.XPATH, "//form[contains(@class,'confirm')]//button[text()='Confirm']")[-1].click()
    deleted = wait(browser, lambda d: (r := d.find_elements(By.CSS_SELECTOR, "#transcript .reply")) and len(r) > replies + 1 and r[-1].text)
    assert "Deleted" in deleted or "deleted" in deleted, deleted
    assert errors(browser) == []
    browser.get(f"{base}/tasks/{task}")
    assert browser.title.startswith("Not Found"), browser.title
    errors(browser)  # the 404 just asked for


def test_every_page_renders_without_errors(site, browser):
    base, tokens = site
    sign_in(browser, base, tokens["write"])
    for path, name, expect in [
        ("/tasks?view=table", "tasks-table", "Fix the login bug"),
        ("/tasks/1", "task", "Edit"),
        ("/tasks/1/delete", "task-delete", "for good"),
        ("/people", "people", "Bob Smith"),
        ("/people?task=fix+the+payment+webhook", "people-recommend", "Who should take it?"),
        ("/data", "data", "churn"),
        ("/data/churn", "data-churn", "Distributions"),
        ("/models", "models", "churn"),
        ("/models/churn?explain=1&bias=gender", "model-churn", "Model card"),
        ("/activity", "activity", "describe_model"),
    ]:
        browser.get(f"{base}{path}")
        assert expect in browser.find_element(By.TAG_NAME, "main").text, path
        shoot(browser, name)
    browser.get(f"{base}/models/churn?explain=1")
    charts = browser.find_elements(By.CSS_SELECTOR, "figure img")
    assert charts and all(img.get_property("naturalWidth") > 0 for img in charts), "charts load as images"
    assert errors(browser) == []


def test_a_script_title_shows_as_text(site, browser):
    base, tokens = site
    sign_in(browser, base, tokens["write"])
    browser.get(f"{base}/tasks?view=table")
    links = browser.find_elements(By.XPATH, f"//table//a[text()={json.dumps(SCRIPT_TITLE)}]")
    assert links, "the title is visible text"
    with pytest.raises(NoAlertPresentException):
        browser.switch_to.alert.text
    assert errors(browser) == []


def test_a_read_token_sees_no_write_controls(site, browser):
    base, tokens = site
    sign_in(browser, base, tokens["read"])
    assert browser.find_elements(By.NAME, "message") == []
    for path in ("/tasks", "/tasks?view=table", "/data", "/models/churn"):
        browser.get(f"{base}{path}")
        for label in ("Complete", "Create task", "Register", "Set"):
            assert browser.find_elements(By.XPATH, f"//button[text()='{label}']") == [], (path, label)
    shoot(browser, "read-only")
    assert errors(browser) == []


def test_pages_fit_a_phone(site, browser):
    base, tokens = site
    sign_in(browser, base, tokens["write"])
    browser.set_window_size(390, 844)
    try:
        for path in ("/", "/tasks", "/people", "/data/churn", "/models/churn"):
            browser.get(f"{base}{path}")
            overflow = browser.execute_script("return document.documentElement.scrollWidth - window.innerWidth")
            assert overflow <= 0, f"{path} is {overflow}px wider than the phone"
        browser.get(f"{base}/tasks")
        shoot(browser, "phone-tasks")
    finally:
        browser.set_window_size(1280, 900)
