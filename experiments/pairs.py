"""How often does the boundary prober find a valid pair on the images it is given, teacher by teacher?

A pair is valid when the attack crosses into its target class with both ends (pre, post) below the confidence
threshold within its step budget. For every panel teacher (digits, held-out digits, natural) the probe stage runs
as a user would: plain shader renders of the teacher's size as D_S, a class-balanced D_K of ``--probed`` images
picked by the teacher, and every one of them attacked (``probe --pairs``) with the attack settings given here
(the defaults unless changed). A row is the share of valid pairs, why the others failed (the budget ran out, or
the teacher already called the source the target), and the mean steps and L-inf distance of a crossing.

Usage:
    python -m experiments.pairs --out runs/pairs                 # every panel teacher, the attack's defaults
    python -m experiments.pairs --out runs/pairs --eps 0.1       # the same with one attack option changed

Writes ``experiments/pairs-results.md`` and ``.json``; rows made with other attack settings are kept beside.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import sys
from dataclasses import asdict
from pathlib import Path
from typing import Any

from experiments import HERE, previous, record, spread
from synthkd.core.cli import add_options, command_line, settings_from
from synthkd.core.models import TeacherSpec
from synthkd.core.settings import UsageError
from synthkd.natural import NATURAL
from synthkd.probe.attack import AttackSettings
from synthkd.probe.balance import BalanceSettings
from synthkd.probe.stage import ProbeSettings, probe
from synthkd.shaders.stage import ShaderDataset, render_shaders
from synthkd.teacher import PANEL

DS_IMAGES = 2048  # plain renders per size, shared by the teachers of that size


def teachers() -> dict[str, tuple[TeacherSpec, int, bool]]:
    """Every panel teacher: its spec, image size and whether it is held out."""
    out = {f"digits/{name}": (t.spec, 32, t.held_out) for name, t in PANEL.items()}
    out.update({f"natural/{name}": (t.spec, t.size, t.held_out) for name, t in NATURAL.items()})
    return out


def attack_key(a: AttackSettings) -> str:
    """The attack settings of a row, as the options a user would pass to ``probe`` ("defaults": none)."""
    return " ".join(command_line(a)) or "defaults"


def probe_teacher(name: str, spec: TeacherSpec, size: int, attack: AttackSettings, probed: int, seed: int,
                  out: Path) -> dict[str, Any]:
    """The probe stage on plain renders for one teacher; its attack figures as one row."""
    ds = out / "ds" / f"{size}px-seed{seed}"
    render_shaders(ShaderDataset(n=DS_IMAGES, size=size, out=ds, seed=seed, quiet=True))
    key = attack_key(attack)
    settings = json.dumps(asdict(attack), sort_keys=True)  # the folder is known by the settings, not their spelling
    dk = out / "dk" / f"{name.replace('/', '-')}-{hashlib.sha256(settings.encode()).hexdigest()[:10]}-seed{seed}"
    result = probe(ProbeSettings(data=(ds,), out=dk, teacher=spec, seed=seed, pairs=probed, boundary=attack,
                                 balance=BalanceSettings(total=probed), quiet=True))
    a = result["attack"]
    return {"teacher": name, "attack": key, "settings": asdict(attack), "seed": seed, "tried": a["pairs_tried"],
            "valid": a["pairs_valid"], "valid_share": a["success_rate"],
            "dropped_after_rounding": a["dropped_after_rounding"], "steps_mean": a["steps_to_cross"].get("mean"),
            "linf_post_mean": a["linf_post"].get("mean"), "relative_entropy_dk": result["relative_entropy_dk"]}


def write_markdown(rows: list[dict[str, Any]], commands: dict[str, str]) -> None:
    groups: dict[tuple[str, str], list[dict[str, Any]]] = {}
    for r in rows:
        groups.setdefault((r["attack"], r["teacher"]), []).append(r)
    names = list(teachers())
    lines = [f"Each row: the probe stage on {DS_IMAGES} plain shader renders of the teacher's size, D_K balanced by "
             "the teacher, every D_K image attacked. Valid: the attack crossed into its target with both ends below "
             "the confidence threshold within its steps. Mean ± standard deviation over seeds. The `--retry none` "
             "rows were made before the attack drew its targets from the classes D_K holds only: their targets "
             "spread over every class.", "",
             "| attack | teacher | held out | seeds | valid / tried | valid share | steps to cross | L-inf of post "
             "(x 255) |", "|---|---|---|---:|---:|---:|---:|---:|"]
    for (attack, teacher), members in sorted(groups.items(), key=lambda g: (g[0][0] != "defaults", g[0][0],
                                                                           names.index(g[0][1]))):
        steps = [m["steps_mean"] for m in members if m["steps_mean"] is not None]
        linf = [255 * m["linf_post_mean"] for m in members if m["linf_post_mean"] is not None]
        lines.append(f"| {attack} | {teacher} | {'yes' if teachers()[teacher][2] else 'no'} | {len(members)} | "
                     f"{sum(m['valid'] for m in members)} / {sum(m['tried'] for m in members)} | "
                     f"{spread([m['valid_share'] for m in members])} | "
                     f"{spread(steps) if steps else '-'} | {spread(linf) if linf else '-'} |")
    lines += ["", "Made by:", *(f"- `{c}` ({d})" for c, d in commands.items())]
    (HERE / "pairs-results.md").write_text("\n".join(lines) + "\n")


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(prog="python -m experiments.pairs", description=__doc__.split("\n\n")[0])
    p.add_argument("--teachers", nargs="+", choices=tuple(teachers()), default=list(teachers()))
    p.add_argument("--seeds", nargs="+", type=int, default=[0])
    p.add_argument("--probed", type=int, default=200, help="D_K images attacked per teacher")
    p.add_argument("--out", type=Path, default=Path("runs/pairs"))
    add_options(p.add_argument_group("the attack (probe's options)"), AttackSettings)
    args = p.parse_args(argv)
    try:
        attack = settings_from(AttackSettings, args)
    except UsageError as e:
        p.error(str(e))
    old = previous("pairs")
    key = attack_key(attack)
    fresh = {(key, t, s) for t in args.teachers for s in args.seeds}
    rows = [r for r in old.get("rows", []) if (r["attack"], r["teacher"], r["seed"]) not in fresh]
    for name in args.teachers:
        spec, size, _ = teachers()[name]
        for seed in args.seeds:
            rows.append(probe_teacher(name, spec, size, attack, args.probed, seed, args.out))
            print(json.dumps(rows[-1]), flush=True)
    record("pairs", argv, rows, old, write_markdown)
    return 0


if __name__ == "__main__":
    sys.exit(main())
