"""The figures of a written D_K, read column by column in compact arrays (a million rows stay small): its class
histogram after probing, the attack's statistics, and its pictures (``probe.plots``)."""

from __future__ import annotations

from typing import Any

import numpy as np

from synthkd.core.classes import histogram, relative_entropy
from synthkd.core.dataset import Dataset
from synthkd.probe.attack import KINDS
from synthkd.probe.plots import save_class_sheet, save_histograms, save_pair_sheet


def figures(ds: Dataset, chosen: dict, num_classes: int, attacked: bool) -> dict[str, Any]:
    """The figures of the written D_K ``ds`` (class histogram after probing; with ``attacked``, the attack's
    statistics) for its record, and its pictures beside it; ``chosen`` holds the balancer's histograms."""
    labels = ds.column_array("label", np.int64)
    after = histogram(labels, num_classes)
    record: dict[str, Any] = {"relative_entropy_after_probing": round(relative_entropy(after), 4),
                              "histogram_after_probing": after.tolist()}
    save_histograms(ds.roots[0] / "histogram.png",
                    {"D_S (teacher argmax)": chosen["histogram_ds"], "D_K (balanced)": chosen["histogram_dk"],
                     "D_K + boundary pairs": after.tolist()})
    save_class_sheet(ds.roots[0] / "classes.png", ds, labels, kind_codes(ds) == 0, num_classes)
    if attacked:
        record["attack"] = attack_statistics(ds)
        save_pair_sheet(ds.roots[0] / "pairs.png", ds)
    return record


def kind_codes(ds: Dataset) -> np.ndarray:
    """Each row's kind as its index in ``("balanced", *KINDS)`` (uint8), read chunk by chunk."""
    codes = {kind: i for i, kind in enumerate(("balanced", *KINDS))}
    parts = [np.fromiter((codes[v] for v in ds.chunk_column(k, "kind", "balanced")), np.uint8)
             for k in range(ds.num_chunks)]
    return np.concatenate(parts) if parts else np.zeros(0, np.uint8)


def attack_statistics(ds: Dataset) -> dict[str, Any]:
    """Success rate, steps to cross, distances and confidence of the stored adversarial examples."""
    counts = ds.summary()["counts"]
    kinds = kind_codes(ds)
    post, pre = kinds == 1 + KINDS.index("post"), kinds == 1 + KINDS.index("pre")

    def stats(values: np.ndarray) -> dict[str, float]:
        if not len(values):
            return {}
        q = np.quantile(values, [0.0, 0.25, 0.5, 0.75, 1.0])
        return {"mean": round(float(values.mean()), 5), **{k: round(float(v), 5)
                                                           for k, v in zip(("min", "q25", "median", "q75", "max"), q,
                                                                           strict=True)}}

    def of_post(name: str) -> dict[str, float]:
        return stats(ds.column_array(name, np.float64)[post])

    conf = ds.column_array("confidence", np.float64)
    tried = counts.get("pairs_tried", 0)
    return {"pairs_tried": tried, "pairs_valid": counts.get("pairs_valid", 0),
            "success_rate": round(counts.get("pairs_valid", 0) / tried, 4) if tried else None,
            "stored": {k: int((kinds == 1 + i).sum()) for i, k in enumerate(KINDS)},
            "dropped_after_rounding": {k: counts.get(f"dropped_rounding_{k}", 0) for k in KINDS},
            "steps_to_cross": of_post("steps"), "linf_post": of_post("linf"), "l2_post": of_post("l2"),
            "confidence_pre": stats(conf[pre]), "confidence_post": stats(conf[post])}
