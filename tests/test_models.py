"""Teacher loading: every kind of --teacher spec gives the same working classifier, and every bad input
is a one-line ModelError (the probe command's exit-2 path is tested in test_probe.py)."""

from __future__ import annotations

import textwrap

import pytest
import torch

from synthkd.core.models import (
    REGISTRY,
    Classifier,
    ModelError,
    build_model,
    load_model,
    num_classes_of,
    read_checkpoint,
)
from synthkd.core.networks import CIFAR_STUDENTS, LogIntensity
from synthkd.core.tensors import to_float
from synthkd.digits import digits


@pytest.fixture(scope="module")
def batch() -> torch.Tensor:
    return to_float(digits("test")[0][:16])


def same_outputs(a: torch.nn.Module, b: torch.nn.Module, x: torch.Tensor) -> bool:
    with torch.inference_mode():
        return torch.allclose(a(x), b(x), atol=1e-4)


def test_registry_name_with_checkpoint(random_teacher, batch):
    model = load_model(random_teacher.spec, str(random_teacher.weights), normalization="none")
    assert isinstance(model, Classifier) and not model.training
    assert same_outputs(model, random_teacher.model, batch)


@pytest.mark.parametrize("wrap", ["plain", "model", "ddp"])
def test_checkpoint_layouts(random_teacher, batch, tmp_path, wrap):
    state = random_teacher.model.net.state_dict()
    obj = {"plain": state, "model": {"model": state, "epoch": 3},
           "ddp": {"state_dict": {f"module.{k}": v for k, v in state.items()}}}[wrap]
    torch.save(obj, tmp_path / "w.pth")
    assert read_checkpoint(tmp_path / "w.pth").keys() == state.keys()
    assert same_outputs(load_model("resnet8_cifar", str(tmp_path / "w.pth")), random_teacher.model, batch)


def test_saved_programs(random_teacher, batch, tmp_path):
    net = random_teacher.model.net.eval()
    exported = torch.export.export(net, (batch[:4],), dynamic_shapes=({0: torch.export.Dim("batch")},))
    torch.export.save(exported, tmp_path / "m.pt2")
    torch.jit.save(torch.jit.trace(net, batch[:4]), tmp_path / "m.ts")
    for path in ("m.pt2", "m.ts"):
        model = load_model(str(tmp_path / path))
        assert same_outputs(model, random_teacher.model, batch), path


def test_callable_spec(random_teacher, batch, tmp_path, monkeypatch):
    (tmp_path / "user_models.py").write_text(textwrap.dedent("""
        from synthkd.core.networks import WideResNet

        def make(num_classes=10):
            return WideResNet(10, 1, num_classes)

        def not_a_model():
            return 42
    """))
    monkeypatch.syspath_prepend(str(tmp_path))
    model = load_model("user_models:make", str(random_teacher.weights), num_classes=10)
    assert same_outputs(model, random_teacher.model, batch)
    with pytest.raises(ModelError, match="not a torch.nn.Module"):
        load_model("user_models:not_a_model", need_weights=False)
    with pytest.raises(ModelError, match="cannot import"):
        load_model("user_models:missing", need_weights=False)


def test_torchvision_and_timm_names(tmp_path, batch):
    net = build_model("resnet18", 10)
    torch.save(net.state_dict(), tmp_path / "r18.pth")
    model = load_model("resnet18", str(tmp_path / "r18.pth"), num_classes=10)
    assert model.input_size == 224 and model.mean.flatten().tolist() == pytest.approx([0.485, 0.456, 0.406])
    assert model(batch[:2]).shape == (2, 10)
    timm_net = build_model("timm:resnet10t", 7)
    torch.save(timm_net.state_dict(), tmp_path / "t.pth")
    assert load_model("timm:resnet10t", str(tmp_path / "t.pth"), num_classes=7)(batch[:2]).shape == (2, 7)


