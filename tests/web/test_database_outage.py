"""PostgreSQL going away under a running web app: 503s in the JSON shape, then recovery."""

from __future__ import annotations

from pathlib import Path

from fastapi.testclient import TestClient

from papertide.web import create_web_app
from tests.dbproxy import cuttable_proxy
from tests.postgres import test_databases
from tests.web.conftest import open_loaded_service


def test_a_lost_database_is_a_503_in_the_json_shape_and_the_app_recovers(tmp_path: Path) -> None:
    databases = test_databases()
    name = databases.fresh_url(str(tmp_path)).split("?")[0].rsplit("/", 1)[1]
    with cuttable_proxy(databases.admin_url) as proxy:
        service = open_loaded_service(tmp_path / "data", database_url=proxy.url(name))
        try:
            with TestClient(create_web_app(service)) as client:
                assert client.get("/api/health").json()["papers"] == 60

                proxy.cut()  # the server restarts or the network fails
                for path in ("/api/health", "/api/daily?date=2026-03-02", "/api/search?q=model"):
                    answer = client.get(path)
                    assert answer.status_code == 503, (path, answer.text)
                    body = answer.json()
                    assert set(body) == {"status", "message"} and body["status"] == 503
                    assert "database" in body["message"]
                    assert "Traceback" not in answer.text
                page = client.get("/papers/date/2026-03-02")
                assert page.status_code == 503 and "Temporarily unavailable" in page.text

                proxy.restore()  # the database is back: no restart of papertide needed
                health = client.get("/api/health")
                assert health.status_code == 200 and health.json()["papers"] == 60
                assert client.get("/papers/date/2026-03-02").status_code == 200
        finally:
            service.close()
