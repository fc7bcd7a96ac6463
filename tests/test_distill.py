"""distill's parts: the KD loss against a hand computation, mixup, the augmentation levels, and one-line errors
for bad input. (Whole runs, resuming, torchrun and the digits check are in test_distill_runs.py.)"""

from __future__ import annotations

import math

import numpy as np
import pytest
import torch
import torch.nn.functional as F
import torchvision.transforms.v2.functional as TF
from torchvision.transforms import InterpolationMode

from synthkd.core.writer import DatasetWriter
from synthkd.distill import augment as A
from synthkd.distill.cli import main
from synthkd.distill.kd import kd_loss, mixup, mixup_lambda
from tests.helpers import run_cli


@pytest.fixture(scope="module", autouse=True)
def one_thread():
    """One intra-op thread (also for module fixtures): on a machine whose cores are busy with other work, torch's
    threads wait on each other at every operation (a run takes ten times longer with two threads there). Results
    are reproducible for a given thread count."""
    threads = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(threads)

# ------------------------------------------------------------------------------------------------------ loss


def hand_kd(student: np.ndarray, teacher: np.ndarray, tau: float) -> float:
    """tau^2 * mean over rows of sum_i p_T(i) (log p_T(i) - log p_S(i)), written out with numpy."""
    def softmax(z):
        e = np.exp(z / tau - (z / tau).max(1, keepdims=True))
        return e / e.sum(1, keepdims=True)

    p_t, p_s = softmax(teacher), softmax(student)
    return float(tau**2 * np.mean(np.sum(p_t * (np.log(p_t) - np.log(p_s)), axis=1)))


@pytest.mark.parametrize("tau", [0.5, 1.0, 2.0, 20.0])
def test_kd_loss_is_tau_squared_kl(tau):
    rng = np.random.default_rng(0)
    s, t = rng.normal(size=(5, 7)) * 3, rng.normal(size=(5, 7)) * 3
    got = kd_loss(torch.tensor(s), torch.tensor(t), tau)
    assert got.dtype == torch.float32
    assert float(got) == pytest.approx(hand_kd(s, t, tau), rel=1e-5)
    assert float(kd_loss(torch.tensor(t), torch.tensor(t), tau)) == pytest.approx(0.0, abs=1e-6)


def test_kd_loss_near_zero_temperature():
    """tau^2 KL -> 0 as tau -> 0 (about tau times the student's logit gap to the teacher's top class), finite on
    the way; the temperature must therefore be positive, and hard_weight=1 gives the argmax cross-entropy."""
    s = torch.tensor([[2.0, 0.5, -1.0], [0.0, 3.0, 1.0]])
    t = torch.tensor([[0.1, 1.0, 0.0], [5.0, 0.0, 0.0]])  # teacher's top classes: 1 and 0
    gap = float(((s.max(1).values - s[torch.arange(2), t.argmax(1)])).mean())  # (1.5 + 3.0) / 2
    for tau in (1e-2, 1e-3, 1e-4):
        value = float(kd_loss(s, t, tau))
        assert math.isfinite(value)
        assert value / tau == pytest.approx(gap, rel=1e-3)
    assert float(kd_loss(s, t, 2.0, hard_weight=1.0)) == pytest.approx(float(F.cross_entropy(s, t.argmax(1))))
    mixed = 0.25 * float(kd_loss(s, t, 2.0)) + 0.75 * float(F.cross_entropy(s, t.argmax(1)))
    assert float(kd_loss(s, t, 2.0, hard_weight=0.75)) == pytest.approx(mixed)


def test_kd_loss_gradient_matches_hinton():
    """d(tau^2 KL)/d(student logits) = tau (p_S - p_T) / batch: gradients keep their size whatever tau is."""
    s = torch.randn(4, 6, requires_grad=True)
    t = torch.randn(4, 6)
    kd_loss(s, t, 4.0).backward()
    expected = 4.0 * ((s / 4).softmax(1) - (t / 4).softmax(1)) / 4
    assert torch.allclose(s.grad, expected.detach(), atol=1e-6)


# ----------------------------------------------------------------------------------------------------- mixup


def test_mixup_lambda_range_and_off():
    rng = np.random.default_rng(0)
    lams = np.array([mixup_lambda(rng, 1.0) for _ in range(4000)])
    assert lams.min() >= 0 and lams.max() <= 1
    assert np.histogram(lams, bins=4, range=(0, 1))[0] == pytest.approx([1000] * 4, rel=0.15)  # uniform
    assert {mixup_lambda(rng, 0.0) for _ in range(5)} == {1.0}
    assert np.std([mixup_lambda(rng, 0.2) for _ in range(2000)]) > np.std(lams)  # Beta(0.2, 0.2): U-shaped


