"""Page objects and journeys for the browser tests.

`Visit` is one person's browser tab. Its actions (follow a link, press a button, fill in a
field, choose an answer) work by mouse or, when the variant says keyboard, by Tab, Space,
Enter and the arrow keys inside a radio group only, so one journey serves both. Each journey
function scans every page it passes through.

To add a journey for a new page, write a function that takes a Visit: use visit.go(),
visit.follow(), visit.press(), visit.fill(), visit.choose() and visit.scan(name, state).
"""
from __future__ import annotations

import re
import uuid
from contextlib import contextmanager
from dataclasses import dataclass
from functools import partial
from pathlib import Path
from unittest import mock

from tests.browser.axe import Variant, scan

DEMO_PASSWORD = "demo-learning-2026"

FOCUS_VISIBLE = """el => {
  const shown = s => s && ((s.outlineStyle !== 'none' && s.outlineColor !== 'rgba(0, 0, 0, 0)' && s.outlineWidth !== '0px')
                           || (s.boxShadow && s.boxShadow !== 'none'));
  if (shown(getComputedStyle(el))) return true;
  if (el.type === 'radio' || el.type === 'checkbox') {
    const label = el.labels && el.labels[0];
    return !!label && (shown(getComputedStyle(label, '::before')) || shown(getComputedStyle(label, '::after')));
  }
  return false;
}"""


@contextmanager
def cheap_password_hashes():
    """Accounts made by the test set-up get a quick hash (scrypt takes a quarter of a second
    each, and the demo has 52 accounts); sign-in checks any werkzeug hash method alike."""
    from werkzeug.security import generate_password_hash

    with mock.patch("learning.models.generate_password_hash", partial(generate_password_hash, method="pbkdf2:sha256:1000")):
        yield


@dataclass
class Site:
    """The app served for the browser, with its own database."""
    url: str
    app: object

    @contextmanager
    def db(self):
        from learning.extensions import db

        with self.app.app_context():
            yield db.session
            db.session.remove()

    def content(self, slug: str):
        return self.app.extensions["catalogue"].modules[slug]

    def new_account(self, role: str = "practitioner", agency: str = "Northbrook Police") -> str:
        """A fresh account (the demo password), so each journey starts from an empty record."""
        from learning.models import Role
        from learning.people.accounts import create_user, find_agency

        email = f"{role}-{uuid.uuid4().hex[:8]}@example.org"
        with self.db(), cheap_password_hashes():
            create_user(email=email, name=f"Browser {role.title()}", agency=find_agency(agency), role=Role(role),
                        password=DEMO_PASSWORD)
        return email

    def two_factor_code(self, email: str) -> str:
        """The code an authenticator app holding this account's secret shows now. The tests
        sign the demo coordinator in many times a minute, which a person cannot, and each
        code works once: so the account's last used step is forgotten first."""
        import pyotp
        from sqlalchemy import select

        from learning.models import User

        with self.db() as session:
            user = session.scalar(select(User).where(User.email == email))
            user.totp_last_step = None
            session.commit()
            return pyotp.TOTP(user.totp_secret).now()

    def outbox_links(self, to: str, path: str) -> list[str]:
        """Links to `path` in the plain-text emails sent to `to`, oldest first, read from
        the .eml files in the outbox folder as a mail program would."""
        from email import policy
        from email.parser import BytesParser

        folder = Path(self.app.config["OUTBOX_DIR"])
        links = []
        for eml in sorted(folder.glob("*.eml")):
            message = BytesParser(policy=policy.default).parsebytes(eml.read_bytes())
            if message["To"] == to:
                text = message.get_body(preferencelist=("plain",)).get_content()
                links += re.findall(rf"https?://\S+{re.escape(path)}\S+", text)
        return links

    def attempt(self, attempt_id: int) -> list[tuple[int, str, list[str]]]:
        """(position, question id, shuffled option order) for each question of an attempt."""
        from learning.models import Attempt

        with self.db() as session:
            attempt = session.get(Attempt, attempt_id)
            return [(aq.position, aq.question_id, list(aq.option_order)) for aq in attempt.questions]


