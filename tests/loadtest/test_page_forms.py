"""Reading a page's form as a browser would post it."""

from __future__ import annotations

import pytest

from loadtest.page_forms import input_value, read_form

PAGE = """
<form method="post" action="/teams/switch/"><input name="team" value="other"></form>
<form id="questionnaire" method="post" action="/interactions/7/">
  <input type="hidden" name="csrfmiddlewaretoken" value="tok">
  <input type="hidden" name="base" id="id_base" value="b1">
  <fieldset id="question-consistency">
    <input type="radio" name="consistency" value="" id="c0">
    <input type="radio" name="consistency" value="immediate" id="c1" checked>
    <input type="radio" name="consistency" value="eventual" id="c2">
  </fieldset>
  <fieldset id="question-capabilities">
    <input type="checkbox" name="capabilities" value="tracing" checked>
    <input type="checkbox" name="capabilities" value="outbox">
    <input type="checkbox" name="capabilities" value="dlq" checked>
  </fieldset>
  <input type="number" name="chain_depth" value="3">
  <input type="text" name="off" value="x" disabled>
  <textarea name="context">
First line &amp; more</textarea>
  <select name="one"><option value="a">A</option><option value="b" selected>B</option></select>
  <select name="first"><option>Only</option></select>
  <select name="many" multiple><option value="x" selected>X</option><option value="y">Y</option>
  <option value="z" selected>Z</option></select>
  <button type="submit" name="refill" value="1">Re-fill</button>
</form>
"""


def test_it_reads_the_named_forms_successful_controls_in_page_order():
    form = read_form(PAGE, "questionnaire")
    assert form.fields == [
        ("csrfmiddlewaretoken", "tok"), ("base", "b1"), ("consistency", "immediate"),
        ("capabilities", "tracing"), ("capabilities", "dlq"), ("chain_depth", "3"),
        ("context", "First line & more"), ("one", "b"), ("first", "Only"), ("many", "x"),
        ("many", "z"),
    ]  # fmt: skip


def test_it_lists_every_radio_choice_and_the_ids_inside_the_form():
    form = read_form(PAGE, "questionnaire")
    assert form.radios == {"consistency": ["", "immediate", "eventual"]}
    assert {"question-consistency", "question-capabilities", "id_base"} <= form.ids
    assert form.value("consistency") == "immediate"
    assert form.values("capabilities") == ["tracing", "dlq"]


def test_without_an_id_it_reads_the_form_that_posts_to_its_own_page():
    page = (
        '<form method="post" action="/logout/"></form><form method="post" novalidate>'
        '<input name="username"><input type="password" name="password"></form>'
    )
    assert read_form(page).fields == [("username", ""), ("password", "")]


def test_a_page_without_the_form_is_refused():
    with pytest.raises(ValueError, match="#decision-form"):
        read_form(PAGE, "decision-form")


def test_it_finds_an_input_value_in_a_fragment():
    fragment = (
        '<section id="scoreboard"></section>'
        '<input type="hidden" name="base" id="id_base" value="b2" hx-swap-oob="true">'
    )
    assert input_value(fragment, "id_base") == "b2"
    assert input_value(fragment, "id_other") is None


def test_an_empty_choice_posts_empty_and_a_choice_without_a_value_posts_on():
    page = (
        '<form id="f"><input type="radio" name="a" value="" checked>'
        '<input type="checkbox" name="b" checked></form>'
    )
    assert read_form(page, "f").fields == [("a", ""), ("b", "on")]
