"""Frozen training configurations, saved as JSON in the run folder and in every checkpoint.

:class:`TeacherConfig` trains the label-map teacher; :class:`StudentConfig`
trains a student with ``mode`` ``lgad`` (frozen teacher's attention), ``sad``
(its own deeper stage's attention) or ``none`` (the baseline). Sizes are
``(width, height)`` like :attr:`LaneSet.image_size`.
"""

from __future__ import annotations

import dataclasses
import json
import typing
from dataclasses import dataclass, fields
from pathlib import Path

from lgad_studio.core.errors import StudioError


class ConfigError(StudioError, ValueError):
    """A configuration value or file that is not what the trainer expects."""


@dataclass(frozen=True)
class TrainConfig:
    """What a teacher and a student run share. Every field is a plain JSON value."""

    data: str = ""  # dataset root (anything open_dataset accepts)
    out: str = "runs/run"  # run folder: config.json, metrics.{csv,jsonl}, last.pt, best.pt
    arch: str = "enet"
    width: float = 0.5  # channel multiplier (1.0 = the paper's network)
    input_size: tuple[int, int] = (200, 72)  # network input (W, H), both divisible by 8
    epochs: int = 10
    batch_size: int = 8
    lr: float = 1e-2  # AdamW; measured on the demo data: 2e-3 learns lane slots far slower
    weight_decay: float = 1e-4
    optimizer: str = "adamw"  # adamw | sgd (momentum 0.9)
    scheduler: str = "poly"  # poly (power 0.9) | cosine | constant, per step
    warmup_steps: int = 20
    seed: int = 0
    train_split: str = "train"
    val_split: str = "val"
    train_limit: int | None = None  # use only the first N training images
    # validate on N images drawn at random from the validation split (seeded by val_seed, the
    # same in every run); None = the whole split. CULane's val split is 9,675 images.
    val_limit: int | None = 1000
    val_seed: int = 0
    steps_per_epoch: int | None = None  # cap (tests, benchmarks); None = the whole split
    # Lane width of the rendered label in original-image px: the metric's 30 px (CULane masks
    # use 16, which is 2 px at 200x72 and learns slowly); 4 px at 200x72, 15 px at 800x288.
    label_line_width: float = 30.0
    augment: bool = True  # flip (slots 1<->4, 2<->3), small affine, brightness/contrast
    background_weight: float = 0.4
    exist_weight: float = 0.1
    device: str = "auto"  # auto (CUDA, then MPS, then CPU) | cpu | cuda | cuda:N | mps
    amp: bool = True  # mixed precision on CUDA only
    amp_dtype: str = "auto"  # auto (bfloat16 where supported, else float16) | bf16 | fp16
    threads: int | None = None  # torch CPU threads; None = torch's default
    # DataLoader worker processes; None = 0 on CPU, cores per GPU - 1 (at most 8) on CUDA
    num_workers: int | None = None
    # a prepared image cache file (`lgad-studio prepare-cache`): decoded images read from one
    # file instead of decoded per sample; bit-identical samples. None = decode every image.
    image_cache: str | None = None
    resume: str | None = None  # checkpoint to continue from (same kind and architecture)
    preview_interval_s: float = 1.0  # at most one Preview event per interval; 0 = none
    dist_timeout_min: float = 30.0  # DDP process-group timeout (validation is sharded)
    tensorboard: bool = False  # also write TensorBoard event files (needs the extra)

    # -- JSON -------------------------------------------------------------------------
    def to_json(self) -> str:
        return json.dumps({"type": type(self).__name__, **dataclasses.asdict(self)}, indent=2)

    def to_dict(self) -> dict:
        return json.loads(self.to_json())

    @classmethod
    def from_dict(cls, data: dict, *, source: str = "<config>"):
        data = dict(data)
        kind = data.pop("type", cls.__name__)
        if kind != cls.__name__:
            raise ConfigError(f"{source}: field 'type' is {kind!r}, expected {cls.__name__!r}")
        hints = typing.get_type_hints(cls)
        names = {f.name for f in fields(cls)}
        unknown = sorted(set(data) - names)
        if unknown:
            raise ConfigError(
                f"{source}: unknown field(s) {unknown}, expected some of {sorted(names)}"
            )
        values = {k: _coerce(v, hints[k]) for k, v in data.items()}
        config = cls(**values)
        config.validate(source=source)
        return config

    @classmethod
    def from_json(cls, text: str, *, source: str = "<config>"):
        try:
            data = json.loads(text)
        except json.JSONDecodeError as exc:
            raise ConfigError(f"{source}:{exc.lineno}: not JSON ({exc.msg})") from None
        if not isinstance(data, dict):
            raise ConfigError(f"{source}: expected a JSON object")
        return cls.from_dict(data, source=source)

    @classmethod
    def load(cls, path: str | Path):
        return cls.from_json(Path(path).read_text(encoding="utf-8"), source=str(path))

    def replace(self, **changes):
        return dataclasses.replace(self, **changes)

    # -- validation -------------------------------------------------------------------
    def validate(self, *, source: str = "config") -> None:
        """Raise :class:`ConfigError` naming the first field with a value the trainer rejects."""
        from lgad_studio.core.models import ARCHITECTURES

        w, h = self.input_size
        checks = [
            ("arch", self.arch in ARCHITECTURES, f"one of {sorted(ARCHITECTURES)}"),
            ("width", self.width > 0, "a positive multiplier"),
            ("input_size", w > 0 and h > 0 and w % 8 == 0 and h % 8 == 0, "W and H divisible by 8"),
            ("epochs", self.epochs >= 1, "at least 1"),
            ("batch_size", self.batch_size >= 1, "at least 1"),
            ("lr", self.lr > 0, "a positive learning rate"),
            ("optimizer", self.optimizer in ("adamw", "sgd"), "adamw or sgd"),
            (
                "scheduler",
                self.scheduler in ("poly", "cosine", "constant"),
                "poly, cosine or constant",
            ),
            ("label_line_width", self.label_line_width > 0, "a positive width in pixels"),
            (
                "num_workers",
                self.num_workers is None or self.num_workers >= 0,
                "0 or more worker processes (or null: automatic)",
            ),
            ("dist_timeout_min", self.dist_timeout_min > 0, "a positive number of minutes"),
            ("amp_dtype", self.amp_dtype in ("auto", "bf16", "fp16"), "auto, bf16 or fp16"),
            ("preview_interval_s", self.preview_interval_s >= 0, "0 (off) or more seconds"),
        ]
        for name, ok, expected in checks:
            if not ok:
                raise ConfigError(
                    f"{source}: field {name!r} is {getattr(self, name)!r}, expected {expected}"
                )


