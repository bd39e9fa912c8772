"""Attention maps and the distillation losses: normalisation, zero loss, gradient flow."""

from __future__ import annotations

import pytest
import torch

from lgad_studio.core.attention import (
    attention_map,
    attention_maps,
    normalise_attention,
    stage_attention,
)
from lgad_studio.core.losses import (
    attention_loss,
    compose_losses,
    distillation_terms,
    mimic_pairs,
    ramp_weight,
    segmentation_loss,
)
from lgad_studio.core.models import build_model

torch.set_num_threads(1)


def test_attention_map_is_channel_sum_of_squares() -> None:
    f = torch.tensor([[[[1.0, -2.0]], [[3.0, 0.5]]]])  # [1, 2, 1, 2]
    assert torch.allclose(attention_map(f), torch.tensor([[[10.0, 4.25]]]))


def test_softmax_maps_sum_to_one_and_l2_maps_have_norm_one() -> None:
    f = torch.randn(3, 8, 6, 10)
    soft = stage_attention(f, norm="softmax", size=(12, 20))
    assert soft.shape == (3, 12, 20)
    assert torch.allclose(soft.sum(dim=(1, 2)), torch.ones(3), atol=1e-5)
    l2 = stage_attention(f, norm="l2")
    assert torch.allclose(l2.flatten(1).norm(dim=1), torch.ones(3), atol=1e-5)


def test_unknown_normalisation_is_named() -> None:
    with pytest.raises(ValueError, match="'max' unknown"):
        normalise_attention(torch.rand(1, 2, 2), norm="max")


def test_attention_loss_zero_for_identical_maps_and_sums_over_pixels() -> None:
    a = torch.rand(2, 4, 5)
    assert float(attention_loss(a, a.clone())) == 0.0
    b = a + 0.1
    assert float(attention_loss(a, b)) == pytest.approx(20 * 0.01, rel=1e-4)  # 4*5 pixels


def test_attention_loss_gradient_only_into_student() -> None:
    student = torch.rand(2, 3, 3, requires_grad=True)
    target = torch.rand(2, 3, 3, requires_grad=True)
    attention_loss(student, target).backward()
    assert student.grad is not None and student.grad.abs().sum() > 0
    assert target.grad is None


def test_teacher_gets_no_gradient_in_lgad_terms() -> None:
    student = build_model("enet", width=0.25)
    teacher = build_model("enet", in_channels=5, width=0.25).eval()
    for p in teacher.parameters():
        p.requires_grad_(False)
    x = torch.randn(2, 3, 16, 32)
    with torch.no_grad():
        t_feats = teacher(torch.rand(2, 5, 16, 32)).features
    terms = distillation_terms(
        student(x).features, t_feats, mimic_pairs("lgad", ["stage1", "stage2", "stage3"])
    )
    sum(terms.values()).backward()
    assert all(p.grad is None for p in teacher.parameters())
    assert student.encoder.stage1.down.branch[0].weight.grad.abs().sum() > 0


def test_sad_target_stage_is_detached() -> None:
    model = build_model("erfnet", width=0.25)
    feats = model(torch.randn(2, 3, 16, 32)).features
    terms = distillation_terms(feats, feats, mimic_pairs("sad", ["stage2"]))
    assert list(terms) == ["at_stage2"]
    terms["at_stage2"].backward()
    # stage3 produced only the (detached) target: it receives no gradient.
    assert all(p.grad is None for p in model.encoder.stage3.parameters())
    assert any(p.grad is not None for p in model.encoder.stage2.parameters())


def test_mimic_pairs() -> None:
    assert mimic_pairs("lgad", ["stage2"]) == [("stage2", "stage2")]
    assert mimic_pairs("sad", ["stage1", "stage2"]) == [("stage1", "stage2"), ("stage2", "stage3")]
    assert mimic_pairs("none", ["stage1"]) == []
    with pytest.raises(ValueError, match="no deeper stage"):
        mimic_pairs("sad", ["stage3"])
    with pytest.raises(ValueError, match="'stage9' unknown"):
        mimic_pairs("lgad", ["stage9"])


