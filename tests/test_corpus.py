"""The built-in corpus: enough original shaders, every one labelled, compiling in its mode, and usable."""

from collections import Counter

import numpy as np
import pytest

from synthkd.shaders.corpus import BUILTIN_CORPUS, CheckSettings, check_shaders, load_corpus, probe_times
from synthkd.shaders.filters import classify
from synthkd.shaders.render import Draw
from synthkd.shaders.twigl import MODES, normalize_mode


@pytest.fixture(scope="module")
def corpus():
    sources, duplicates = load_corpus([BUILTIN_CORPUS])
    assert duplicates == 0
    return sources


def test_corpus_is_large_labelled_and_varied(corpus):
    assert len(corpus) >= 150
    for s in corpus:
        assert {"mode", "family", "title"} <= set(s.header), s.name
        assert s.name.startswith(s.header["family"] + "-"), s.name
    families = Counter(s.header["family"] for s in corpus)
    assert len(families) >= 9 and min(families.values()) >= 10, families
    assert {normalize_mode(s.header["mode"]) for s in corpus} == set(MODES)


def test_every_shader_compiles_in_its_mode_and_renders_usable_images(corpus, renderer):
    settings = CheckSettings(size=32, probe_frames=4)
    results = check_shaders(corpus, settings)
    failed = {s.name: results[s.sha] for s in corpus if results[s.sha]["status"] != "ok"}
    assert not failed
    kept = []
    for s in corpus:
        assert results[s.sha]["mode"] == normalize_mode(s.header["mode"]), s.name
        program = renderer.compile(s.text, results[s.sha]["mode"])
        images, bad = renderer.render([Draw(program, probe_times(settings))])
        kept.append(int((classify(images, bad) == 0).sum()))
        program.program.release()
    kept = np.array(kept)
    assert kept.mean() >= 3.6, "at least 90 % of frames pass the filters at 32 px"
    assert (kept >= 2).all(), [s.name for s, k in zip(corpus, kept, strict=True) if k < 2]


def test_preview_checks_programs_and_draws_a_sheet(tmp_path, capsys):
    from synthkd.shaders.preview import main
    from tests.helpers import BAD, MODES

    assert main([str(MODES), "--size", "16", "--cost-size", "0", "--frames", "4", "--sheet",
                 str(tmp_path / "sheet.png")]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert sum(line.startswith("ok ") for line in lines) == len(list(MODES.glob("*.glsl")))
    assert (tmp_path / "sheet.png").stat().st_size > 1000
    assert main([str(BAD / "syntax-error.glsl"), "--size", "16", "--cost-size", "0"]) == 1
    assert capsys.readouterr().out.startswith("FAIL")