@dataclass(frozen=True)
class TeacherConfig(TrainConfig):
    """The label-map teacher: the student's architecture fed the encoded label map."""

    out: str = "runs/teacher"
    encoding: str = "onehot"  # onehot (5 ch) | lanes (4 ch) | scalar (1 ch), see teacher_input
    epochs: int = 4

    def validate(self, *, source: str = "config") -> None:
        super().validate(source=source)
        from lgad_studio.core.models.teacher_input import ENCODINGS

        if self.encoding not in ENCODINGS:
            raise ConfigError(
                f"{source}: field 'encoding' is {self.encoding!r}, expected one of {sorted(ENCODINGS)}"
            )


@dataclass(frozen=True)
class StudentConfig(TrainConfig):
    """A student: ``lgad`` (needs ``teacher``), ``sad`` or ``none`` (baseline)."""

    out: str = "runs/student"
    mode: str = "lgad"
    teacher: str | None = None  # teacher checkpoint (mode lgad)
    stages: tuple[str, ...] | None = None  # None: lgad stage1-3, sad stage1-2 (-> next stage)
    at_norm: str | None = None  # l2 | softmax; None: softmax for sad (as published), l2 for lgad
    at_p: float = 2.0
    at_weight: float = 0.1  # lambda
    # None: from step 0 for lgad, 2/3 of the epochs for sad (as published). Measured on dev
    # datasets' validation splits, paired (docs/adr/distillation.md): an LGAD student that
    # mimics the teacher from step 0 finds lanes' slots sooner and ends higher than one
    # switched on at half of the epochs.
    at_start_epoch: float | None = None
    # None: 1 epoch for lgad, 2 for sad; the linear ramp of lambda from 0 after the start
    at_ramp_epochs: float | None = None

    def resolved_stages(self) -> tuple[str, ...]:
        if self.stages is not None:
            return tuple(self.stages)
        return ("stage1", "stage2") if self.mode == "sad" else ("stage1", "stage2", "stage3")

    def resolved_norm(self) -> str:
        if self.at_norm is not None:
            return self.at_norm
        return "softmax" if self.mode == "sad" else "l2"

    def resolved_start_epoch(self) -> float:
        if self.at_start_epoch is not None:
            return self.at_start_epoch
        return self.epochs * 2 / 3 if self.mode == "sad" else 0.0

    def resolved_ramp_epochs(self) -> float:
        if self.at_ramp_epochs is not None:
            return self.at_ramp_epochs
        return 2.0 if self.mode == "sad" else 1.0

    def validate(self, *, source: str = "config") -> None:
        super().validate(source=source)
        from lgad_studio.core.losses import MODES, mimic_pairs

        if self.mode not in MODES:
            raise ConfigError(f"{source}: field 'mode' is {self.mode!r}, expected one of {MODES}")
        if self.mode == "lgad" and not self.teacher:
            raise ConfigError(
                f"{source}: field 'teacher' is empty, mode 'lgad' needs a teacher checkpoint"
            )
        if self.at_norm not in (None, "l2", "softmax"):
            raise ConfigError(
                f"{source}: field 'at_norm' is {self.at_norm!r}, expected l2 or softmax"
            )
        try:
            mimic_pairs(self.mode, self.resolved_stages())
        except ValueError as exc:
            raise ConfigError(f"{source}: field 'stages': {exc}") from None


def _coerce(value: object, hint: object) -> object:
    """JSON lists back to tuples where the field is a tuple."""
    text = str(hint)
    if isinstance(value, list) and "tuple" in text:
        return tuple(value)
    return value
