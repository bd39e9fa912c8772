"""Running under SLURM's ``srun`` without ``torchrun``: SLURM's task variables mapped to torch's.

``srun --ntasks-per-node=G python -m lgad_studio distill ...`` starts one process per
task; each has ``SLURM_PROCID`` (global rank), ``SLURM_NTASKS`` (world size),
``SLURM_LOCALID`` (rank on its node) and the job's node list. torch's ``env://``
rendezvous needs ``RANK``, ``WORLD_SIZE``, ``LOCAL_RANK``, ``MASTER_ADDR`` and
``MASTER_PORT``: the master is the first node of ``SLURM_JOB_NODELIST`` and the
port is derived from the job id (so that two jobs sharing a node do not collide)
unless ``MASTER_PORT`` is set. Variables torch already has (``torchrun`` inside
``srun``) are left alone.
"""

from __future__ import annotations

import re
from collections.abc import Mapping

BASE_PORT = 20000


def first_host(nodelist: str) -> str:
    """The first host of a SLURM node list: ``gpu[003-005,9],cpu1`` -> ``gpu003``."""
    text = nodelist.strip()
    if not text:
        raise ValueError("empty SLURM node list")
    match = re.match(r"([^,\[]+)(\[([^\]]+)\])?", text)
    if match is None:
        raise ValueError(f"SLURM node list {nodelist!r} not understood")
    prefix, ranges = match.group(1), match.group(3)
    if not ranges:
        return prefix
    first = ranges.split(",")[0].split("-")[0]
    return prefix + first


def slurm_environment(environ: Mapping[str, str]) -> dict[str, str]:
    """torch's distributed variables for this SLURM task, or ``{}`` when not under ``srun``.

    Returns only the variables to add; nothing when ``WORLD_SIZE`` is already set
    or the job has a single task.
    """
    if "WORLD_SIZE" in environ or "SLURM_PROCID" not in environ:
        return {}
    ntasks = int(environ.get("SLURM_NTASKS", environ.get("SLURM_NPROCS", "1")))
    if ntasks <= 1:
        return {}
    nodelist = environ.get("SLURM_JOB_NODELIST") or environ.get("SLURM_NODELIST", "")
    env = {
        "RANK": environ["SLURM_PROCID"],
        "WORLD_SIZE": str(ntasks),
        "LOCAL_RANK": environ.get("SLURM_LOCALID", "0"),
        "MASTER_ADDR": environ.get("MASTER_ADDR") or first_host(nodelist or "localhost"),
        "MASTER_PORT": environ.get("MASTER_PORT")
        or str(BASE_PORT + int(environ.get("SLURM_JOB_ID", "0")) % 10000),
    }
    per_node = environ.get("SLURM_NTASKS_PER_NODE", "")
    count = re.match(r"\d+", per_node)
    if count:
        env["LOCAL_WORLD_SIZE"] = count.group(0)
    return env
