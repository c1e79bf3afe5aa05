"""What each simulated user does: one architect's visit to Crossroads, start to finish.

    locust -f loadtest/locustfile.py --headless -u 50 -r 10 --host http://127.0.0.1:8000

A visit: log in (the form, then the POST with its CSRF token), open the user's own
interaction's questionnaire, change ten answers one at a time (each change is the htmx POST
the page sends, which re-scores and saves the draft), record a decision from the record
form as it comes pre-filled, open the team's decision log, and download the new decision's
PDF. Every form is read from the page and posted back as a browser would.

Set by scripts/loadtest.sh through the environment:
    LOADTEST_ACCOUNTS   the accounts file loadtest.setup_data wrote (required)
    LOADTEST_SAMPLES    where to write every timing for loadtest.report
    LOADTEST_VISITS     visits per user (1); each user stops after its visits, and the
                        run ends when every user has
    LOADTEST_THINK      seconds a person pauses between two steps, "low,high" ("2,4")
    LOADTEST_WARMUP     "1": one visit per user, no pauses, nothing written (warms up
                        every worker before the measured run)
    GUNICORN_PID, DATABASE_URL   whose CPU time to report
"""

from __future__ import annotations

import itertools
import json
import os
import random
import re
import sys
import time
from collections import Counter, defaultdict
from html import unescape
from http.cookiejar import DefaultCookiePolicy
from pathlib import Path
from urllib.parse import urlencode, urlsplit

import gevent
from locust import FastHttpUser, constant, events, task
from locust.exception import StopUser
from locust.runners import STATE_RUNNING, STATE_STOPPED, STATE_STOPPING

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from loadtest import cpu
from loadtest.page_forms import Form, input_value, read_form
from loadtest.report import (
    LOG,
    LOGIN,
    LOGIN_FORM,
    PDF,
    QUESTIONNAIRE,
    RECORD,
    RECORD_FORM,
    RESCORE,
)

RESCORES = 10
NONE = "none-yet"  # the questionnaire's "none of these yet" choice
WARMUP = os.environ.get("LOADTEST_WARMUP") == "1"
VISITS = 1 if WARMUP else int(os.environ.get("LOADTEST_VISITS", "1"))
THINK = (
    (0.0, 0.0)
    if WARMUP
    else tuple(float(s) for s in os.environ.get("LOADTEST_THINK", "2,4").split(","))
)
ACCOUNTS = json.loads(Path(os.environ["LOADTEST_ACCOUNTS"]).read_text())
PASSWORD = ACCOUNTS["password"]
_next_account = itertools.cycle(ACCOUNTS["accounts"])
FORM_ENCODED = "application/x-www-form-urlencoded"
DECISION_URL = re.compile(r"/decisions/(\d+)/$")
_ERRORS = re.compile(
    r'<(?:span|div|p)[^>]*class="[^"]*(?:invalid-feedback|alert-danger|alert-warning)[^"]*"'
    r"[^>]*>(.*?)</(?:span|div|p)>", re.S,
)  # fmt: skip


class _Run:
    """Every timing of the measured run, and what went wrong."""

    samples: dict[str, list] = defaultdict(list)
    failures: dict[str, Counter] = defaultdict(Counter)
    harness_errors: list[str] = []
    visits_completed = 0
    started = ended = 0.0
    cpu_before: dict | None = None


class StepFailed(Exception):
    """A step got an answer a browser would not get: the rest of the visit is skipped."""


