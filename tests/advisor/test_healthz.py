from __future__ import annotations

from unittest import mock

import pytest
from django.db import OperationalError
from django.urls import reverse

pytestmark = pytest.mark.django_db


def test_it_answers_200_when_the_database_answers(client, django_assert_num_queries):
    with django_assert_num_queries(1):
        response = client.get(reverse("healthz"))
    assert response.status_code == 200
    assert response.json() == {"status": "ok", "database": "up"}


def test_it_answers_503_when_the_database_is_down(client):
    with mock.patch("advisor.views.health.connection.cursor", side_effect=OperationalError("gone")):
        response = client.get(reverse("healthz"))
    assert response.status_code == 503
    assert response.json()["database"] == "down"


def test_it_refuses_post_with_405(client):
    assert client.post(reverse("healthz")).status_code == 405


def test_it_needs_no_login(client):
    assert client.get(reverse("healthz")).status_code == 200
