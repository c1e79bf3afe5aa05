"""The frameworks the web app scores with, loaded once per process."""

from __future__ import annotations

from functools import cache

from advisor.engine import Framework, load_framework

DEFAULT_FRAMEWORK = "default"


@cache
def get_framework(name: str = DEFAULT_FRAMEWORK) -> Framework:
    return load_framework(name)
