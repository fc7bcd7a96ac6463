"""synthkd.probe.attack: boundary pairs on the real digits teacher, the Bold Driver schedule on a linear teacher whose
margins are known in closed form, target policies, torchattacks' API and option errors."""

import math

import pytest
import torch
from torch import nn

from synthkd.core.tensors import to_float
from synthkd.digits import digits
from synthkd.probe.attack import KINDS, WIDEN, BoundaryPairAttack, choose_targets, summary

N = 64  # digits test images per probe


@pytest.fixture(scope="module")
def batch(digits_teacher):
    """The first N digits test images, the teacher's labels and logits, and balanced targets."""
    images = to_float(digits("test")[0][:N])
    with torch.no_grad():
        logits = digits_teacher.model(images)
    labels = logits.argmax(1)
    return images, labels, logits, choose_targets(labels, logits, 10)


@pytest.fixture(scope="module")
def probed(digits_teacher, batch):
    images, labels, _, targets = batch
    return BoundaryPairAttack(digits_teacher.model).probe(images, labels, targets)


def teacher_says(model: nn.Module, images: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
    """(argmax, max softmax) of the teacher on images, computed afresh."""
    with torch.no_grad():
        conf, pred = model(images).softmax(1).max(1)
    return pred, conf


@pytest.mark.slow
def test_pairs_straddle_the_boundary_below_the_threshold(digits_teacher, batch, probed):
    images, _, _, targets = batch
    r, v = probed, probed.valid
    assert v.float().mean() >= 0.9  # defaults: >= 95 % on the whole test split (benchmarks/probe.py)
    pre_pred, pre_conf = teacher_says(digits_teacher.model, r.pre[v])
    post_pred, post_conf = teacher_says(digits_teacher.model, r.post[v])
    assert (pre_pred != targets[v]).all() and (post_pred == targets[v]).all()
    assert (pre_conf < 0.9).all() and (post_conf < 0.9).all()
    assert torch.equal(pre_pred, r.pred[v, 0]) and torch.equal(post_pred, r.pred[v, 1])
    assert torch.allclose(pre_conf, r.confidence[v, 0], atol=1e-5)
    for kind in KINDS:  # every image stays in [0, 1] and in the eps ball around its source
        x = r.images(kind)
        assert x.min() >= 0 and x.max() <= 1
        assert (x - images).abs().amax() <= 64 / 255 + 1e-6
    assert torch.allclose(r.linf[:, 1], (r.post - images).flatten(1).abs().amax(1))
    assert torch.allclose(r.l2[:, 0], (r.pre - images).flatten(1).norm(dim=1))
    failed = ~v  # flagged, not dropped: out of budget (of one try, or two), or the source was already in t
    assert ((r.steps[failed] % 50 == 0) | (r.source_label[failed] == targets[failed])).all()
    s = summary(r)
    assert s["examples"] == N and s["valid"] == int(v.sum()) and s["success_rate"] == pytest.approx(v.float().mean())
    assert 1 <= s["steps_mean"] <= 50 and s["post_confidence_max"] < 0.9 and s["deeper_ok_rate"] == 1.0


@pytest.mark.slow
def test_deeper_copies_stay_on_their_side_more_confidently(digits_teacher, probed):
    v = probed.valid
    for j, kind in enumerate(KINDS[:2]):
        pred, conf = teacher_says(digits_teacher.model, getattr(probed, kind)[v])
        deep_pred, deep_conf = teacher_says(digits_teacher.model, getattr(probed, f"{kind}_deeper")[v])
        assert torch.equal(deep_pred, pred) and (deep_conf > conf).all(), kind
        assert torch.equal(deep_pred, probed.pred[v, 2 + j])
        moved = (getattr(probed, f"{kind}_deeper")[v] - getattr(probed, kind)[v]).flatten(1).abs().amax(1)
        assert (moved > 0).all() and (moved <= probed.step_size[v] + 1e-6).all()  # one step, at most that size


class MarginTeacher(nn.Module):
    """Two classes on (1, 3, 2, 2) images with logit margin m(u) = m0 + slope * u - curve * u^2, u = mean(x) - 0.5.
    An L-inf sign step of size a towards class 1 moves u by a along dm/du, so every margin is known exactly."""

    def __init__(self, m0: float, slope: float, curve: float = 0.0):
        super().__init__()
        self.coef = nn.Parameter(torch.tensor([m0, slope, curve]), requires_grad=False)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        u = x.mean((1, 2, 3)) - 0.5
        m = self.coef[0] + self.coef[1] * u - self.coef[2] * u * u
        return torch.stack([torch.zeros_like(m), m], 1)


def bold_driver(m0, slope, curve, step, grow, shrink, threshold, eps, max_steps):
    """The rule in plain floats on a MarginTeacher: (events, steps, final step size, pre u, post u or None)."""
    def margin(u: float) -> float:
        return m0 + slope * u - curve * u * u

    def confidence(m: float) -> float:
        return 1 / (1 + math.exp(-abs(m)))

    events, u, a = [], 0.0, step
    while len(events) < max_steps:
        v = max(-eps, min(eps, u + a * math.copysign(1.0, slope - 2 * curve * u)))
        m_pre, m = margin(u), margin(v)
        if m > 0 and confidence(m) < threshold and confidence(m_pre) < threshold:
            return events, len(events) + 1, a, u, v
        if m > 0 or m < m_pre:  # too deep, or the cross-entropy to class 1 went up
            events.append("undo")
            a *= shrink
        else:
            events.append("grow")
            u, a = v, min(a * grow, eps)
    return events, max_steps, a, u, None


def run_margin_teacher(m0, slope, curve, step, grow, shrink, threshold, eps=0.3, max_steps=10):
    """The attack's one try (no retries) and the plain-float rule on the same MarginTeacher case, for comparison."""
    expected = bold_driver(m0, slope, curve, step, grow, shrink, threshold, eps, max_steps)
    atk = BoundaryPairAttack(MarginTeacher(m0, slope, curve), eps=eps, step=step, grow=grow, shrink=shrink,
                         threshold=threshold, max_steps=max_steps, retry="none")
    return atk.probe(torch.full((1, 3, 2, 2), 0.5), torch.tensor([0]), torch.tensor([1])), expected


@pytest.mark.parametrize("grow,shrink,threshold", [(2.0, 0.5, 0.6), (1.5, 0.25, 0.6), (3.0, 0.5, 0.7)])
def test_bold_driver_grows_until_crossing_and_undoes_and_shrinks_an_overshoot(grow, shrink, threshold):
    r, (events, steps, size, pre, post) = run_margin_teacher(-2.0, 20.0, 0.0, 0.01, grow, shrink, threshold)
    assert events.count("grow") >= 2 and "undo" in events and post is not None  # both branches, then a pair
    assert bool(r.valid[0]) and int(r.steps[0]) == steps
    assert float(r.step_size[0]) == pytest.approx(size, rel=1e-5)
    assert torch.allclose(r.pre, torch.full_like(r.pre, 0.5 + pre), atol=1e-5)
    assert torch.allclose(r.post, torch.full_like(r.post, 0.5 + post), atol=1e-5)
    assert torch.allclose(r.pre_deeper, r.pre - size) and torch.allclose(r.post_deeper, r.post + size)


@pytest.mark.parametrize("grow", [1.5, 2.0])
def test_bold_driver_undoes_a_step_that_raises_the_loss(grow):
    """A margin that peaks below 0: the target is out of reach, and steps past the peak are undone."""
    r, (events, steps, size, pre, post) = run_margin_teacher(-3.0, 10.0, 40.0, 0.01, grow, 0.5, 0.9)
    assert events.count("undo") >= 2 and post is None and not r.valid[0] and int(r.steps[0]) == steps == 10
    assert float(r.step_size[0]) == pytest.approx(size, rel=1e-5)
    assert torch.allclose(r.pre, torch.full_like(r.pre, 0.5 + pre), atol=1e-5)


class OutOfReach(nn.Module):
    """A MarginTeacher with a third class whose logit is always far below: no perturbation reaches it."""

    def __init__(self):
        super().__init__()
        self.inner = MarginTeacher(-2.0, 20.0)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        two = self.inner(x)
        return torch.cat([two, torch.full_like(two[:, :1], -100.0)], 1)


def test_an_example_out_of_reach_of_its_target_tries_the_nearest_other_class():
    x, label, far = torch.full((1, 3, 2, 2), 0.5), torch.tensor([0]), torch.tensor([2])
    atk = BoundaryPairAttack(OutOfReach(), eps=0.3, step=0.01, threshold=0.6, max_steps=10)
    r = atk.probe(x, label, far)
    assert r.valid[0] and int(r.targets[0]) == 1 and int(r.pred[0, 1]) == 1 and 10 < int(r.steps[0]) <= 20
    assert not atk.probe(x, label, far, classes=torch.tensor([0, 2])).valid[0]  # no other class allowed
    once = BoundaryPairAttack(OutOfReach(), eps=0.3, step=0.01, threshold=0.6, max_steps=10, retry="none")
    r = once.probe(x, label, far)
    assert not r.valid[0] and int(r.targets[0]) == 2 and int(r.steps[0]) == 10


def test_an_example_beyond_the_ball_tries_once_more_in_a_wider_one():
    x, label, target = torch.full((1, 3, 2, 2), 0.5), torch.tensor([0]), torch.tensor([1])
    far = MarginTeacher(-6.0, 20.0)  # the boundary at u = 0.3: beyond an eps of 0.2, and no third class to try
    r = BoundaryPairAttack(far, eps=0.2, step=0.01, max_steps=30).probe(x, label, target)
    assert r.valid[0] and 0.2 < float(r.linf[0, 1]) <= 0.2 * WIDEN and 30 < int(r.steps[0]) <= 60
    narrow = BoundaryPairAttack(far, eps=0.2, step=0.01, max_steps=30, retry="none").probe(x, label, target)
    assert not narrow.valid[0] and int(narrow.steps[0]) == 30


def test_targets_stay_among_the_given_classes():
    labels = torch.tensor([0, 0, 3, 3, 5, 5, 0, 3])
    for policy in ("balanced", "random", "second", "least"):
        t = choose_targets(labels, torch.randn(8, 10), 10, policy, classes=torch.tensor([0, 3, 5]))
        assert set(t.tolist()) <= {0, 3, 5} and (t != labels).all(), policy
    assert len(set(choose_targets(labels, None, 10, classes=torch.tensor([0])).tolist())) > 2  # too few: all


def test_step_size_grows_by_the_factor_each_step_that_does_not_cross():
    atk = BoundaryPairAttack(MarginTeacher(-20.0, 1.0), eps=0.4, step=0.001, grow=1.25, max_steps=7, retry="none")
    r = atk.probe(torch.full((1, 3, 2, 2), 0.5), torch.tensor([0]), torch.tensor([1]))
    assert not r.valid[0] and int(r.steps[0]) == 7
    assert float(r.step_size[0]) == pytest.approx(0.001 * 1.25 ** 7, rel=1e-5)
    assert float(r.linf[0, 0]) == pytest.approx(0.001 * (1.25 ** 7 - 1) / 0.25, rel=1e-4)
    assert summary(r)["budget_exhausted"] == 1


@pytest.mark.slow
def test_same_inputs_same_outputs(digits_teacher, batch):
    images, labels, _, targets = (t[:16] for t in batch)
    runs = [BoundaryPairAttack(digits_teacher.model).probe(images, labels, targets) for _ in range(2)]
    for name in runs[0].__dataclass_fields__:
        assert torch.equal(getattr(runs[0], name), getattr(runs[1], name)), name
    assert torch.equal(choose_targets(labels, None, 10, seed=3), choose_targets(labels, None, 10, seed=3))
    assert not torch.equal(choose_targets(labels, None, 10, seed=3), choose_targets(labels, None, 10, seed=4))


@pytest.mark.parametrize("labels", [
    torch.from_numpy(digits("test")[1]),
    torch.cat([torch.zeros(700, dtype=torch.long), torch.arange(300) % 7 + 1]),  # 70 % zeros: class 0 is capped
    torch.tensor([3, 3, 3, 5, 5, 1, 3, 3, 3, 3, 3]),
])
def test_balanced_targets_spread_over_classes_and_avoid_the_label(labels):
    c = 10 if len(labels) != 11 else 6
    t = choose_targets(labels, None, c)
    assert t.dtype == torch.long and (t != labels).all()
    counts = torch.bincount(t, minlength=c)
    cap = len(labels) - torch.bincount(labels, minlength=c)  # how many examples could have each class as target
    open_ = counts < cap
    assert counts.max() - counts[open_].min() <= 1 if open_.any() else True
    assert (counts[~open_] <= counts.max()).all()


@pytest.mark.slow
def test_other_policies(batch):
    _, labels, logits, _ = batch
    order = logits.argsort(1, descending=True)
    assert torch.equal(choose_targets(labels, logits, 10, "second"), order[:, 1])
    assert torch.equal(choose_targets(labels, logits, 10, "least"), order[:, -1])
    t = choose_targets(labels.repeat(20), None, 10, "random")
    assert (t != labels.repeat(20)).all() and len(t.unique()) == 10
    with pytest.raises(ValueError, match="needs"):
        choose_targets(labels, None, 10, "second")
    with pytest.raises(ValueError, match="unknown target policy 'nearest'"):
        choose_targets(labels, logits, 10, "nearest")


@pytest.mark.slow
def test_l2_mode(digits_teacher, batch):
    images, labels, _, targets = (t[:24] for t in batch)
    r = BoundaryPairAttack(digits_teacher.model, norm="L2").probe(images, labels, targets)
    v = r.valid
    assert v.float().mean() >= 0.9
    assert (r.l2 <= 3.0 + 1e-4).all() and r.l2[v, 1].max() > 16 / 255  # an L2 ball, not the L-inf one
    pre_pred, pre_conf = teacher_says(digits_teacher.model, r.pre[v])
    post_pred, post_conf = teacher_says(digits_teacher.model, r.post[v])
    assert (pre_pred != targets[v]).all() and (post_pred == targets[v]).all()
    assert (pre_conf < 0.9).all() and (post_conf < 0.9).all()


@pytest.mark.slow
def test_torchattacks_api(digits_teacher, batch):
    images, labels = batch[0][:16], batch[1][:16]
    model = digits_teacher.model
    atk = BoundaryPairAttack(model)
    adv = atk(images, labels)  # default mode: balanced targets of its own
    assert adv.shape == images.shape and (teacher_says(model, adv)[0] != labels).float().mean() >= 0.9
    atk.set_mode_targeted_by_function(lambda x, y: (y + 1) % 10, quiet=True)
    model.train()  # the attack runs the model in eval mode and gives it back as it was
    try:
        adv = atk(images, labels)
        assert model.training
    finally:
        model.eval()
    pred, conf = teacher_says(model, adv)
    hit = pred == (labels + 1) % 10
    assert hit.float().mean() >= 0.9 and (conf[hit] < 0.9).all()
    atk.set_mode_targeted_random(quiet=True)
    assert (teacher_says(model, atk(images, labels))[0] != labels).float().mean() >= 0.9


@pytest.mark.parametrize("options,message", [
    ({"threshold": 0.05, "num_classes": 10}, r"threshold must lie in \(1/C, 1\]"),
    ({"threshold": 1.5}, "threshold"),
    ({"threshold": 0.0}, "threshold"),
    ({"eps": 0.0}, "eps must be > 0"),
    ({"eps": -1 / 255}, "eps must be > 0"),
    ({"step": 0.0}, "step must be > 0"),
    ({"grow": 0.9}, "grow must be >= 1"),
    ({"shrink": 1.0}, r"shrink must lie in \(0, 1\)"),
    ({"max_steps": 0}, "max_steps must be >= 1"),
    ({"norm": "L1"}, "unknown norm 'L1'"),
    ({"target": "nearest"}, "unknown target policy"),
    ({"retry": "twice"}, "unknown retry 'twice'"),
])
def test_bad_options_are_clear_errors(options, message):
    with pytest.raises(ValueError, match=message):
        BoundaryPairAttack(MarginTeacher(0.0, 1.0), **options)


def test_threshold_is_checked_against_the_classes_at_the_first_call():
    atk = BoundaryPairAttack(MarginTeacher(-1.0, 1.0), threshold=0.4)  # fine for 10 classes, not for 2
    with pytest.raises(ValueError, match=r"\(0.5, 1\] for C=2"):
        atk.probe(torch.full((1, 3, 2, 2), 0.5), torch.tensor([0]), torch.tensor([1]))
    with pytest.raises(ValueError, match="differ"):
        atk.probe(torch.full((1, 3, 2, 2), 0.5), torch.tensor([1]), torch.tensor([1]))
