"""Running a page in AppTest with the session state a user's earlier choices would have left."""

from __future__ import annotations

from streamlit.testing.v1 import AppTest


def run_page(page: str, *, timeout: float = 120, **state: object) -> AppTest:
    """``page`` (a file) run once with ``state`` in its session state (e.g. ``adcode``, ``lang``)."""
    at = AppTest.from_file(page, default_timeout=timeout)
    for k, v in state.items():
        at.session_state[k] = v
    return at.run()