class Architect(FastHttpUser):
    """One editor working on their own interaction."""

    wait_time = constant(0)  # pauses are taken between steps, see _think

    def on_start(self) -> None:
        account = next(_next_account)
        self.username = account["username"]
        self.interaction = account["interaction"]
        self.team = account["team"]
        self.visits = 0
        origin = urlsplit(self.host)
        # Production runs behind a TLS proxy: the app sees HTTPS (its cookies are secure,
        # CSRF checks the HTTPS origin) as it does there, and the browser's side of the
        # proxy is HTTPS, so its secure cookies go with every request.
        self.origin = f"https://{origin.netloc}"
        self.headers = {"X-Forwarded-Proto": "https"}
        self.client.cookiejar.set_policy(DefaultCookiePolicy(secure_protocols=("http", "https")))

    @task
    def visit(self) -> None:
        if self.visits >= VISITS:
            raise StopUser()
        self.visits += 1
        self.client.cookiejar.clear()  # each visit starts logged out, in a fresh session
        try:
            self._visit()
        except StepFailed:
            return
        if not WARMUP:
            _Run.visits_completed += 1

    def _visit(self) -> None:
        self._log_in()
        self._think()
        page_url = f"/interactions/{self.interaction}/"
        form, token = self._questionnaire(page_url)
        for change in range(RESCORES):
            self._think()
            form = self._rescore(page_url, form, token, change)
        self._think()
        decision = self._record()
        self._think()
        self._request(LOG, "GET", f"/t/{self.team}/decisions/")
        self._think()
        self._request(PDF, "GET", f"/decisions/{decision}/export.pdf", check=_is_pdf)

    def _think(self) -> None:
        if THINK[1] > 0:
            gevent.sleep(random.uniform(*THINK))

    # --- the steps -------------------------------------------------------------------------

    def _log_in(self) -> None:
        page = self._request(LOGIN_FORM, "GET", "/login/")
        form = self._form(LOGIN_FORM, page.text, None)
        fields = _replaced(form.fields, username=self.username, password=PASSWORD)
        self._think()  # typing the user name and password
        self._post(LOGIN, "/login/", fields, referer="/login/", expect=302,
                   check=lambda r: "location of the login page" if "/login/" in
                   r.headers.get("location", "") else None)  # fmt: skip

    def _questionnaire(self, url: str) -> tuple[Form, str]:
        page = self._request(QUESTIONNAIRE, "GET", url)
        form = self._form(QUESTIONNAIRE, page.text, "questionnaire")
        return form, form.value("csrfmiddlewaretoken") or ""

    def _rescore(self, url: str, form: Form, token: str, change: int) -> Form:
        """Change one answer, as a person clicking another option, and post the form the way
        htmx does: the answers, the base they started from and the CSRF token only."""
        keys = {i.removeprefix("question-") for i in form.ids if i.startswith("question-")}
        questions = [name for name in form.radios if name in keys]
        if not questions:
            raise self._broken(RESCORE, "the questionnaire has no question to answer")
        # Each change goes to the next question that offers another answer than its own.
        first = self.interaction + self.visits * RESCORES + change
        for step in range(len(questions)):
            name = questions[(first + step) % len(questions)]
            options = [v for v in form.radios[name] if v and v not in (form.value(name), NONE)]
            if options:
                break
        fields = [(k, v) for k, v in form.fields if k in keys]
        if options:
            fields = _replaced(fields, **{name: options[change % len(options)]})
        fields += [("base", form.value("base") or ""), ("csrfmiddlewaretoken", token)]
        htmx = {"HX-Request": "true", "HX-Current-URL": self.origin + url,
                "HX-Target": "scoreboard", "HX-Trigger": "questionnaire",
                "X-CSRFToken": token}  # fmt: skip
        new_base = []

        def saved_base(response) -> str | None:
            new_base.append(input_value(response.text or "", "id_base"))
            return None if new_base[0] else "no base in the re-scored fragment"

        self._post(RESCORE, url, fields, referer=url, headers=htmx, check=saved_base)
        # The next change starts from what this one saved, as the page's form does.
        saved = [(k, v) for k, v in fields if k not in ("base", "csrfmiddlewaretoken")]
        return Form(fields=[*saved, ("base", new_base[0]), ("csrfmiddlewaretoken", token)],
                    radios=form.radios, ids=form.ids)  # fmt: skip

    def _record(self) -> int:
        url = f"/interactions/{self.interaction}/decide/"
        page = self._request(RECORD_FORM, "GET", url)
        form = self._form(RECORD_FORM, page.text, "decision-form")
        fields = list(form.fields)
        if not form.value("chosen_option"):  # no advice: the person picks and says why
            options = form.radios.get("chosen_option") or [""]
            fields = _replaced(fields, chosen_option=options[0], justification=(
                "Chosen by the team after a design review; the trade-offs are listed below."
            ))  # fmt: skip
        response = self._post(RECORD, url, fields, referer=url, expect=302, check=_to_decision)
        return int(DECISION_URL.search(response.headers.get("location")).group(1))

    # --- requests --------------------------------------------------------------------------

    def _form(self, step: str, html: str, form_id: str | None) -> Form:
        try:
            return read_form(html, form_id)
        except ValueError as error:
            raise self._broken(step, str(error)) from None

    def _broken(self, step: str, message: str) -> StepFailed:
        if not WARMUP:
            _Run.failures[step][message] += 1
        return StepFailed(message)

    def _post(self, step, url, fields, *, referer, headers=None, **kwargs):
        headers = {**(headers or {}), "Content-Type": FORM_ENCODED, "Origin": self.origin,
                   "Referer": self.origin + referer}  # fmt: skip
        return self._request(step, "POST", url, data=urlencode(fields), headers=headers,
                             **kwargs)  # fmt: skip

    def _request(self, step, method, url, *, expect=200, check=None, headers=None, **kwargs):
        """One request, reported under `step`; StepFailed unless it got what a browser
        following the visit expects (the status, and whatever `check` looks for)."""
        with self.client.request(
            method, url, name=step, catch_response=True, allow_redirects=False,
            headers={**self.headers, **(headers or {})}, **kwargs,
        ) as response:  # fmt: skip
            if not response.status_code:  # no answer at all: the connection's error
                error = getattr(response, "error", None)
                problem = f"no answer ({type(error).__name__ if error else 'connection lost'})"
            elif response.status_code != expect:
                problem = f"HTTP {response.status_code} (expected {expect}){_said(response)}"
            else:
                problem = check(response) if check else None
            if problem:
                response.failure(problem)
            else:
                response.success()
        if problem:
            raise self._broken(step, problem)
        return response


