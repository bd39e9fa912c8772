"""SLURM's task variables map to torch's distributed variables (srun without torchrun)."""

from __future__ import annotations

import pytest

from lgad_studio.core.training.slurm import first_host, slurm_environment

JOB = {
    "SLURM_PROCID": "5", "SLURM_NTASKS": "8", "SLURM_LOCALID": "1",
    "SLURM_JOB_NODELIST": "gpu[003-004]", "SLURM_JOB_ID": "123456",
    "SLURM_NTASKS_PER_NODE": "4(x2)",
}  # fmt: skip


def test_tasks_become_ranks_on_the_first_node() -> None:
    env = slurm_environment(JOB)
    assert env == {
        "RANK": "5", "WORLD_SIZE": "8", "LOCAL_RANK": "1", "MASTER_ADDR": "gpu003",
        "MASTER_PORT": str(20000 + 123456 % 10000), "LOCAL_WORLD_SIZE": "4",
    }  # fmt: skip


def test_every_task_of_a_job_agrees_on_the_master_and_ranks_are_unique() -> None:
    envs = [
        slurm_environment({**JOB, "SLURM_PROCID": str(r), "SLURM_LOCALID": str(r % 4)})
        for r in range(8)
    ]
    assert sorted(int(e["RANK"]) for e in envs) == list(range(8))
    assert {(e["MASTER_ADDR"], e["MASTER_PORT"], e["WORLD_SIZE"]) for e in envs} == {
        ("gpu003", "23456", "8")
    }
    assert [e["LOCAL_RANK"] for e in envs] == ["0", "1", "2", "3"] * 2


def test_torchrun_inside_srun_and_single_tasks_are_left_alone() -> None:
    assert slurm_environment({**JOB, "WORLD_SIZE": "16"}) == {}
    assert slurm_environment({**JOB, "SLURM_NTASKS": "1"}) == {}
    assert slurm_environment({"PATH": "/bin"}) == {}
    assert slurm_environment({**JOB, "MASTER_PORT": "4000"})["MASTER_PORT"] == "4000"


@pytest.mark.parametrize(
    ("nodelist", "host"),
    [("node7", "node7"), ("gpu[003-005,9],cpu1", "gpu003"), ("a-b[10,12]", "a-b10"),
     ("n[1-2]", "n1"), ("x,y", "x")],
)  # fmt: skip
def test_first_host_of_a_node_list(nodelist: str, host: str) -> None:
    assert first_host(nodelist) == host


def test_env_info_reads_slurm(monkeypatch: pytest.MonkeyPatch) -> None:
    import os

    from lgad_studio.core.training.distributed import env_info

    environ = dict(JOB)
    monkeypatch.setattr(os, "environ", environ)  # env_info writes torch's variables into it
    info = env_info()
    assert (info.rank, info.local_rank, info.world_size) == (5, 1, 8)
    assert environ["MASTER_ADDR"] == "gpu003" and environ["WORLD_SIZE"] == "8"