def test_mixup_pairs_images_half_a_batch_apart():
    x = torch.rand(6, 3, 4, 4)
    mixed = mixup(x, 0.3)
    assert torch.allclose(mixed[0], 0.3 * x[0] + 0.7 * x[3]) and torch.allclose(mixed[4], 0.3 * x[4] + 0.7 * x[1])
    assert mixup(x, 1.0) is x


# ---------------------------------------------------------------------------------------------- augmentation


def smooth_images(n: int, size: int = 32, seed: int = 0) -> torch.Tensor:
    """uint8 images with structure (upsampled noise, values 10..245 so fills and inversions show)."""
    g = torch.Generator().manual_seed(seed)
    x = F.interpolate(torch.rand(n, 3, 8, 8, generator=g), size=size, mode="bilinear", align_corners=False)
    return (10 + x * 235).round().to(torch.uint8)


def draws(n: int, seed: int = 0, rows: slice = slice(None), total: int | None = None) -> A.Draws:
    return A.Draws(torch.Generator().manual_seed(seed), total or n, rows)


def test_none_is_identity():
    x = smooth_images(4)
    assert torch.equal(A.Augment("none")(x, draws(4)), x.float() / 255)


def test_magnitudes_follow_torchvision_bins():
    m14, m30 = A.magnitudes(14, (32, 32)), A.magnitudes(30, (32, 32))
    assert (m14["rotate"], m14["translate_x"], m14["posterize"], m14["brightness"]) == pytest.approx((14, 6, 6, 0.42))
    assert (m30["rotate"], m30["translate_x"], m30["posterize"], m30["solarize"]) == pytest.approx((30, 14, 4, 0.0))


def torchvision_op(name: str, x: torch.Tensor, value: float) -> torch.Tensor:
    """torchvision's RandAugment operation ``name`` at signed magnitude ``value`` (as RandAugment applies it)."""
    nearest = InterpolationMode.NEAREST
    shear = math.degrees(math.atan(value))
    return {
        "shear_x": lambda: TF.affine(x, 0.0, [0, 0], 1.0, [shear, 0.0], interpolation=nearest, center=[0, 0]),
        "shear_y": lambda: TF.affine(x, 0.0, [0, 0], 1.0, [0.0, shear], interpolation=nearest, center=[0, 0]),
        "translate_x": lambda: TF.affine(x, 0.0, [int(value), 0], 1.0, [0.0, 0.0], interpolation=nearest),
        "translate_y": lambda: TF.affine(x, 0.0, [0, int(value)], 1.0, [0.0, 0.0], interpolation=nearest),
        "rotate": lambda: TF.rotate(x, value, interpolation=nearest),
        "brightness": lambda: TF.adjust_brightness(x, 1 + value),
        "color": lambda: TF.adjust_saturation(x, 1 + value),
        "contrast": lambda: torch.stack([TF.adjust_contrast(i, 1 + value) for i in x]),
        "sharpness": lambda: TF.adjust_sharpness(x, 1 + value),
    }[name]()


@pytest.mark.parametrize("name", [op for op in A.OPS if op in A.MAX_MAGNITUDE])
@pytest.mark.parametrize("sign", [1.0, -1.0])
def test_randaugment_operations_equal_torchvision(name, sign):
    x = smooth_images(3).float() / 255
    mags = A.magnitudes(14, (32, 32))
    k = A.OPS.index(name)
    if name in A.GEOMETRIC:
        ours = A.affine(x, torch.full((3,), k), torch.full((3,), sign), mags)
    else:
        ours = A.colour_op(name, x, torch.full((3,), 1 + sign * mags[name]), mags)
    assert torch.allclose(ours, torchvision_op(name, x, sign * mags[name]), atol=1e-6)


def test_elastic_equals_torchvision_for_the_same_field():
    x = smooth_images(2).float() / 255
    ours = A.elastic(x, draws(2, seed=3))
    noise = torch.rand((2, 2, 32, 32), generator=torch.Generator().manual_seed(3)) * 2 - 1
    for i in range(2):
        field = (TF.gaussian_blur(noise[i:i + 1], [41, 41], [5.0, 5.0]) * 50 / 32).permute(0, 2, 3, 1)
        assert torch.allclose(ours[i:i + 1], TF.elastic(x[i:i + 1], field), atol=1e-4)


def shifted(x: torch.Tensor, dy: int, dx: int) -> torch.Tensor:
    """``x`` moved by (dy, dx) pixels, black where nothing moved in."""
    out = torch.zeros_like(x)
    h, w = x.shape[-2:]
    out[..., max(dy, 0):h + min(dy, 0), max(dx, 0):w + min(dx, 0)] = \
        x[..., max(-dy, 0):h + min(-dy, 0), max(-dx, 0):w + min(-dx, 0)]
    return out


