import pytest


@pytest.fixture
def jobs_dir(app, tmp_path, monkeypatch):
    """Large runs write their job folders here, not into the instance folder."""
    folder = tmp_path / "label-jobs"
    monkeypatch.setitem(app.config, "LABELS_JOBS_DIR", str(folder))
    return folder
