"""Escape attempts, each under bubblewrap and under the Landlock fallback.

workspace-write: every attempt fails (reading outside is allowed).
read-only: every write fails, inside the workspace too.
danger-full-access: the attempts succeed, which shows the checks can fail.
"""

from __future__ import annotations

import os
import socket
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from codex_tui.sandbox import Mechanism
from tests.sandbox.conftest import MECHANISMS, VARIANTS, Dirs, MakeSandbox

# name -> shell script run in the workspace; {out} is the outside directory.
ATTEMPTS = {
    "write outside": "echo pwned > {out}/new.txt",
    "write through a symlink": "ln -s {out} link && echo pwned > link/via-link.txt",
    "write into .git": "echo pwned >> .git/config",
    "add a git hook": "echo pwned > .git/hooks/pre-commit",
    "hard-link .git/config out": "ln .git/config src/cfg && echo pwned >> src/cfg",
    "delete outside": "rm {out}/victim.txt",
    "unmount .git": "umount .git 2>/dev/null; echo pwned >> .git/config",
}


def escaped(name: str, dirs: Dirs) -> bool:
    """Did the attempt change anything it should not have?"""
    out, ws = dirs.outside, dirs.workspace
    return {
        "write outside": (out / "new.txt").exists(),
        "write through a symlink": (out / "via-link.txt").exists(),
        "write into .git": "pwned" in (ws / ".git/config").read_text(),
        "add a git hook": (ws / ".git/hooks/pre-commit").exists(),
        "hard-link .git/config out": "pwned" in (ws / ".git/config").read_text(),
        "delete outside": not (out / "victim.txt").exists(),
        "unmount .git": "pwned" in (ws / ".git/config").read_text(),
    }[name]


async def attempt(make_sandbox: MakeSandbox, dirs: Dirs, mode: str, variant, name: str):
    mech, namespaces = variant
    sandbox = make_sandbox(mode, mech, namespaces=namespaces)
    script = ATTEMPTS[name].format(out=dirs.outside)
    return await sandbox.run(["sh", "-c", script])


@pytest.mark.parametrize("name", ATTEMPTS)
@pytest.mark.parametrize("variant", VARIANTS)
async def test_workspace_write_blocks(make_sandbox, dirs, variant, name) -> None:
    result = await attempt(make_sandbox, dirs, "workspace-write", variant, name)
    assert result.sandboxed and result.mechanism is variant[0]
    assert not escaped(name, dirs), result.output
    assert result.exit_code != 0, result.output


@pytest.mark.parametrize("name", ATTEMPTS)
async def test_danger_full_access_allows(make_sandbox, dirs, name) -> None:
    result = await attempt(make_sandbox, dirs, "danger-full-access", (None, "auto"), name)
    assert not result.sandboxed and result.mechanism is Mechanism.NONE
    assert escaped(name, dirs), result.output


@pytest.mark.parametrize("mech", MECHANISMS)
async def test_reading_outside_is_allowed(make_sandbox, dirs, mech) -> None:
    sandbox = make_sandbox("workspace-write", mech)
    result = await sandbox.run(["cat", str(dirs.outside / "victim.txt")])
    assert (result.exit_code, result.output) == (0, "precious\n")


@pytest.mark.parametrize("mech", MECHANISMS)
async def test_workspace_is_writable(make_sandbox, dirs, mech) -> None:
    sandbox = make_sandbox("workspace-write", mech)
    script = "echo new > top.txt && mkdir -p build/x && echo o > build/x/o && rm src/app.py"
    result = await sandbox.run(["sh", "-c", script])
    assert result.exit_code == 0, result.output
    assert (dirs.workspace / "top.txt").read_text() == "new\n"
    assert (dirs.workspace / "build/x/o").exists()
    assert not (dirs.workspace / "src/app.py").exists()


WRITES = {
    "in the workspace": "echo x > inside.txt",
    "modify a workspace file": "echo x >> src/app.py",
    "mkdir in the workspace": "mkdir newdir",
    "outside": "echo x > {out}/new.txt",
    "/tmp": "echo x > /tmp/codex-tui-read-only-probe-{pid}",
}


@pytest.mark.parametrize("name", WRITES)
@pytest.mark.parametrize("variant", VARIANTS)
async def test_read_only_blocks_every_write(make_sandbox, dirs, variant, name) -> None:
    before = (dirs.workspace / "src/app.py").read_text()
    sandbox = make_sandbox("read-only", variant[0], namespaces=variant[1])
    script = WRITES[name].format(out=dirs.outside, pid=os.getpid())
    result = await sandbox.run(["sh", "-c", script])
    assert result.exit_code != 0, result.output
    assert not (dirs.workspace / "inside.txt").exists()
    assert not (dirs.workspace / "newdir").exists()
    assert (dirs.workspace / "src/app.py").read_text() == before
    assert not (dirs.outside / "new.txt").exists()
    assert not Path(f"/tmp/codex-tui-read-only-probe-{os.getpid()}").exists()


# --- network -------------------------------------------------------------------------


@pytest.fixture
def listener() -> Iterator[socket.socket]:
    """A TCP server on 127.0.0.1 that the sandboxed command tries to reach."""
    server = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    server.bind(("127.0.0.1", 0))
    server.listen(8)
    server.setblocking(False)
    yield server
    server.close()