def test_crop_and_flip_per_image():
    """Every image is the original, flipped or not, shifted by at most 4 px; both flips and many shifts occur."""
    x = smooth_images(1).float() / 255
    out = A.Augment(A.Level(None, True, False, False, False))(x.expand(64, -1, -1, -1), draws(64))
    seen = set()
    for y in out:
        match = [(f, dy, dx) for f in (0, 1) for dy in range(-4, 5) for dx in range(-4, 5)
                 if torch.equal(y, shifted(x[0].flip(-1) if f else x[0], dy, dx))]
        assert match, "an output is not a padded crop of the (flipped) image"
        seen.add(match[0])
    assert {f for f, _, _ in seen} == {0, 1} and len(seen) > 20


def test_invert_per_image():
    x = smooth_images(1).float() / 255
    out = A.Augment(A.Level(None, False, False, True, False))(x.expand(200, -1, -1, -1), draws(200))
    inverted = torch.tensor([torch.equal(y, 1 - x[0]) for y in out])
    assert all(torch.equal(y, x[0]) for y in out[~inverted])
    assert 60 < int(inverted.sum()) < 140


def test_random_erase_boxes():
    out = A.random_erase(torch.ones(200, 3, 32, 32), draws(200))
    erased = (out == 0).all(1)  # (N, H, W) erased pixels, the same in every channel
    share = erased.float().mean((1, 2))
    assert 60 < int((share > 0).sum()) < 140
    for box in erased[share > 0]:
        rows, cols = box.any(1).nonzero().squeeze(1), box.any(0).nonzero().squeeze(1)
        area = len(rows) * len(cols)
        assert int(box.sum()) == area and 0.01 * 1024 <= area <= 0.4 * 1024  # one rectangle (sides are rounded)


@pytest.mark.parametrize("level", ["standard", "high", "extreme"])
def test_levels_change_every_image_differently(level):
    """Same input image 32 times: outputs in [0, 1], (almost) all changed, and (almost) all different from each
    other, because every image draws its own operations (torchvision v2 on a batch would use one draw)."""
    x = smooth_images(1).expand(32, -1, -1, -1)
    out = A.Augment(level)(x, draws(32))
    assert out.shape == (32, 3, 32, 32) and out.dtype == torch.float32 and out.min() >= 0 and out.max() <= 1
    changed = (out - x.float() / 255).abs().flatten(1).amax(1) > 1e-3
    assert int(changed.sum()) >= 30
    assert len({tuple(y.flatten()[::97].tolist()) for y in out}) >= 30


def test_levels_get_stronger():
    """Mean change from the input grows from standard to high to extreme (more operations, larger magnitudes)."""
    x = smooth_images(64)
    change = [float((A.Augment(level)(x, draws(64)) - x.float() / 255).abs().mean())
              for level in ("standard", "high", "extreme")]
    assert change[0] < change[1] < change[2]


def test_a_process_augments_its_rows_as_one_process_would():
    """Draws are made for the global batch: rows r::K of one process's result equal what process r of K gets."""
    x = smooth_images(12)
    whole = A.Augment("extreme")(x, draws(12, seed=5))
    for rank in range(3):
        part = A.Augment("extreme")(x[rank::3], draws(4, seed=5, rows=slice(rank, None, 3), total=12))
        assert torch.allclose(part, whole[rank::3], atol=1e-6)


def test_pipeline_leaves_plain_rows_unaugmented():
    """Rows marked plain (the prober's boundary pairs) come out as they went in; the other rows get exactly the
    augmentation they get without the mask (the draws are made for every row either way)."""
    from synthkd.distill.pipeline import Pipeline

    x = smooth_images(8)
    plain = torch.tensor([True, False, False, True, False, False, False, True])
    masked, whole = Pipeline("high", 0.0, seed=3)(x, 2, 5, plain), Pipeline("high", 0.0, seed=3)(x, 2, 5)
    assert torch.equal(masked[plain], x[plain].float() / 255)
    assert torch.equal(masked[~plain], whole[~plain])
    assert not torch.allclose(whole[plain], x[plain].float() / 255)


def test_bad_level():
    with pytest.raises(ValueError, match="one of none, standard"):
        A.Augment("wild")


# ---------------------------------------------------------------------------------------------- bad input


