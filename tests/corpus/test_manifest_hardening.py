"""Manifests as users hand them over: a directory where the file should be, a UTF-8 byte order mark."""

from __future__ import annotations

import pytest

from support.helpers import buzz, make_corpus, sample
from provoice_live.cli import main as cli_main
from provoice_live.corpus.loader import CorpusError, load_corpus, validate_corpus


@pytest.mark.parametrize("columns", ["20", "80", "250"])
def test_a_manifest_that_is_a_directory_is_reported_as_such(tmp_path, capsys, monkeypatch, columns):
    monkeypatch.setenv("COLUMNS", columns)  # a narrow terminal must not wrap the problem's line
    (tmp_path / "c" / "manifest.jsonl").mkdir(parents=True)
    with pytest.raises(CorpusError, match="manifest.jsonl is a directory, not a file"):
        load_corpus(tmp_path / "c")
    assert cli_main(["validate", str(tmp_path / "c")]) != 0
    err = capsys.readouterr()
    said = err.out + err.err
    assert f"{tmp_path / 'c' / 'manifest.jsonl'} is a directory, not a file" in said.splitlines()[0]
    assert "missing" not in said


def test_a_manifest_with_a_utf8_byte_order_mark_is_accepted(tmp_path, capsys):
    root = make_corpus(tmp_path / "c", [sample("s1", _audio=buzz(1.0), cue=(0.2, 0.8))])
    manifest = root / "manifest.jsonl"
    manifest.write_bytes(b"\xef\xbb\xbf" + manifest.read_bytes())
    assert [s.id for s in load_corpus(root).samples] == ["s1"]
    assert validate_corpus(root) == []
    assert cli_main(["validate", str(root)]) == 0
