"""What a run was made from: code version, packages, machine, and hashes of its image lists.

Written to ``<run>/run_info.json`` so that a result can be traced to the exact
code (git commit and whether the tree had local changes), the versions of the
packages that shape the numbers, and the data (a SHA-256 of the ordered
training and validation entry lists; the same list hashes the same anywhere).
"""

from __future__ import annotations

import hashlib
import platform
import subprocess
import sys
from importlib import metadata
from pathlib import Path

import torch

PACKAGES = ("lgad-studio", "torch", "numpy", "opencv-python-headless", "scipy", "onnxruntime")


def list_hash(entries: list[str]) -> str:
    """SHA-256 of the entries, one per line, in order."""
    digest = hashlib.sha256()
    for entry in entries:
        digest.update(entry.encode("utf-8") + b"\n")
    return digest.hexdigest()


def git_state(folder: Path | None = None) -> dict:
    """``{"commit", "dirty"}`` of the git checkout holding this package, or ``{}`` outside one."""
    folder = folder or Path(__file__).resolve().parent
    try:
        commit = subprocess.run(
            ["git", "rev-parse", "HEAD"], cwd=folder, capture_output=True, text=True, timeout=5
        )
        if commit.returncode != 0:
            return {}
        status = subprocess.run(
            ["git", "status", "--porcelain", "--untracked-files=no"],
            cwd=folder, capture_output=True, text=True, timeout=5,
        )  # fmt: skip
    except (OSError, subprocess.SubprocessError):
        return {}
    return {"commit": commit.stdout.strip(), "dirty": bool(status.stdout.strip())}


def package_versions() -> dict[str, str]:
    versions = {}
    for name in PACKAGES:
        try:
            versions[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            continue
    return versions


def run_info(
    *, train_entries: list[str], val_entries: list[str], device: torch.device, world_size: int
) -> dict:
    """The ``run_info.json`` record of a run."""
    device_name = str(device)
    if device.type == "cuda":
        device_name = torch.cuda.get_device_name(device)
    return {
        "git": git_state(),
        "packages": package_versions(),
        "python": sys.version.split()[0],
        "platform": platform.platform(),
        "device": device_name,
        "world_size": world_size,
        "train_images": len(train_entries),
        "train_list_sha256": list_hash(train_entries),
        "val_images": len(val_entries),
        "val_list_sha256": list_hash(val_entries),
    }
