"""One renderer for what a teacher is fed: training, validation and the attention view."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import torch

from lgad_studio.core.formats.dataset import open_dataset
from lgad_studio.core.inference import TeacherPredictor
from lgad_studio.core.label_input import DEFAULT_LABEL_LINE_WIDTH, input_label_map, teacher_input
from lgad_studio.core.models import build_model
from lgad_studio.core.models.teacher_input import encode_label
from lgad_studio.core.training.config import TrainConfig
from lgad_studio.core.training.data import LaneSamples


def test_the_training_label_is_the_renderers_and_the_default_is_trainings(
    culane_root: Path,
) -> None:
    assert DEFAULT_LABEL_LINE_WIDTH == TrainConfig().label_line_width == 30.0
    dataset = open_dataset(culane_root)
    entries = dataset.entries("val")
    for size, width in (((64, 24), 30.0), ((200, 72), 16.0)):
        samples = LaneSamples(dataset, entries, size=size, line_width=width)
        for k, entry in enumerate(entries):
            _image, label, _lanes, _jitter = samples.sample(k)
            drawn = input_label_map(dataset.read_lanes(entry), input_size=size, line_width=width)
            assert np.array_equal(drawn, label)
            assert drawn.max() > 0


def test_the_teacher_predictor_feeds_that_label(culane_root: Path) -> None:
    dataset = open_dataset(culane_root)
    entry = dataset.entries("val")[0]
    lanes = dataset.read_lanes(entry)
    torch.manual_seed(0)
    model = build_model("enet", in_channels=5, width=0.25).eval()
    teacher = TeacherPredictor(model, input_size=(64, 24), encoding="onehot")
    image = dataset.read_image(entry)
    (pred,) = teacher.predict_batch([image], lanes=[lanes])
    label = input_label_map(lanes, input_size=(64, 24))
    expected = encode_label(torch.from_numpy(label.astype(np.int64))[None], "onehot")
    assert torch.equal(teacher_input([lanes], input_size=(64, 24)), expected)
    with torch.no_grad():
        direct = torch.softmax(model(expected).seg, dim=1)[0].numpy()
    assert np.allclose(pred.prob_map, direct, atol=1e-6)
    assert pred.lanes.image_size == (image.shape[1], image.shape[0])
