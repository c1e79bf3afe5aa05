"""The decision's search text: one column holding everything the log's search covers,
filled for the decisions recorded so far.

The fill is written out here, as decisions.search built it when this migration was
written, so later changes to the search cannot break or change this step.
"""

from __future__ import annotations

from django.db import migrations, models
from django.db.models import Func, OuterRef, StringAgg, Subquery, TextField, Value
from django.db.models.functions import Coalesce

SEARCHED_FIELDS = (
    "title", "context", "drivers", "justification", "good_consequences", "bad_consequences",
    "confirmation", "links", "consulted", "informed",
)


class Joined(Func):
    template = "(%(expressions)s)"
    arg_joiner = " || "
    output_field = TextField()


def fill_search_text(apps, schema_editor) -> None:
    Decision = apps.get_model("decisions", "Decision")
    through = Decision._meta.get_field("deciders").remote_field.through
    people = (
        through.objects.filter(decision_id=OuterRef("pk"))
        .values("decision_id")
        .annotate(
            names=StringAgg(
                Joined("user__username", Value(" "), "user__first_name", Value(" "),
                       "user__last_name", Value(" ")),
                delimiter=Value(" "),
            )
        )
        .values("names")
    )
    parts = []
    for name in SEARCHED_FIELDS:
        parts += [name, Value("\n")]
    parts.append(Coalesce(Subquery(people, output_field=TextField()), Value("")))
    Decision.objects.using(schema_editor.connection.alias).update(
        search_text=Joined(*parts)
    )


class Migration(migrations.Migration):
    dependencies = [("decisions", "0003_record_token")]

    operations = [
        migrations.AddField(
            model_name="decision",
            name="search_text",
            field=models.TextField(blank=True, default="", editable=False),
        ),
        migrations.RunPython(fill_search_text, migrations.RunPython.noop),
    ]
