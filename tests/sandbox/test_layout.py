"""The planned layout: what replaces /tmp and /run, and what is bound back on top."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

from codex_tui.sandbox.layout import MountOp, bwrap_mount_args, plan_mounts, resolver_paths
from tests.sandbox.conftest import NAMESPACED

PRIVATE = Path("/tmp/codex-tui-tmp-x")
RUN = (Path("/run"),)


def test_a_workspace_under_tmp_is_bound_back_after_the_private_tmp() -> None:
    ws = Path("/tmp/pytest/ws")
    ops = plan_mounts(tmp=PRIVATE, tmp_writable=True, hidden=RUN, writable=(ws,), workspace=ws)
    assert ops == (
        MountOp("bind", "/tmp", str(PRIVATE)),
        MountOp("tmpfs", "/run"),
        MountOp("bind", str(ws), str(ws)),
        MountOp("remount-ro", "/run"),
    )


def test_read_only_binds_the_workspace_and_cwd_back_read_only() -> None:
    ws, cwd = Path("/tmp/ws"), Path("/run/user/1000/x")
    ops = plan_mounts(tmp=PRIVATE, tmp_writable=False, hidden=RUN, writable=(), workspace=ws,
                      visible=(cwd, ws / "sub"))  # fmt: skip
    assert MountOp("ro-bind", str(ws), str(ws)) in ops
    assert MountOp("ro-bind", str(cwd), str(cwd)) in ops
    assert MountOp("ro-bind", str(ws / "sub"), str(ws / "sub")) not in ops  # seen through ws
    assert ops[-2:] == (MountOp("remount-ro", "/tmp"), MountOp("remount-ro", "/run"))


def test_a_writable_root_inside_a_read_only_one_is_still_bound() -> None:
    ws, out = Path("/tmp/ws"), Path("/tmp/ws/out")
    ops = plan_mounts(tmp=PRIVATE, tmp_writable=True, hidden=(), writable=(out,), workspace=ws)
    kinds = [(op.kind, op.dest) for op in ops]
    assert kinds.index(("ro-bind", str(ws))) < kinds.index(("bind", str(out)))


def test_a_hidden_directory_the_person_works_in_stays() -> None:
    """Run in /tmp itself (or with /tmp a writable root): that /tmp is theirs."""
    ops = plan_mounts(tmp=PRIVATE, tmp_writable=True, hidden=RUN, writable=(Path("/tmp"),))
    assert MountOp("bind", "/tmp", str(PRIVATE)) not in ops
    assert MountOp("tmpfs", "/run") in ops
    ops = plan_mounts(tmp=PRIVATE, tmp_writable=True, hidden=RUN, writable=(),
                      workspace=Path("/"))  # fmt: skip
    assert not [op for op in ops if op.kind in ("tmpfs", "remount-ro") or op.dest == "/tmp"]


def test_the_resolver_is_bound_at_every_hop(tmp_path: Path) -> None:
    run = tmp_path / "run"
    (run / "resolve").mkdir(parents=True)
    real = run / "resolve" / "stub-resolv.conf"
    real.write_text("nameserver 127.0.0.53\n")
    (run / "hop").symlink_to(real)
    etc = tmp_path / "etc"
    etc.mkdir()
    (etc / "resolv.conf").symlink_to("../run/hop")
    paths = resolver_paths(etc / "resolv.conf")
    assert paths == ((run / "hop", real), (real, real))
    ops = plan_mounts(tmp=None, tmp_writable=False, hidden=(run,), writable=(), readable=paths)
    assert MountOp("ro-bind", str(run / "hop"), str(real)) in ops
    assert MountOp("ro-bind", str(real), str(real)) in ops
    plain = tmp_path / "plain.conf"
    plain.write_text("nameserver 1.1.1.1\n")
    assert resolver_paths(plain) == ()  # not a link: nothing to keep


def test_bwrap_arguments() -> None:
    ops = (MountOp("bind", "/tmp", "/p"), MountOp("tmpfs", "/run"), MountOp("ro-bind", "/a", "/b"),
           MountOp("remount-ro", "/tmp"))  # fmt: skip
    assert bwrap_mount_args(ops) == ["--bind", "/p", "/tmp", "--tmpfs", "/run",
                                     "--ro-bind", "/b", "/a", "--remount-ro", "/tmp"]  # fmt: skip


SHARED_MEMORY = """
import multiprocessing as mp
from multiprocessing import shared_memory
lock = mp.Lock()  # a POSIX semaphore in /dev/shm
with lock:
    block = shared_memory.SharedMemory(create=True, size=16)
    block.close(); block.unlink()
print("ok")
"""


@pytest.mark.parametrize("variant", NAMESPACED)
async def test_posix_semaphores_and_shared_memory_work(make_sandbox, variant) -> None:
    sandbox = make_sandbox("workspace-write", variant[0], namespaces=variant[1])
    result = await sandbox.run([sys.executable, "-I", "-c", SHARED_MEMORY])
    assert (result.exit_code, result.output) == (0, "ok\n")
