"""The development .env that make run writes, and its SITE_URL for the chosen port."""

from mentoring import devenv


def test_new_file_uses_given_site_url(tmp_path, monkeypatch):
    env_path = tmp_path / ".env"
    monkeypatch.setattr(devenv, "ENV_PATH", env_path)

    devenv.main(["http://127.0.0.1:8105"])

    lines = env_path.read_text().splitlines()
    assert "SITE_URL=http://127.0.0.1:8105" in lines
    assert any(line.startswith("SECRET_KEY=") for line in lines)


def test_existing_file_keeps_keys_and_gets_new_site_url(tmp_path, monkeypatch):
    env_path = tmp_path / ".env"
    monkeypatch.setattr(devenv, "ENV_PATH", env_path)
    devenv.main([])
    keys_before = [line for line in env_path.read_text().splitlines() if "KEY" in line]

    devenv.main(["http://127.0.0.1:8105"])

    lines = env_path.read_text().splitlines()
    assert [line for line in lines if "KEY" in line] == keys_before
    assert [line for line in lines if line.startswith("SITE_URL=")] == [
        "SITE_URL=http://127.0.0.1:8105"
    ]
