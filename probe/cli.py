"""probe: label D_S with the teacher, build the class-balanced D_K, then probe the teacher's decision
boundaries with paired adversarial examples (``--attack none`` stops after balancing).

    probe --data data/shaders --out data/dk --teacher wrn16_1 --weights assets/teacher/digits_wrn16_1.pt
    torchrun --nproc-per-node 4 -m synthkd.probe.cli --data ... --out data/dk ...    (a shard of D_K per rank)
"""

from __future__ import annotations

import sys

from synthkd.core.cli import Parser, add_options, run, settings_from
from synthkd.core.errors import DatasetError
from synthkd.core.models import ModelError
from synthkd.probe.stage import ProbeSettings, probe


def build_parser() -> Parser:
    p = Parser(prog="probe", description=__doc__.split("\n\n")[0])
    add_options(p, ProbeSettings)
    return p


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    return run("probe", lambda: probe(settings_from(ProbeSettings, args)), (DatasetError, ModelError, ValueError),
               args.quiet, argv)


if __name__ == "__main__":
    sys.exit(main())