def test_cifar_variants_keep_resolution():
    for name in ("resnet18_cifar", "wrn40_2", "resnet8_cifar"):
        net = REGISTRY[name](100)
        assert net(torch.zeros(2, 3, 32, 32)).shape == (2, 100)
    assert isinstance(REGISTRY["resnet18_cifar"](10).maxpool, torch.nn.Identity)


def test_class_count_check_runs_on_the_models_device():
    """The check batch follows the model: a teacher already moved to a GPU (here torch's 'meta' device, which
    also refuses CPU inputs) is checked where it is, not fed a CPU batch."""
    model = Classifier(build_model("resnet8_cifar", 7), (0.5,) * 3, (0.5,) * 3).eval().to("meta")
    assert num_classes_of(model) == 7


def test_named_torchvision_weights_offline(tmp_path, monkeypatch):
    monkeypatch.setenv("TORCH_HOME", str(tmp_path))
    with pytest.raises(ModelError, match=r"not in the local cache.*--weights FILE"):
        load_model("resnet50")
    with pytest.raises(ModelError, match="has no weights 'BOGUS'"):
        load_model("resnet50", "BOGUS")


def test_errors(random_teacher, tmp_path, monkeypatch):
    with pytest.raises(ModelError, match="does not exist"):
        load_model("resnet8_cifar", str(tmp_path / "missing.pt"))
    with pytest.raises(ModelError, match="unknown model 'resnet9000'"):
        load_model("resnet9000", need_weights=False)
    with pytest.raises(ModelError, match="needs --weights"):
        load_model("resnet8_cifar")
    with pytest.raises(ModelError, match=r"does not match the architecture: missing keys blocks.3"):
        load_model("wrn16_1", str(random_teacher.weights))
    with pytest.raises(ModelError, match="has 10 classes .*pass --num-classes 10"):
        load_model("resnet8_cifar", str(random_teacher.weights), num_classes=100)
    (tmp_path / "junk.pt").write_bytes(b"not a checkpoint")
    with pytest.raises(ModelError, match="cannot read"):
        load_model("resnet8_cifar", str(tmp_path / "junk.pt"))
    (tmp_path / "spatial.py").write_text("import torch\ndef make():\n    return torch.nn.Conv2d(3, 4, 3)\n")
    monkeypatch.syspath_prepend(str(tmp_path))
    with pytest.raises(ModelError, match=r"must return \(N, classes\) logits, got \[2, 4, 30, 30\]"):
        load_model("spatial:make", need_weights=False)
    with pytest.raises(ModelError, match="is not a preset"):
        load_model("resnet8_cifar", str(random_teacher.weights), normalization="sepia")


def test_log_students_read_faint_pixels_with_the_contrast_of_bright_ones(tmp_path):
    y = LogIntensity()(torch.tensor([-0.1, 0.0, 0.01, 0.1, 1.0]))
    assert y[0] == y[1] == 0 and y[-1] == pytest.approx(1) and y[3] == pytest.approx(0.5, abs=0.03)
    assert (y[1:].diff() > 0).all()
    for base in CIFAR_STUDENTS:
        net, plain = REGISTRY[f"{base}_log"](4), REGISTRY[base](4)
        assert isinstance(net[0], LogIntensity)
        assert sum(p.numel() for p in net.parameters()) == sum(p.numel() for p in plain.parameters())
    student = load_model("resnet8_cifar_log", num_classes=4, need_weights=False)
    torch.save({"state_dict": student.net.state_dict()}, tmp_path / "s.pt")  # as distill saves a student
    again = load_model("resnet8_cifar_log", str(tmp_path / "s.pt"), num_classes=4)
    faint = torch.rand(3, 3, 32, 32) * 0.02
    assert torch.equal(student(faint), again(faint))
    with pytest.raises(ModelError, match="reads \\[0, 1\\] pixels on a log scale: give it normalisation none"):
        load_model("resnet8_cifar_log", num_classes=4, need_weights=False, normalization="cifar10")