def accepted(server: socket.socket) -> bool:
    try:
        conn, _ = server.accept()
    except BlockingIOError:
        return False
    conn.close()
    return True


def connect_argv(port: int) -> list[str]:
    code = (
        f"import socket; s = socket.create_connection(('127.0.0.1', {port}), timeout=3); "
        "s.sendall(b'hi'); print('connected')"
    )
    return [sys.executable, "-I", "-c", code]


@pytest.mark.parametrize("mech", MECHANISMS)
async def test_network_off_cannot_connect(make_sandbox, listener, mech) -> None:
    sandbox = make_sandbox("workspace-write", mech)
    result = await sandbox.run(connect_argv(listener.getsockname()[1]))
    assert result.exit_code != 0
    assert "connected" not in result.output
    assert not accepted(listener)


@pytest.mark.parametrize("mech", MECHANISMS)
async def test_network_on_can_connect(make_sandbox, listener, mech) -> None:
    sandbox = make_sandbox("workspace-write", mech, network_access=True)
    result = await sandbox.run(connect_argv(listener.getsockname()[1]))
    assert result.exit_code == 0, result.output
    assert accepted(listener)


async def test_network_full_access_can_connect(make_sandbox, listener) -> None:
    result = await make_sandbox("danger-full-access").run(connect_argv(listener.getsockname()[1]))
    assert result.exit_code == 0, result.output
    assert accepted(listener)


SOCKET_PROBE = """
import ctypes, errno, socket
out = []
for fam, kind in ((socket.AF_UNIX, socket.SOCK_STREAM), (socket.AF_INET, socket.SOCK_DGRAM),
                  (socket.AF_INET6, socket.SOCK_STREAM), (socket.AF_NETLINK, socket.SOCK_RAW),
                  (40, socket.SOCK_STREAM)):  # AF_VSOCK: in no network namespace
    try:
        socket.socket(fam, kind).close(); out.append("ok")
    except OSError as e:
        out.append(errno.errorcode[e.errno])
libc = ctypes.CDLL(None, use_errno=True)
params = ctypes.create_string_buffer(120)
r = libc.syscall(425, 8, params)  # io_uring_setup
out.append("ok" if r >= 0 else errno.errorcode[ctypes.get_errno()])
print(" ".join(out))
"""


async def test_landlock_seccomp_denies_network_sockets_but_not_unix(make_sandbox) -> None:
    """In the session's network namespace (only `lo`), Internet and netlink sockets work;
    vsock, which no namespace holds, and io_uring stay refused."""
    sandbox = make_sandbox("workspace-write", Mechanism.LANDLOCK)
    result = await sandbox.run([sys.executable, "-I", "-c", SOCKET_PROBE])
    assert sandbox.shared_network() is not None, sandbox.network_problem
    assert result.output.split() == ["ok", "ok", "ok", "ok", "EPERM", "EPERM"], result.output


async def test_landlock_seccomp_without_the_session_namespace_denies_all_but_unix(
    make_sandbox,
) -> None:
    """Without namespaces (rules alone) no network socket at all; AF_UNIX is refused too
    there, the host's socket files being in reach (see test_private_tmp)."""
    sandbox = make_sandbox("workspace-write", Mechanism.LANDLOCK, namespaces="none")
    result = await sandbox.run([sys.executable, "-I", "-c", SOCKET_PROBE])
    assert sandbox.shared_network() is None
    assert result.output.split() == ["EPERM"] * 6, result.output


async def test_landlock_without_mount_namespace_still_writes_below_the_top(make_sandbox, dirs):
    """The price of rules-only `.git` protection: the top level gets no new entries."""
    sandbox = make_sandbox("workspace-write", Mechanism.LANDLOCK, namespaces="none")
    ok = await sandbox.run(
        ["sh", "-c", "echo x >> src/app.py && mkdir src/new && echo y > src/new/f"]
    )
    assert ok.exit_code == 0, ok.output
    top = await sandbox.run(["sh", "-c", "echo x > new-top-level.txt"])
    assert top.exit_code != 0 and "Permission denied" in top.output


@pytest.mark.parametrize("variant", VARIANTS)
async def test_a_writable_root_inside_the_workspace_cannot_be_redirected(
    make_sandbox, dirs, variant
) -> None:
    """A configured root below the workspace is the sandbox's to replace: turned into
    a symlink by one command, it must not make the next one's roots reach outside."""
    (dirs.workspace / "sub" / "out").mkdir(parents=True)
    sandbox = make_sandbox(
        "workspace-write", variant[0], namespaces=variant[1], writable_roots=("sub/out",)
    )
    first = await sandbox.run(
        ["sh", "-c", f"mv sub sub2 && mkdir sub && ln -s {dirs.outside} sub/out"],
        cwd=dirs.workspace / "src" if variant[1] == "none" else None,
    )
    second = await sandbox.run(["sh", "-c", f"echo pwned > {dirs.outside}/new.txt"])
    assert not (dirs.outside / "new.txt").exists(), (first.output, second.output)
    assert second.exit_code != 0
