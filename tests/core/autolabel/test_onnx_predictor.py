"""ONNX export metadata and the ONNX predictor: the checkpoint's interface and numbers."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import numpy as np
import pytest

from lgad_studio.cli import main
from lgad_studio.core.autolabel import ProposalStore, autolabel
from lgad_studio.core.autolabel.fingerprint import weights_fingerprint
from lgad_studio.core.checkpoint import load_checkpoint
from lgad_studio.core.decode import decode_defaults
from lgad_studio.core.formats.dataset import open_dataset
from lgad_studio.core.inference import DECODE_WIDTH, LanePredictor, Prediction
from lgad_studio.core.predictors import load_predictor
from lgad_studio.core.training.data import MEAN, STD, resize_image, to_tensor

ort = pytest.importorskip("onnxruntime")
onnx = pytest.importorskip("onnx")

from lgad_studio.core.export import METADATA_KEY, export_onnx  # noqa: E402
from lgad_studio.core.onnx_predictor import OnnxLanePredictor, OnnxModelError  # noqa: E402


@pytest.fixture(scope="module")
def exported(student: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    return export_onnx(student, tmp_path_factory.mktemp("onnx") / "student.onnx")


def test_export_carries_what_a_consumer_needs(student: Path, exported: Path) -> None:
    meta = json.loads(
        {p.key: p.value for p in onnx.load(str(exported)).metadata_props}[METADATA_KEY]
    )
    ckpt = load_checkpoint(student)
    assert meta["input"]["size"] == [64, 24] and meta["input"]["shape"] == ["B", 3, 24, 64]
    assert np.array_equal(np.float32(meta["input"]["mean"]), MEAN)
    assert np.array_equal(np.float32(meta["input"]["std"]), STD)
    assert meta["outputs"]["prob"]["classes"][0] == "background"
    assert meta["outputs"]["exist"]["slots"] == [1, 2, 3, 4]
    assert meta["decode"] == {**decode_defaults(), "decode_width": DECODE_WIDTH}
    assert meta["source"]["weights_sha256"] == weights_fingerprint(ckpt.data)
    assert meta["source"]["arch"] == "enet" and meta["source"]["checkpoint"] == "student.pt"


def test_onnx_predictor_matches_the_checkpoint(student: Path, exported: Path, culane: Path) -> None:
    ds = open_dataset(culane)
    images = [ds.read_image(e) for e in ds.entries("train")[:4]]
    images.append(np.ascontiguousarray(images[0][::2, ::2]))  # another size in the same batch
    torch_preds = LanePredictor.from_checkpoint(student, device="cpu").predict_batch(images)
    onnx_model = load_predictor(exported, device="cpu")
    assert isinstance(onnx_model, OnnxLanePredictor) and onnx_model.input_size == (64, 24)
    assert onnx_model.fingerprint == hashlib.sha256(exported.read_bytes()).hexdigest()
    onnx_preds = onnx_model.predict_batch(images)
    lanes = 0
    for a, b in zip(torch_preds, onnx_preds, strict=True):
        assert isinstance(b, Prediction) and b.prob_map.dtype == np.float32
        assert np.abs(a.prob_map - b.prob_map).max() < 1e-4
        assert np.abs(a.exist - b.exist).max() < 1e-4
        assert b.lanes.image_size == a.lanes.image_size
        assert [ln.slot for ln in a.lanes] == [ln.slot for ln in b.lanes]
        for la, lb in zip(a.lanes, b.lanes, strict=True):
            assert np.allclose(la.points, lb.points)
            lanes += 1
    assert lanes > 0
    single = onnx_model.predict(images[1])
    assert np.abs(single.prob_map - onnx_preds[1].prob_map).max() < 1e-5
    with pytest.raises(ValueError, match="uint8"):
        onnx_model.predict(np.zeros((5, 5), np.uint8))


def test_preprocessing_is_the_training_pipelines(exported: Path, tmp_path: Path) -> None:
    image = np.random.default_rng(0).integers(0, 256, (590, 1640, 3), dtype=np.uint8)
    model = OnnxLanePredictor(exported, device="cpu")
    assert np.array_equal(model.preprocess(image), to_tensor(resize_image(image, (64, 24))).numpy())
    # A file exported when the constants were others keeps its own normalisation.
    proto = onnx.load(str(exported))
    meta = json.loads(proto.metadata_props[0].value)
    meta["input"]["mean"], meta["input"]["std"] = [0.5, 0.5, 0.5], [0.25, 0.25, 0.25]
    proto.metadata_props[0].value = json.dumps(meta)
    other = tmp_path / "other.onnx"
    other.write_bytes(proto.SerializeToString())
    small = resize_image(image, (64, 24)).astype(np.float32) / 255.0
    expected = ((small - 0.5) / 0.25).transpose(2, 0, 1)
    assert np.allclose(
        OnnxLanePredictor(other, device="cpu").preprocess(image), expected, atol=1e-6
    )


def test_foreign_onnx_files_are_refused(exported: Path, tmp_path: Path) -> None:
    proto = onnx.load(str(exported))
    del proto.metadata_props[:]
    bare = tmp_path / "bare.onnx"
    bare.write_bytes(proto.SerializeToString())
    with pytest.raises(OnnxModelError, match="bare.onnx: no 'lgad_studio' metadata"):
        OnnxLanePredictor(bare)
    junk = tmp_path / "junk.onnx"
    junk.write_bytes(b"not a model")
    with pytest.raises(OnnxModelError, match="junk.onnx: not a loadable ONNX model"):
        load_predictor(junk)
    with pytest.raises(OnnxModelError, match="no such|cannot read"):
        load_predictor(tmp_path / "missing.onnx")


def test_autolabel_with_the_onnx_export(
    student: Path, exported: Path, culane: Path, tmp_path: Path
) -> None:
    out = tmp_path / "p.sqlite"
    args = [
        "autolabel",
        "--data",
        str(culane),
        "--split",
        "val",
        "--out",
        str(out),
        "--device",
        "cpu",
    ]
    assert main([*args, "--model", str(exported)]) == 0
    assert main([*args, "--model", str(student)]) == 0
    with ProposalStore(out) as store:
        onnx_run, torch_run = store.runs()
        a, b = store.load(onnx_run.run_key), store.load(torch_run.run_key)
    assert onnx_run.run_key != torch_run.run_key  # another runtime is another model
    assert onnx_run.model_path.endswith("student.onnx")
    assert sorted(a) == sorted(b) == sorted(open_dataset(culane).entries("val"))
    for entry in a:
        assert np.allclose(a[entry].exist, b[entry].exist, atol=2e-4)
    assert sum(len(p) for p in a.values()) > 0
    assert list(autolabel(load_predictor(exported, device="cpu"), open_dataset(culane), [], out))
