"""The decision log's search: what it covers, whole words, safe with any input, indexed."""

from __future__ import annotations

import importlib
from types import SimpleNamespace

import pytest
from django.apps import apps
from django.contrib.postgres.search import SearchQuery
from django.db import connection
from django.urls import reverse

from decisions import services
from decisions.models import Decision
from decisions.search import EnglishVector, fts5_match
from decisions.selectors import LogFilters, decision_log
from tests.factories import MembershipFactory, SystemFactory, make_interaction, record_decision

pytestmark = pytest.mark.django_db

sqlite_only = pytest.mark.skipif(connection.vendor != "sqlite", reason="SQLite's FTS5 index")
postgres_only = pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL's index")


@pytest.fixture
def system(team):
    return SystemFactory(team=team, name="Shop")


@pytest.fixture
def search(client, viewer, team):
    client.force_login(viewer)
    url = reverse("decision_log", args=[team.slug])

    def references(query: str) -> list[str]:
        response = client.get(url, {"q": query})
        assert response.status_code == 200
        assert not response.context["form"].errors
        return [decision.reference for decision in response.context["page"]]

    return references


def _record(system, owner, name: str = "Reserve stock", **data) -> Decision:
    return record_decision(make_interaction(system=system, name=name), user=owner, **data)


def _edit_data(decision: Decision, **changes) -> dict:
    data = {field: getattr(decision, field) or "" for field in services.EDITABLE_FIELDS}
    data["decided_on"] = None
    data.update(changes)
    return data


@pytest.mark.parametrize(
    "field",
    ["title", "context", "drivers", "justification", "good_consequences", "bad_consequences",
     "confirmation", "links", "consulted", "informed"],
)  # fmt: skip
def test_every_text_of_the_record_is_searched(search, system, owner, field):
    _record(system, owner, name="Noise")
    found = _record(system, owner, **{field: "Scale out with autoscaling when queues grow"})
    assert search("autoscaling") == [found.reference]


def test_a_word_only_in_the_justification_is_found(search, system, owner):
    decision = _record(system, owner, chosen_option="sync",
                       justification="Autoscaling keeps latency flat.")  # fmt: skip
    assert search("autoscaling") == [decision.reference]


def test_decision_makers_are_found_by_username_and_full_name(search, system, owner, team):
    person = MembershipFactory(team=team, user__username="marguerite",
                               user__first_name="Ines", user__last_name="Okonkwo").user  # fmt: skip
    found = _record(system, owner, deciders=[person])
    _record(system, owner, name="Other")  # decided by its owner alone
    assert search("marguerite") == [found.reference]
    assert search("okonkwo") == [found.reference]
    assert search("Ines Okonkwo") == [found.reference]


def test_words_are_matched_whole_not_as_substrings(search, system, owner):
    slow = _record(system, owner, context="A slow batch job.")
    slo = _record(system, owner, name="Other", context="The SLO is breached.")
    assert search("SLO") == [slo.reference]
    assert search("slow") == [slow.reference]
    assert search("sl") == []


def test_words_are_stemmed_and_case_is_ignored(search, system, owner):
    decision = _record(system, owner, context="Caching the prices overnight.")
    assert search("CACHES price") == [decision.reference]


def test_every_word_must_appear(search, system, owner):
    both = _record(system, owner, context="Flash sale overload.")
    _record(system, owner, name="Other", context="Flash memory.")
    assert search("flash overload") == [both.reference]


def test_another_teams_decisions_are_not_found(search, system, owner):
    record_decision(context="Autoscaling elsewhere.")
    mine = _record(system, owner, context="Autoscaling here.")
    assert search("autoscaling") == [mine.reference]


def test_an_edit_is_searchable_at_once_and_the_old_text_is_gone(search, system, owner, team):
    decision = _record(system, owner, context="Nightly repricing.")
    person = MembershipFactory(team=team, user__username="bartholomew").user
    services.decision_update(
        decision=decision, user=owner, data=_edit_data(decision, context="Hourly throttling."),
        deciders=[person], base_version=1,
    )  # fmt: skip
    assert search("throttling") == [decision.reference]
    assert search("repricing") == []
    assert search("bartholomew") == [decision.reference]
    assert search(owner.username) == []  # no longer among the decision-makers


def test_an_amendment_is_searchable(search, system, owner):
    decision = _record(system, owner)
    services.decision_change_status(decision=decision, user=owner, status="accepted",
                                    base_version=1)  # fmt: skip
    decision.refresh_from_db()
    services.decision_amend(
        decision=decision, user=owner, deciders=[owner], base_version=decision.version,
        data=_edit_data(decision, confirmation="Review the dashboards quarterly."),
        reason="Agreed a check",
    )  # fmt: skip
    assert search("dashboards") == [decision.reference]


@pytest.mark.parametrize(
    "query",
    ['"', '"autoscaling', "autoscaling\"'", "(autoscaling", "autoscaling)", "autoscaling*",
     "NEAR(autoscaling", "autoscaling -", "-", "*", "AND", "OR autoscaling", "NOT",
     "search_text:autoscaling", "^autoscaling", "{autoscaling}", "autoscaling:", "+ ~ :",
     "Ωmega ünïcødé 日本語 🚀", "a" * 200, "'; DROP TABLE decisions_decision; --"],
)  # fmt: skip
def test_no_input_breaks_the_search(client, viewer, team, system, owner, query):
    _record(system, owner, justification="Autoscaling keeps latency flat.", chosen_option="sync")
    client.force_login(viewer)
    response = client.get(reverse("decision_log", args=[team.slug]), {"q": query})
    assert response.status_code == 200
    assert not response.context["form"].errors
    assert Decision.objects.count() == 1