def test_ramp_weight() -> None:
    assert ramp_weight(4, weight=0.1, start=5, ramp=10) == 0.0
    assert ramp_weight(5, weight=0.1, start=5, ramp=10) == pytest.approx(0.01)
    assert ramp_weight(14, weight=0.1, start=5, ramp=10) == pytest.approx(0.1)
    assert ramp_weight(100, weight=0.1, start=5, ramp=10) == pytest.approx(0.1)
    assert ramp_weight(0, weight=0.1, start=0, ramp=0) == 0.1


def test_background_weight_in_segmentation_loss() -> None:
    logits = torch.zeros(1, 5, 2, 2)
    label = torch.zeros(1, 2, 2, dtype=torch.long)
    uniform = float(torch.log(torch.tensor(5.0)))
    assert float(segmentation_loss(logits, label)) == pytest.approx(uniform)
    label[0, 0, 0] = 2
    weighted = float(segmentation_loss(logits, label, background_weight=0.4))
    assert weighted == pytest.approx(uniform)  # a weighted mean of equal terms
    logits[0, 2] = 5.0  # every pixel says slot 2: the background pixels now cost more
    low_bg = float(segmentation_loss(logits, label, background_weight=0.4))
    high_bg = float(segmentation_loss(logits, label, background_weight=1.0))
    assert high_bg > low_bg


def test_compose_losses_names_and_total() -> None:
    seg = torch.randn(2, 5, 4, 4)
    ex = torch.randn(2, 4)
    label = torch.randint(0, 5, (2, 4, 4))
    flags = torch.randint(0, 2, (2, 4)).float()
    at = {"at_stage1": torch.tensor(2.0), "at_stage2": torch.tensor(1.0)}
    losses = compose_losses(seg, ex, label, flags, at_terms=at, at_weight=0.5)
    assert set(losses) == {"loss", "seg", "exist", "at", "at_stage1", "at_stage2"}
    expected = losses["seg"] + 0.1 * losses["exist"] + 0.5 * 3.0
    assert torch.allclose(losses["loss"], expected)


def test_attention_maps_for_the_gui() -> None:
    model = build_model("enet", width=0.25).eval()
    maps = attention_maps(model, torch.randn(2, 3, 16, 32), ["stage1", "stage3"], norm="softmax")
    assert [tuple(m.shape) for m in maps] == [(2, 4, 8), (2, 2, 4)]
    assert torch.allclose(maps[0].sum(dim=(1, 2)), torch.ones(2), atol=1e-5)
    with pytest.raises(ValueError, match="stage7"):
        attention_maps(model, torch.randn(1, 3, 16, 32), ["stage7"])


def test_sad_softmax_loss_has_the_scale_of_the_l2_loss_at_the_start() -> None:
    """SAD as published (spatial softmax of the channel mean, stage k mimics k+1): summed over
    h x w its loss is of the L2 variant's order, not 1/(h w) of it as a mean over pixels would be."""
    from lgad_studio.core.losses import distillation_terms, mimic_pairs
    from lgad_studio.core.models import build_model

    torch.manual_seed(0)
    model = build_model("enet", width=0.5).train()
    # road-like input: a grey image with bright lane strokes, normalised like training
    image = torch.full((4, 3, 72, 200), -0.5)
    for b in range(4):
        for x0 in (40 + 10 * b, 150 - 10 * b):
            for y in range(30, 72):
                x = x0 + (y - 30) * (1 if x0 > 100 else -1)
                image[b, :, y, max(0, min(199, x)) : max(0, min(199, x)) + 3] = 2.0
    with torch.no_grad():
        features = model(image).features
    pairs = mimic_pairs("sad", ("stage1", "stage2"))
    l2 = sum(distillation_terms(features, features, pairs, norm="l2").values())
    softmax = sum(distillation_terms(features, features, pairs, norm="softmax").values())
    assert 0.2 < float(softmax) / float(l2) < 20.0  # measured: 4.3
    per_pixel_mean = float(softmax) / (18 * 50)  # what `.pow(2).mean()` ports would give
    assert per_pixel_mean < 0.01 * float(l2)