class Visit:
    """One person's tab: a Playwright page used at one viewport, by mouse or keyboard."""

    def __init__(self, page, site: Site, variant: Variant):
        self.page = page
        self.site = site
        self.variant = variant

    # -- looking ----------------------------------------------------------------------
    def scan(self, name: str, state: str = "", allow: dict[str, str] | None = None):
        return scan(self.page, name, state, allow=allow)

    @property
    def title(self) -> str:
        return self.page.title()

    def heading(self) -> str:
        return self.page.locator("h1").first.text_content().strip()

    def text(self) -> str:
        return self.page.locator("main").inner_text()

    # -- moving -----------------------------------------------------------------------
    def go(self, path: str, status: int = 200):
        response = self.page.goto(self.site.url + path)
        assert response.status == status, f"{path} answered {response.status}, expected {status}"
        return response

    def tab_to(self, locator, limit: int = 80) -> None:
        """Press Tab until `locator` has focus; fails if it never does or shows no focus style."""
        target = locator.element_handle()
        for _ in range(limit):
            self.page.keyboard.press("Tab")
            if target.evaluate("el => el === document.activeElement"):
                assert target.evaluate(FOCUS_VISIBLE), f"no visible focus indicator on {target.evaluate('e => e.outerHTML')[:200]}"
                return
        raise AssertionError(f"Tab never reached {locator}")

    def follow(self, name: str, exact: bool = True) -> None:
        """Follow a link, including a GOV.UK button drawn as a link (role=button)."""
        text = re.compile(rf"^\s*{re.escape(name)}\s*$") if exact else name
        self._activate(self.page.locator("a[href]", has_text=text).first, "Enter")

    def press(self, name: str, exact: bool = True) -> None:
        """Press a button (a form submit)."""
        button = self.page.get_by_role("button", name=name, exact=exact).first
        self._activate(button, "Space")

    def _activate(self, locator, key: str) -> None:
        if self.variant.keyboard:
            self.tab_to(locator)
            with self.page.expect_navigation():
                self.page.keyboard.press(key)
        else:
            with self.page.expect_navigation():
                locator.click()

    def download(self, name: str, folder) -> Path:
        """Follow a link or press a button that downloads a file; returns where it was saved."""
        target = self.page.locator("a[href], button", has_text=re.compile(rf"^\s*{re.escape(name)}\s*$")).first
        with self.page.expect_download() as info:
            if self.variant.keyboard:
                self.tab_to(target)
                self.page.keyboard.press("Enter")
            else:
                target.click()
        download = info.value
        assert download.failure() is None, download.failure()
        path = Path(folder) / download.suggested_filename
        download.save_as(path)
        return path

    def fill(self, label: str, value: str) -> None:
        field = self.page.get_by_label(label, exact=True)
        if self.variant.keyboard:
            self.tab_to(field)
            self.page.keyboard.type(value)
        else:
            field.fill(value)

    def select(self, label: str, option: str) -> None:
        """Pick an option of a drop-down by its text (keyboard: type-ahead on the closed select)."""
        field = self.page.get_by_label(label, exact=True)
        if self.variant.keyboard:
            self.tab_to(field)
            self.page.keyboard.type(option)
        else:
            field.select_option(label=option)
        assert field.evaluate("el => el.options[el.selectedIndex].text") == option

    def choose(self, value: str, name: str = "answer") -> None:
        """Check the radio or checkbox with this value."""
        target = self.page.locator(f'input[name="{name}"][value="{value}"]')
        if not self.variant.keyboard:
            target.check()
            return
        kind = target.get_attribute("type")
        if kind == "checkbox":
            self.tab_to(target)
            self.page.keyboard.press("Space")
        else:
            # A radio group is one Tab stop (the checked radio, else the first); the arrow
            # keys move the choice within it.
            group = self.page.locator(f'input[name="{name}"]')
            values = [group.nth(i).get_attribute("value") for i in range(group.count())]
            checked = next((i for i in range(group.count()) if group.nth(i).is_checked()), 0)
            self.tab_to(group.nth(checked))
            steps = values.index(value) - checked
            if steps == 0:
                self.page.keyboard.press("Space")
            for _ in range(abs(steps)):
                self.page.keyboard.press("ArrowDown" if steps > 0 else "ArrowUp")
        assert target.is_checked(), f"{value} is not chosen"

    def open_menu_if_collapsed(self) -> None:
        """At phone widths, with JavaScript, the service navigation sits behind a Menu button."""
        toggle = self.page.locator(".govuk-service-navigation__toggle")
        if toggle.count() and toggle.is_visible() and toggle.get_attribute("aria-expanded") != "true":
            if self.variant.keyboard:
                self.tab_to(toggle)
                self.page.keyboard.press("Enter")
            else:
                toggle.click()


