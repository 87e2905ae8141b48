from __future__ import annotations

import tomllib
from pathlib import Path

import pytest

from docstore.config import SETTINGS, ensure_config_file, load_config
from docstore.errors import ConfigError


def test_layers_defaults_file_env_override(tmp_path: Path) -> None:
    home = tmp_path / "inst"
    home.mkdir()
    (home / "config.toml").write_text('timezone = "Europe/Vienna"\npassword_min_length = 14\n')
    env = {"BAUAKTE_HOME": str(home), "BAUAKTE_PASSWORD_MIN_LENGTH": "16"}

    cfg = load_config(environ=env)
    assert cfg.home == home
    assert cfg.database_url == f"sqlite:///{home}/bauakte.db"
    assert cfg.storage_url == f"file://{home}/objects"
    assert cfg.timezone == "Europe/Vienna"
    assert cfg.password_min_length == 16
    assert cfg.sources["timezone"] == "config.toml"
    assert cfg.sources["password_min_length"] == "env BAUAKTE_PASSWORD_MIN_LENGTH"
    assert cfg.sources["database_url"] == "default"

    cfg = load_config({"password_min_length": 20}, environ=env)
    assert cfg.password_min_length == 20
    assert cfg.sources["password_min_length"] == "override"


def test_bad_values_name_the_setting(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="password_min_length"):
        load_config(environ={"BAUAKTE_HOME": str(tmp_path), "BAUAKTE_PASSWORD_MIN_LENGTH": "x"})
    with pytest.raises(ConfigError, match="time zone"):
        load_config(environ={"BAUAKTE_HOME": str(tmp_path), "BAUAKTE_TIMEZONE": "Mars/Olympus"})
    (tmp_path / "config.toml").write_text("not toml [")
    with pytest.raises(ConfigError, match="not valid TOML"):
        load_config(environ={"BAUAKTE_HOME": str(tmp_path)})
    (tmp_path / "config.toml").write_text("colour = 1\n")
    with pytest.raises(ConfigError, match="colour"):
        load_config(environ={"BAUAKTE_HOME": str(tmp_path)})


def test_secrets_are_masked(tmp_path: Path) -> None:
    env = {
        "BAUAKTE_HOME": str(tmp_path),
        "BAUAKTE_SECRET_KEY": "s3cr3t-value",
        "BAUAKTE_STORAGE_URL": "s3://minio:topsecret@127.0.0.1:9000/bucket?secure=false",
    }
    shown = {s.name: value for s, value, _ in load_config(environ=env).shown()}
    assert shown["secret_key"] == "***"
    assert "topsecret" not in shown["storage_url"]
    assert "127.0.0.1:9000/bucket" in shown["storage_url"]
    assert set(shown) == {s.name for s in SETTINGS}
    assert all(s.help for s in SETTINGS)


def test_secret_key_generated_once(tmp_path: Path) -> None:
    env = {"BAUAKTE_HOME": str(tmp_path / "inst")}
    assert ensure_config_file(load_config(environ=env)) is True
    key = tomllib.loads((tmp_path / "inst" / "config.toml").read_text())["secret_key"]
    assert len(key) >= 40
    assert ensure_config_file(load_config(environ=env)) is False
    assert load_config(environ=env).secret_key == key
    assert (tmp_path / "inst" / "config.toml").stat().st_mode & 0o077 == 0