@pytest.fixture(scope="module")
def setup(tmp_path_factory):
    """A 10-class resnet8_cifar teacher with random weights, a 64-image dataset and an empty one."""
    from synthkd.core.models import build_model

    root = tmp_path_factory.mktemp("distill-bad")
    torch.manual_seed(0)
    torch.save({"state_dict": build_model("resnet8_cifar", 10).state_dict()}, root / "teacher.pt")
    for name, total in (("data", 64), ("empty", 0)):
        identity = {"generator": "test", "total": total, "image_size": 32, "seed": 0, "chunk_size": 64,
                    "settings": {}}
        writer = DatasetWriter(root / name, identity)
        if total:
            writer.write_chunk(0, np.random.default_rng(0).integers(0, 256, (total, 32, 32, 3), np.uint8), {}, {})
        writer.finish()
    (root / "eval" / "cat").mkdir(parents=True)
    (root / "eval" / "dog").mkdir()
    (root / "eval12" / "12").mkdir(parents=True)
    (root / "spec7.py").write_text("import torch\ndef make():\n    return torch.nn.Sequential(torch.nn.Flatten(), "
                                   "torch.nn.LazyLinear(7))\n")
    return root


BAD = {
    "unknown teacher": (["--teacher", "resnet_nope"], "unknown model 'resnet_nope'"),
    "unknown student": (["--student", "nope_net"], "unknown model 'nope_net'"),
    "teacher classes": (["--num-classes", "7"], "has 10 classes"),
    "student classes": (["--student", "spec7:make"], "student spec7:make for the teacher's 10 classes"),
    "log student normalised": (["--student", "resnet8_cifar_log", "--student-normalization", "cifar10"],
                               "reads [0, 1] pixels on a log scale: give it normalisation none"),
    "missing data": (["--data", "{root}/nowhere"], "no dataset at"),
    "empty data": (["--data", "{root}/empty"], "holds no images"),
    "eval class count": (["--eval", "{root}/eval"], "has 2 class folders, the teacher has 10"),
    "eval class index": (["--eval", "{root}/eval12"], "class folder 12"),
    "eval missing": (["--eval", "{root}/no-eval"], "is not a directory"),
    "epochs": (["--epochs", "0"], "--epochs must be at least 1"),
    "lr": (["--lr", "0"], "--lr must be a number above 0"),
    "lr nan": (["--lr", "nan"], "--lr must be a number above 0"),
    "temperature zero": (["--temperature", "0"], "--temperature must be a number above 0"),
    "temperature negative": (["--temperature", "-2"], "--temperature must be a number above 0"),
    "batch": (["--batch-size", "0"], "--batch-size: must be at least 1"),
    "batch larger than data": (["--batch-size", "128"], "fewer than one batch"),
    "hard weight": (["--hard-weight", "1.5"], "--hard-weight must be in [0, 1]"),
    "mixup": (["--mixup-alpha", "-1"], "--mixup-alpha must be 0"),
    "holdout": (["--holdout", "1"], "--holdout must be in [0, 1)"),
    "weight decay": (["--weight-decay", "-0.5"], "--weight-decay must be 0 or more"),
    "ema": (["--ema", "1"], "--ema must be in [0, 1)"),
    "ema negative": (["--ema", "-0.1"], "--ema must be in [0, 1)"),
    "fp16 on cpu": (["--amp", "fp16", "--device", "cpu"], "--amp fp16 needs CUDA"),
    "not a number": (["--epochs", "two"], "invalid int value"),
    "aug": (["--aug", "wild"], "invalid choice"),
}


@pytest.mark.parametrize("case", list(BAD))
def test_bad_input_is_one_line_and_exit_2(case, setup, tmp_path, capsys, monkeypatch):
    monkeypatch.syspath_prepend(str(setup))
    args, message = BAD[case]
    base = {"--teacher": "resnet8_cifar", "--weights": setup / "teacher.pt", "--student": "resnet8_cifar",
            "--data": setup / "data", "--out": tmp_path / "run", "--batch-size": "32", "--epochs": "1"}
    for flag, value in zip(args[::2], args[1::2], strict=True):
        base[flag] = value.format(root=setup)
    assert run_cli(main, *[x for kv in base.items() for x in kv], "--quiet") == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and err.startswith("distill: error:") and message in err, err
    assert not (tmp_path / "run" / "checkpoint.pt").exists()


def test_image_folder_classes_and_sizes(tmp_path):
    """Class folders with names: sorted order is the class index; images of another size are resized."""
    from PIL import Image

    from synthkd.distill.checks import load_image_folder

    for i, name in enumerate("jihgfedcba"):
        (tmp_path / name).mkdir()
        Image.new("RGB", (40, 24), (i, 0, 0)).save(tmp_path / name / "x.png")
    images, labels = load_image_folder(tmp_path, 32, 10)
    assert images.shape == (10, 3, 32, 32) and images.dtype == torch.uint8
    assert labels.tolist() == list(range(10)) and images[:, 0, 0, 0].tolist() == list(range(9, -1, -1))