# -- journeys ---------------------------------------------------------------------------

def sign_in(visit: Visit, email: str, password: str = DEMO_PASSWORD, scan_as: str | None = "sign-in") -> None:
    """From anywhere signed out: the sign-in page, then My learning."""
    if "/sign-in" not in visit.page.url:
        visit.go("/sign-in")
    if scan_as:
        visit.scan(scan_as)
    visit.fill("Email address", email)
    visit.fill("Password", password)
    visit.press("Sign in")
    if visit.heading() == "Enter your security code":
        # Two-factor sign-in (the demo coordinator and admin): the code their app would show.
        visit.fill("Security code", visit.site.two_factor_code(email))
        visit.press("Continue")
    assert visit.heading() == "My learning", visit.heading()


def sign_out(visit: Visit) -> None:
    visit.open_menu_if_collapsed()
    visit.press("Sign out")
    assert visit.heading() == "Sign in"
    assert "You have signed out" in visit.page.locator(".govuk-notification-banner").inner_text()


def navigate(visit: Visit, item: str) -> None:
    """Follow an item of the service navigation, or for a coordinator or admin one of the
    pages grouped under its Manage item."""
    visit.open_menu_if_collapsed()
    links = visit.page.locator("#navigation a").all_inner_texts()
    if item not in (text.strip() for text in links) and "Manage" in (text.strip() for text in links):
        visit.follow("Manage")
    visit.follow(item)


@dataclass
class Plan:
    """How to answer a module: the first `wrong` questions wrongly; at a decision, the
    option that leads to a consequence when `branch` is set."""
    wrong: int = 0
    branch: bool = True
    show_error: bool = False  # submit the first question with no answer first
    stop_after: int | None = None  # leave the attempt open after this many answers


def start_module(visit: Visit, slug: str, state: str = "", ratings: dict[str, str] | None = None) -> int:
    """From My learning: open the module's page and start (or continue) the case. Asked for
    confidence first, give `ratings` (radio name: value), or skip."""
    content = visit.site.content(slug)
    visit.follow(content.title)
    assert visit.heading() == content.title
    visit.scan("module", state)
    visit.press("Continue your attempt" if state == "in-progress" else "Start the case")
    if visit.page.url.endswith("/confidence"):
        # Confidence in each learning outcome before the first question: rated, or skipped.
        assert visit.heading() == "How confident are you now?"
        visit.scan("confidence-before")
        for name, value in (ratings or {}).items():
            visit.choose(value, name=name)
        visit.press("Save and start the case" if ratings else "Skip")
    match = re.search(r"/attempts/(\d+)/questions/(\d+)$", visit.page.url)
    assert match, visit.page.url
    return int(match.group(1))


