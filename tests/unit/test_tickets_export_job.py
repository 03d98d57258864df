"""An export child that fails is reported as a failure with its error output in the log."""
import logging

import pytest

from services.tickets import export_job

pytestmark = pytest.mark.unit


def test_failed_child_raises_and_logs_its_error(caplog, tmp_path, monkeypatch):
    monkeypatch.setenv("PORTAIL_VAR_DIR", str(tmp_path))
    job = {"caller": "{not json", "keys": ["number"], "tab": "all", "filters": None, "sort": None}

    with caplog.at_level(logging.ERROR, logger=export_job.__name__):
        with pytest.raises(export_job.ExportFailed, match="exited with status 1"):
            export_job.run_in_child(job)

    assert "JSONDecodeError" in caplog.text
