"""How long each text a person types may be: one table, read by the forms (a message next
to the field), the models (a database constraint, so no other path stores more) and the
pages that render stored text (which stay bounded in time even for text stored before a
cap existed).

Change a cap here and run `manage.py makemigrations`: the constraint follows.
"""

from __future__ import annotations

from django.db import models
from django.db.models.functions import Length
from django.db.models.lookups import LessThanOrEqual

# Names (teams, systems, services) and interaction names.
NAME = 120
INTERACTION_NAME = 160
# Plain-text descriptions of systems, services and interactions.
DESCRIPTION = 4000
# An e-mail address or a user name typed into an invitation.
LOGIN = 254


def length_at_most(field: str, limit: int, *, name: str) -> models.CheckConstraint:
    """A database check that `field` holds at most `limit` characters (SQLite does not
    enforce a CharField's max_length, and a TextField has none)."""
    return models.CheckConstraint(condition=LessThanOrEqual(Length(field), limit), name=name)
