"""Broken environments give a clear message and leave nothing running."""

from __future__ import annotations

import socket

import psutil
import pytest

from devstack import demo, services


def test_demo_refuses_a_taken_port_before_starting_anything(capsys):
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        sock.listen()
        port = sock.getsockname()[1]
        children_before = psutil.Process().children(recursive=True)
        assert demo.run(port) == 1
        assert psutil.Process().children(recursive=True) == children_before
    err = capsys.readouterr().err
    assert f"port {port} is already taken" in err
    assert "PORT=" in err


def test_a_service_that_fails_to_start_says_what_to_do(tmp_path, monkeypatch):
    monkeypatch.delenv("CKAN_SQLALCHEMY_URL", raising=False)
    blocker = tmp_path / "postgresql"
    blocker.write_text("not a directory")
    with pytest.raises(services.ServiceError, match="PostgreSQL failed to start") as raised:
        services.start_postgres(blocker)
    assert str(blocker) in str(raised.value)


def test_a_failing_stack_stops_what_it_already_started(tmp_path, monkeypatch):
    monkeypatch.setenv("CKAN_SQLALCHEMY_URL", "postgresql://external/db")
    stopped = []

    def fake_redis(data_dir):
        return services.Service("redis", "unix:///x", stop=lambda: stopped.append("redis"))

    def failing_search(data_dir, log_path):
        raise services.ServiceError("search failed")

    monkeypatch.setattr(services, "start_redis", fake_redis)
    monkeypatch.setattr(services, "start_search", failing_search)
    with (
        pytest.raises(services.ServiceError, match="search failed"),
        services.running_stack(tmp_path, persistent=False),
    ):
        raise AssertionError("should not start")
    assert stopped == ["redis"]


def test_search_service_that_exits_reports_its_log(tmp_path, monkeypatch):
    monkeypatch.delenv("CKAN_SOLR_URL", raising=False)
    monkeypatch.setattr(services.sys, "executable", "/bin/false")
    with pytest.raises(services.ServiceError, match="exited with code 1") as raised:
        services.start_search(None, tmp_path / "search.log")
    assert "search.log" in str(raised.value)
