"""The shader-program synthesizer (synthkd.shaders.synth) and ``render-shaders --synth``: real compiles and renders."""

import hashlib
import json
from collections import Counter
from pathlib import Path

import moderngl
import numpy as np
import pytest

from synthkd.core.dataset import open_dataset
from synthkd.shaders.cli import main
from synthkd.shaders.corpus import CheckSettings, probe_times
from synthkd.shaders.filters import classify
from synthkd.shaders.generate import RenderSettings, jobs
from synthkd.shaders.render import CompileError, Draw
from synthkd.shaders.stage import ShaderDataset, render_shaders
from synthkd.shaders.synth import GRAMMAR, HEADER_KEYS, program_seeds, synthesize
from synthkd.shaders.twigl import _geekest_helpers, candidate_modes, read_header
from tests.helpers import MODES, chunk_bytes, run_cli

SYNTH = ["--n", "300", "--size", "16", "--synth", "20", "--synth-share", "0.5", "--chunk-size", "64", "--quiet"]


def render(*args) -> int:
    """The render-shaders command's exit status."""
    return run_cli(main, *args)


def shaders(out: Path, **settings) -> dict:
    """A small 16 px shader dataset from the stage function; returns its record."""
    return render_shaders(ShaderDataset(out=out, **{"size": 16, "chunk_size": 64, "quiet": True, **settings}))


def test_same_seed_same_program_and_seeds_give_different_programs():
    assert synthesize(12345) == synthesize(12345)
    texts = [synthesize(s) for s in range(50)]
    bodies = {"\n".join(t.splitlines()[5:]) for t in texts}  # without the header (which names the seed)
    assert len(set(texts)) == 50 and len(bodies) == 50
    titles = {read_header(t)["title"] for t in texts}
    assert len(titles) >= 45


def test_header_names_mode_family_title_seed_and_author():
    for seed in (0, 7, 2**40 + 3):
        text = synthesize(seed)
        lines = text.splitlines()
        assert lines[0] == "// mode: geekest300" and lines[1] == "// family: synth"
        assert lines[2].startswith("// title: ") and len(lines[2]) > 20
        assert lines[3] == f"// seed: {seed}"
        assert lines[4] == f"// author: synthkd synthesizer ({GRAMMAR})"
        header = read_header(text)
        assert tuple(header)[:5] == HEADER_KEYS and header["seed"] == str(seed)
        assert candidate_modes(text) == ["geekest300"]
        assert "void main" not in text  # the body only, as TwiGL's geekest mode takes it


def test_programs_compile_and_most_frames_pass_the_filters(renderer):
    times = probe_times(CheckSettings(32, probe_frames=4))
    compiled, codes = 0, []
    for seed in range(100):
        try:
            program = renderer.compile(synthesize(seed))
        except CompileError:
            continue
        compiled += 1
        images, bad = renderer.render([Draw(program, times)])
        codes.append(classify(images, bad))
        program.program.release()
        program.vao.release()
    kept = np.mean(np.concatenate(codes) == 0)
    assert compiled >= 95, compiled
    assert kept >= 0.8, kept


def test_programs_are_valid_glsl_es_300_as_twigl_compiles_them(ctx):
    """TwiGL runs WebGL 2: no implicit int -> float conversions etc. Compile as '#version 300 es' with the same
    declarations the editor puts around a geekest program."""
    vertex = ("#version 300 es\nvoid main() { vec2 p = vec2(float(gl_VertexID & 1), float(gl_VertexID >> 1));"
              " gl_Position = vec4(p * 2. - 1., 0., 1.); }\n")
    preamble = ("#version 300 es\nprecision highp float;\nprecision highp int;\nuniform vec2 r;\nuniform vec2 m;\n"
                "uniform float t;\nuniform float f;\nuniform float s;\nuniform sampler2D b;\nout vec4 o;\n")
    with ctx:  # other tests may have made another context current
        try:
            ctx.program(vertex_shader=vertex, fragment_shader=preamble + "void main() { o = vec4(r, t, 1.); }\n")
        except moderngl.Error:
            pytest.skip("this GL driver does not compile GLSL ES 3.00")
        failed = []
        for seed in range(1000, 1030):
            text = synthesize(seed)
            try:
                ctx.program(vertex_shader=vertex,
                            fragment_shader=f"{preamble}{_geekest_helpers()}\nvoid main() {{\n{text}\n}}\n").release()
            except moderngl.Error as exc:
                failed.append((seed, str(exc)[-300:]))
    assert not failed, failed[:2]


def test_program_seeds_are_stable_distinct_and_extend():
    seeds = program_seeds(0, 200)
    assert seeds == program_seeds(0, 200) and seeds[:20] == program_seeds(0, 20)
    assert len(set(seeds)) == 200 and all(0 <= s < 2**48 for s in seeds)
    assert set(seeds).isdisjoint(program_seeds(1, 200))