@pytest.mark.parametrize(
    "query", ['"autoscaling"', "(autoscaling)", "autoscaling*", "{autoscaling}", "autoscaling:"]
)
def test_punctuation_around_a_word_does_not_hide_it(search, system, owner, query):
    decision = _record(system, owner, justification="Autoscaling keeps latency flat.",
                       chosen_option="sync")  # fmt: skip
    assert search(query) == [decision.reference]


def test_a_search_without_any_word_finds_nothing(search, system, owner):
    _record(system, owner)
    assert search("* - ( )") == []


def test_the_search_text_filled_by_the_migration_is_the_one_writes_keep(system, owner, team):
    person = MembershipFactory(team=team, user__username="zed", user__first_name="Zed",
                               user__last_name="Ulm").user  # fmt: skip
    decision = _record(system, owner, deciders=[owner, person], consulted="Ops guild")
    written = Decision.objects.get(pk=decision.pk).search_text
    assert "Ops guild" in written and "Zed Ulm" in written and owner.username in written
    Decision.objects.update(search_text="")
    migration = importlib.import_module("decisions.migrations.0007_adr_exchange")
    migration.fill_search_text(apps, SimpleNamespace(connection=connection))
    assert Decision.objects.get(pk=decision.pk).search_text == written


def test_fts5_queries_quote_every_word():
    assert fts5_match('flash "sale" NEAR(x) * -') == '"flash" AND """sale""" AND "NEAR(x)"'
    assert fts5_match("(  ) * -") == ""
    assert fts5_match("a\x00b") == '"a" AND "b"'


@sqlite_only
def test_the_fts_index_stays_in_step_with_every_write(system, owner):
    decision = _record(system, owner, context="First words.")
    services.decision_update(decision=decision, user=owner, deciders=[],
                             data=_edit_data(decision, context="Second words."),
                             base_version=1)  # fmt: skip
    _record(system, owner, name="Other")
    Decision.objects.filter(pk=decision.pk).delete()
    with connection.cursor() as cursor:
        # Raises "database disk image is malformed" if the index and the rows disagree.
        cursor.execute("INSERT INTO decision_fts(decision_fts) VALUES ('integrity-check')")
        cursor.execute("SELECT count(*) FROM decision_fts WHERE decision_fts MATCH 'words'")
        assert cursor.fetchone() == (0,)


@sqlite_only
def test_the_fts_triggers_survive_every_migration():
    # SQLite drops a table's triggers when a migration rebuilds the table.
    with connection.cursor() as cursor:
        cursor.execute("SELECT name FROM sqlite_master WHERE type = 'trigger' ORDER BY name")
        names = [row[0] for row in cursor.fetchall()]
    assert names == ["decision_fts_delete", "decision_fts_insert", "decision_fts_update"]


@sqlite_only
@pytest.mark.parametrize("sort", ["newest", "updated"])
def test_sqlite_starts_from_the_fts_matches_not_from_the_whole_log(team, sort):
    decisions = decision_log(team, LogFilters(query="flash", status="accepted", sort=sort))
    sql, params = decisions[:25].query.sql_with_params()
    with connection.cursor() as cursor:
        cursor.execute(f"EXPLAIN QUERY PLAN {sql}", params)
        plan = [str(row[-1]) for row in cursor.fetchall()]
    assert plan[0] == "SEARCH decisions_decision USING INTEGER PRIMARY KEY (rowid=?)", plan
    assert any("decision_fts VIRTUAL TABLE INDEX" in step for step in plan), plan


@postgres_only
def test_postgresql_searches_through_the_gin_index(team, owner):
    # Enough of a log, analysed, for the planner to weigh the team's rows against the index.
    Decision.objects.bulk_create(
        Decision(team=team, number=number, system_name="Shop", interaction_name="Sync",
                 title=f"Decision {number}", chosen_option="sync", recommended_option="sync",
                 framework_name="default", framework_version=1, created_by=owner,
                 search_text=f"Decision {number}\nGenerated.")
        for number in range(1, 3001)
    )  # fmt: skip
    # Only the search condition, so the index that matches its expression is the one way in
    # once sequential scans are off (with the team's filter too, the planner may rightly
    # prefer the team's index; which it picks depends on the statistics).
    decisions = Decision.objects.alias(search_vector=EnglishVector("search_text")).filter(
        search_vector=SearchQuery("flash sale", search_type="websearch", config="english")
    )
    sql, params = decisions.query.sql_with_params()
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE decisions_decision")
        cursor.execute("SET LOCAL enable_seqscan = off")
        cursor.execute(f"EXPLAIN {sql}", params)
        plan = " ".join(row[0] for row in cursor.fetchall())
        cursor.execute(
            "SELECT indexname FROM pg_indexes WHERE tablename = 'decisions_decision' "
            "AND indexname LIKE 'decision_search%%'"
        )
        indexes = [row[0] for row in cursor.fetchall()]
    assert "decision_search_text_idx" in plan, plan
    assert indexes == ["decision_search_text_idx"]  # the old index over four fields is gone
