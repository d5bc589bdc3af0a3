"""The `cluster` marker: tests that start Postgres, nginx and several workers (tests/e2e/test_cluster.py)."""

from __future__ import annotations


def pytest_configure(config) -> None:
    config.addinivalue_line(
        "markers", "cluster: starts PostgreSQL, nginx and 2 app workers on loopback (deploy/cluster.py)"
    )