def test_job_stream_mixes_pools_by_share_and_keeps_the_corpus_only_stream():
    s = RenderSettings(seed=3, frames=4, chunk_size=64)
    take = lambda stream, n: [next(stream) for _ in range(n)]  # noqa: E731
    plain = take(jobs(2, 10, s), 600)
    # Synthesized programs that get no share leave the corpus stream exactly as it was.
    assert take(jobs(2, 15, s, n_synth=5), 600) == plain
    mixed = RenderSettings(seed=3, frames=4, chunk_size=64, synth_share=0.3)
    a = take(jobs(2, 15, mixed, n_synth=5), 2000)
    assert a == take(jobs(2, 15, mixed, n_synth=5), 2000)  # a pure function of its arguments
    assert [j.seed for j in a[:600]] == [j.seed for j in plain]  # same seeds and times; only shaders differ
    synth = [j.shader >= 10 for j in a]
    assert 0.25 < np.mean(synth) < 0.35
    # each pool is visited in its own order, evenly
    visits = Counter(j.shader for j in a if j.shader >= 10).values()
    assert len(visits) == 5 and max(visits) - min(visits) <= 1
    only = RenderSettings(seed=3, frames=4, chunk_size=64, synth_share=1.0)
    assert all(10 <= j.shader < 15 for j in take(jobs(0, 15, only, n_synth=5), 300))
    assert {j.shader for j in take(jobs(0, 5, only, n_synth=5), 300)} == set(range(5))  # no corpus at all


@pytest.mark.slow
def test_render_shaders_with_synthesized_programs(tmp_path, capsys):
    out = tmp_path / "a"
    assert render(*SYNTH, "--out", out) == 0
    report = json.loads(capsys.readouterr().out.strip().splitlines()[-1])
    files = sorted((out / "synth").glob("*.glsl"))
    assert len(files) == 20 and report["synth_used"] + sum(report["synth_skipped"].values()) == 20
    assert report["synth_used"] >= 18 and report["synth_share"] == 0.5
    shas = {}
    for f in files:
        text = f.read_text()
        seed = int(f.stem.removeprefix("synth-"))
        assert text == synthesize(seed) and text.startswith("// mode: geekest300\n// family: synth\n// title: ")
        assert f"\n// seed: {seed}\n" in text
        shas[f"synth/{f.name}"] = hashlib.sha256(text.encode()).hexdigest()[:16]
    ds = open_dataset(out)
    metas = [ds[i][1] for i in range(len(ds))]
    sources = Counter(m["source"] for m in metas)
    assert set(sources) == {"corpus", "synth"} and 0.3 < sources["synth"] / len(ds) < 0.7
    for m in metas:
        if m["source"] == "synth":
            assert shas[m["shader"]] == m["sha"]
        else:
            assert not m["shader"].startswith("synth/")
    header = json.loads((out / "dataset.json").read_text())
    assert header["settings"]["synth"] == 20 and header["settings"]["synth_share"] == 0.5
    synth_entries = [d for d in header["derived"]["shaders"] if d.get("source") == "synth"]
    assert len(synth_entries) == report["synth_used"]

    shaders(tmp_path / "b", n=300, synth=20, synth_share=0.5)
    assert chunk_bytes(out) == chunk_bytes(tmp_path / "b")
    assert render(*SYNTH, "--out", out) == 0  # the same command again resumes (nothing to do)
    # A run that lost chunks and a program file completes them again, to the same bytes.
    for name in ("c000001.npy", "c000001.json", "c000003.json"):
        (out / "chunks" / name).unlink()
    files[0].unlink()
    assert render(*SYNTH, "--out", out) == 0
    assert chunk_bytes(out) == chunk_bytes(tmp_path / "b") and files[0].is_file()
    capsys.readouterr()
    assert render(*[a if a != "20" else "21" for a in SYNTH], "--out", out) == 2
    assert "differs in settings.synth" in capsys.readouterr().err


def test_synthesized_only_and_shards_join_up(tmp_path):
    shaders(tmp_path / "whole", n=200, synth=12, synth_share=1.0)
    whole = open_dataset(tmp_path / "whole")
    assert {whole[i][1]["source"] for i in range(len(whole))} == {"synth"}
    for i in range(2):
        shaders(tmp_path / f"s{i}", n=200, synth=12, synth_share=1.0, shard=f"{i}/2")
    joined = open_dataset([tmp_path / "s0", tmp_path / "s1"])
    assert np.array_equal(joined.images(), whole.images())
    shaders(tmp_path / "m", n=200, synth=6, corpus=(MODES,))
    header = json.loads((tmp_path / "m" / "dataset.json").read_text())
    n_corpus = len(header["settings"]["corpus"])
    assert header["settings"]["synth_share"] == pytest.approx(6 / (6 + n_corpus))  # the default share


@pytest.mark.parametrize(("args", "message"), [
    (["--synth", "-1"], "--synth: must be at least 0"),
    (["--synth", "x"], "--synth: expected a whole number"),
    (["--synth", "5", "--synth-share", "1.5"], "--synth-share: must be in [0, 1]"),
    (["--synth", "5", "--synth-share", "-0.1"], "--synth-share: must be in [0, 1]"),
    (["--synth-share", "0.5"], "needs synthesized programs"),
    (["--synth", "0", "--synth-share", "0.5"], "needs synthesized programs"),
    (["--synth", "3", "--synth-share", "1", "--corpus", str(MODES)], "drop --corpus"),
])
def test_bad_synth_input_is_one_line_and_no_work(tmp_path, capsys, args, message):
    out = tmp_path / "d"
    assert render("--n", "10", "--out", out, *args) == 2
    err = capsys.readouterr().err.strip()
    assert err.startswith("render-shaders: error:") and "\n" not in err and message in err, err
    assert not out.exists()
