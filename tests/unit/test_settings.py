from __future__ import annotations

import re

from domain.settings import ROOT, Settings


def test_env_example_documents_every_setting():
    documented = set(re.findall(r"^#?\s*([A-Z][A-Z0-9_]+)=", (ROOT / ".env.example").read_text(), re.M))
    expected = {name.upper() for name in Settings.model_fields}
    assert expected - documented == set()


def test_generated_secrets_are_kept_per_data_dir(tmp_path):
    a = Settings(_env_file=None, data_dir=tmp_path)  # type: ignore[call-arg]
    first = a.secret("jwt_secret")
    assert len(first) >= 32 and Settings(_env_file=None, data_dir=tmp_path).secret("jwt_secret") == first  # type: ignore[call-arg]
    assert Settings(_env_file=None, data_dir=tmp_path, jwt_secret="configured").secret("jwt_secret") == "configured"  # type: ignore[call-arg]
    assert (tmp_path / "secrets.json").stat().st_mode & 0o077 == 0