def _to_decision(response) -> str | None:
    location = response.headers.get("location") or ""
    return None if DECISION_URL.search(location) else f"redirected to {location!r}, not a decision"


def _is_pdf(response) -> str | None:
    return None if (response.content or b"").startswith(b"%PDF") else "not a PDF"


def _replaced(fields: list[tuple[str, str]], **values: str) -> list[tuple[str, str]]:
    """The fields with each name in `values` holding that one value instead."""
    kept = [(k, v) for k, v in fields if k not in values]
    return kept + list(values.items())


def _said(response) -> str:
    """What an error page says, in a few words, for the failure message: its form errors,
    or else its title, or the start of a plain-text answer."""
    text = (response.text if response.content else "") or ""
    found = [unescape(re.sub(r"<[^>]+>|\s+", " ", m)).strip() for m in _ERRORS.findall(text)]
    title = re.search(r"<title>(.*?)</title>", text, re.S)
    message = "; ".join(m for m in found if m) or (
        unescape(title.group(1)).strip() if title else text.strip()[:120]
    )
    return f": {' '.join(message.split())[:200]}" if message else ""


# --- measuring ---------------------------------------------------------------------------


@events.request.add_listener
def _on_request(name, response_time, exception, **_kwargs) -> None:
    if not WARMUP:
        _Run.samples[name].append((round(response_time, 2), exception is None))


@events.user_error.add_listener
def _on_user_error(user_instance, exception, tb, **_kwargs) -> None:
    _Run.harness_errors.append(f"{type(exception).__name__}: {exception}")


def _database_port() -> int | None:
    port = urlsplit(os.environ.get("DATABASE_URL", "")).port
    return port


def _cpu_snapshot():
    server = os.environ.get("GUNICORN_PID")
    return cpu.snapshot(server_pid=int(server) if server else None,
                        database_pid=cpu.postmaster(_database_port()))  # fmt: skip


@events.test_start.add_listener
def _on_test_start(environment, **_kwargs) -> None:
    _Run.started = time.time()
    _Run.cpu_before = _cpu_snapshot()
    gevent.spawn(_stop_when_every_user_is_done, environment)


def _stop_when_every_user_is_done(environment) -> None:
    """Users stop after their visits; the run ends once every one of them has."""
    runner = environment.runner
    while runner.state not in (STATE_RUNNING, STATE_STOPPING, STATE_STOPPED):
        gevent.sleep(0.5)  # still spawning
    while runner.state == STATE_RUNNING and runner.user_count > 0:
        gevent.sleep(0.5)
    if runner.state == STATE_RUNNING:
        runner.quit()


@events.test_stop.add_listener
def _on_test_stop(environment, **_kwargs) -> None:
    _Run.ended = time.time()
    path = os.environ.get("LOADTEST_SAMPLES")
    if WARMUP or not path:
        return
    options = environment.parsed_options
    raw = {
        "started": _Run.started,
        "ended": _Run.ended,
        "settings": {"users": options.num_users if options else None, "visits": VISITS,
                     "think": "-".join(f"{s:g}" for s in THINK),
                     "workers": int(os.environ.get("LOADTEST_WORKERS", "0")) or None},
        "visits_completed": _Run.visits_completed,
        "samples": dict(_Run.samples),
        "failure_messages": {step: dict(c) for step, c in _Run.failures.items()},
        "harness_errors": _Run.harness_errors[:20],
        "cpu": cpu.usage(_Run.cpu_before, _cpu_snapshot()),
    }  # fmt: skip
    Path(path).write_text(json.dumps(raw))