def answer_questions(visit: Visit, slug: str, attempt_id: int, plan: Plan) -> dict:
    """Answer from the question shown to the end (or plan.stop_after); returns what happened."""
    content = visit.site.content(slug)
    drawn = visit.site.attempt(attempt_id)
    seen = {"consequence": None, "answered": 0, "wrong": 0}
    first = int(re.search(r"/questions/(\d+)$", visit.page.url).group(1))
    for position, question_id, order in drawn[first - 1:]:
        question = content.question(question_id)
        assert visit.page.url.endswith(f"/attempts/{attempt_id}/questions/{position}"), visit.page.url
        assert visit.heading() == question.prompt
        # The options are shown in the attempt's shuffled order, as option-1, option-2...
        labels = visit.page.locator('input[name="answer"]')
        shown = [visit.page.locator(f'label[for="{labels.nth(i).get_attribute("id")}"]').inner_text().strip()
                 for i in range(labels.count())]
        assert shown == [question.option(oid).text for oid in order]
        visit.scan(f"question-{position}")

        if plan.show_error and position == first:
            visit.press("Check my answer")
            assert visit.page.locator(".govuk-error-summary").is_visible()
            visit.scan(f"question-{position}", "error")

        right = set(question.correct_ids())
        branch_option = next((o.id for o in question.options if o.leads_to), None) if question.decision else None
        if question.decision and plan.branch and branch_option:
            chosen = [branch_option]
        elif position <= plan.wrong:
            wrong = [oid for oid in order if oid not in right]
            chosen = [next((oid for oid in wrong if oid != branch_option), wrong[0])]
        else:
            chosen = [oid for oid in order if oid in right]
        for oid in chosen:
            visit.choose(f"option-{order.index(oid) + 1}")
        visit.press("Check my answer")
        assert visit.page.url.endswith(f"/questions/{position}/feedback"), visit.page.url
        is_right = set(chosen) == right
        seen["wrong"] += not is_right
        assert visit.heading() == ("Right" if is_right else "Not quite")
        state = "right" if is_right else "not-quite"
        if chosen == [branch_option]:
            branch = content.stage(question.option(branch_option).leads_to)
            assert visit.page.locator("#branch-title").text_content().strip().endswith(branch.title)
            assert visit.page.locator("#branch-title").text_content().count("What happened next") == 1
            seen["consequence"] = branch
            state = "consequence"
        visit.scan(f"feedback-{position}", state)
        seen["answered"] += 1
        if plan.stop_after and seen["answered"] >= plan.stop_after:
            return seen
        visit.follow("Check and submit" if position == len(drawn) else "Next question")
    return seen


def finish_module(visit: Visit, slug: str, passed: bool, consequence=None) -> None:
    """From the check page: submit, read the result, open the review."""
    content = visit.site.content(slug)
    assert visit.page.url.endswith("/check"), visit.page.url
    visit.scan("check")
    visit.press("Submit and see my result")
    if passed:
        assert "You passed" in visit.page.locator(".govuk-panel").inner_text()
        visit.scan("result", "passed")
        # The certificate, then back to the result.
        visit.follow("View and print your certificate")
        assert visit.heading() == "Certificate of completion"
        assert content.title in visit.page.locator(".app-certificate").inner_text()
        visit.scan("certificate")
        visit.follow("My certificates")
        assert content.title in visit.page.locator("table").inner_text()
        visit.scan("my-certificates")
        visit.page.go_back()
        visit.page.go_back()
        assert "You passed" in visit.page.locator(".govuk-panel").inner_text()
    else:
        assert visit.heading() == "You did not pass this time"
        visit.scan("result", "not-passed")
    visit.follow("Review your answers")
    assert visit.heading() == "Review your answers"
    path = visit.page.locator("#path").inner_text()
    if consequence:
        line = next(li for li in path.splitlines() if consequence.title in li)
        assert line.startswith("Consequence of"), line
    visit.scan("review", "with-consequence" if consequence else "")
    assert visit.page.locator("dt", has_text="Right answer").count() == content.questions_per_attempt


def take_module(visit: Visit, slug: str, plan: Plan | None = None) -> dict:
    """The whole module from My learning: module page, every question and its feedback,
    check, result, review; back on My learning the module shows as passed or not."""
    plan = plan or Plan()
    attempt_id = start_module(visit, slug)
    seen = answer_questions(visit, slug, attempt_id, plan)
    total = visit.site.content(slug).questions_per_attempt
    passed = (total - seen["wrong"]) * 100 >= visit.site.content(slug).pass_mark * total
    finish_module(visit, slug, passed, seen["consequence"])
    seen["passed"] = passed
    seen["attempt_id"] = attempt_id
    return seen
