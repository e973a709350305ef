"""Settings: defaults, a TOML file, environment variables above it, clear errors."""

from __future__ import annotations

from pathlib import Path

import pytest

from papertide.exceptions import ConfigError
from papertide.settings import load_settings
from papertide.store.factory import open_store


def _toml(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "papertide.toml"
    path.write_text(text, encoding="utf-8")
    return path


def test_defaults(tmp_path: Path) -> None:
    settings = load_settings(environ={"PAPERTIDE_DATA_DIR": str(tmp_path)})
    assert settings.data_dir == tmp_path
    assert (settings.host, settings.port, settings.page_size) == ("127.0.0.1", 8000, 30)
    assert settings.resolved_base_url == "http://127.0.0.1:8000"
    assert settings.search_index_dir.parent == tmp_path


def test_the_default_database_is_a_sqlite_file_in_the_data_dir(tmp_path: Path) -> None:
    settings = load_settings(environ={"PAPERTIDE_DATA_DIR": str(tmp_path / "data")})
    assert settings.resolved_database_url == f"sqlite:///{tmp_path / 'data' / 'papertide.db'}"
    store = open_store(settings.resolved_database_url)
    store.close()
    assert (tmp_path / "data" / "papertide.db").is_file()


def test_the_default_data_dir_follows_xdg(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path))
    settings = load_settings(environ={"XDG_DATA_HOME": str(tmp_path)})
    assert settings.data_dir == tmp_path / "papertide"
    assert settings.resolved_database_url.endswith(f"{tmp_path}/papertide/papertide.db")


def test_a_toml_file_sets_values(tmp_path: Path) -> None:
    config = _toml(tmp_path, f"""
        [papertide]
        data_dir = "{tmp_path / 'lib'}"
        port = 9000
        site_name = "Lab papers"
        page_size = 50
    """)
    settings = load_settings(environ={}, config_file=config)
    assert settings.data_dir == tmp_path / "lib"
    assert (settings.port, settings.site_name, settings.page_size) == (9000, "Lab papers", 50)


def test_a_toml_file_without_a_section_works_too(tmp_path: Path) -> None:
    config = _toml(tmp_path, f'data_dir = "{tmp_path}"\nport = 9001\n')
    assert load_settings(environ={}, config_file=config).port == 9001


def test_the_config_file_can_be_named_by_the_environment(tmp_path: Path) -> None:
    config = _toml(tmp_path, f'[papertide]\ndata_dir = "{tmp_path}"\nsite_name = "From env"\n')
    settings = load_settings(environ={"PAPERTIDE_CONFIG": str(config)})
    assert settings.site_name == "From env"


def test_environment_variables_override_the_file(tmp_path: Path) -> None:
    config = _toml(tmp_path, f"""
        [papertide]
        data_dir = "{tmp_path}"
        port = 9000
        site_name = "From the file"
    """)
    settings = load_settings(
        environ={"PAPERTIDE_PORT": "9100", "PAPERTIDE_SITE_NAME": "", "PAPERTIDE_HOST": "::1"},
        config_file=config,
    )
    assert settings.port == 9100
    assert settings.host == "::1"
    assert settings.site_name == "From the file"  # an empty variable does not count


def test_database_url_from_the_environment(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'elsewhere.db'}"
    settings = load_settings(environ={"PAPERTIDE_DATA_DIR": str(tmp_path),
                                      "PAPERTIDE_DATABASE_URL": url})
    assert settings.resolved_database_url == url


def test_unknown_keys_in_the_file_are_refused(tmp_path: Path) -> None:
    config = _toml(tmp_path, '[papertide]\nport = 9000\nprot = 9001\ncolour = "blue"\n')
    with pytest.raises(ConfigError) as raised:
        load_settings(environ={}, config_file=config)
    message = str(raised.value)
    assert "colour" in message and "prot" in message
    assert "port" in message  # the known names are listed, to spot the typo


@pytest.mark.parametrize("port", ["eighty", "80.5", "0", "-1", "65536", "99999"])
def test_a_bad_port_in_the_environment_is_a_config_error(tmp_path: Path, port: str) -> None:
    with pytest.raises(ConfigError, match="port"):
        load_settings(environ={"PAPERTIDE_DATA_DIR": str(tmp_path), "PAPERTIDE_PORT": port})


@pytest.mark.parametrize("value", ["true", '"8000x"', "[80]", "{ number = 80 }", "80.5"])
def test_a_bad_port_in_the_file_is_a_config_error(tmp_path: Path, value: str) -> None:
    config = _toml(tmp_path, f'data_dir = "{tmp_path}"\nport = {value}\n')
    with pytest.raises(ConfigError, match="port"):
        load_settings(environ={}, config_file=config)


@pytest.mark.parametrize("size", ["0", "201", "many"])
def test_a_bad_page_size_is_a_config_error(tmp_path: Path, size: str) -> None:
    with pytest.raises(ConfigError, match="page_size"):
        load_settings(environ={"PAPERTIDE_DATA_DIR": str(tmp_path), "PAPERTIDE_PAGE_SIZE": size})


def test_a_missing_config_file_is_a_config_error(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="does not exist"):
        load_settings(environ={}, config_file=tmp_path / "nope.toml")


def test_a_config_file_that_is_not_toml_is_a_config_error(tmp_path: Path) -> None:
    config = _toml(tmp_path, "port = = 9000\n")
    with pytest.raises(ConfigError, match="not valid TOML"):
        load_settings(environ={}, config_file=config)


def test_overrides_are_validated(tmp_path: Path) -> None:
    settings = load_settings(environ={"PAPERTIDE_DATA_DIR": str(tmp_path)})
    assert settings.with_overrides(port=8123, host=None).port == 8123
    assert settings.with_overrides(host=None).host == "127.0.0.1"
    with pytest.raises(ConfigError):
        settings.with_overrides(port=70_000)


def test_settings_handed_to_another_process_arrive_whole(tmp_path: Path) -> None:
    from papertide.settings import settings_as_json, settings_from_json

    settings = load_settings(environ={"PAPERTIDE_DATA_DIR": str(tmp_path),
                                      "PAPERTIDE_SERVE_WORKERS": "3",
                                      "PAPERTIDE_SMTP_HOST": "",
                                      "PAPERTIDE_HYBRID_KEYWORD_WEIGHT": "0.4"})
    assert settings_from_json(settings_as_json(settings)) == settings
    with pytest.raises(ConfigError, match="unreadable"):
        settings_from_json("{not json")


def test_serve_workers_is_bounded(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="serve_workers must be between 1 and 32"):
        load_settings(environ={"PAPERTIDE_DATA_DIR": str(tmp_path),
                               "PAPERTIDE_SERVE_WORKERS": "0"})
