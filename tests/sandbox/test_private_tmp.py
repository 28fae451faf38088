"""A private /tmp per session, and no route to the host's UNIX sockets (/tmp, /run).

The escape this guards against: a command connected to the host's tmux server
socket (/tmp/tmux-0/default) and ran `tmux run-shell` outside the sandbox.
"""

from __future__ import annotations

import os
import shutil
import socket
import stat
import sys
import tempfile
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest

from codex_tui.sandbox import Mechanism, Sandbox, SandboxPolicy
from tests.sandbox.conftest import (
    NAMESPACED,
    OUTSIDE_BASE,
    VARIANTS,
    Dirs,
    MakeSandbox,
    require,
)

CLIENT = """
import socket, sys
s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
s.settimeout(3)
s.connect(sys.argv[1])
s.sendall(b"hi")
print("connected")
"""


class UnixServer:
    """A listening UNIX socket in `directory` on the host; `accepted()` says if anyone came."""

    def __init__(self, directory: Path) -> None:
        self.path = directory / "server.sock"
        self.sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        self.sock.bind(str(self.path))
        self.sock.listen(8)
        self.sock.setblocking(False)

    def accepted(self) -> bool:
        try:
            conn, _ = self.sock.accept()
        except BlockingIOError:
            return False
        conn.close()
        return True


@pytest.fixture
def host_dirs() -> Iterator[dict[str, Path]]:
    """A directory in the host's /tmp, and one in /var/tmp standing in for /run.

    (Tests do not put sockets in the real /run; they hide the stand-in as /run is
    hidden, and check separately that the real /run is empty inside.)
    """
    made = {
        "tmp": Path(tempfile.mkdtemp(prefix="codex-tui-sock-", dir="/tmp")),
        "run": Path(tempfile.mkdtemp(prefix="codex-tui-run-", dir=OUTSIDE_BASE)),
        "tmpdir": Path(tempfile.mkdtemp(prefix="codex-tui-tmpdir-", dir=OUTSIDE_BASE)),
    }
    yield made
    for path in made.values():
        shutil.rmtree(path, ignore_errors=True)


def sandbox_for(make_sandbox: MakeSandbox, variant, **kw) -> Sandbox:
    mech, namespaces = variant
    return make_sandbox("workspace-write", mech, namespaces=namespaces, **kw)


@pytest.mark.parametrize("network", [False, True], ids=["network-off", "network-on"])
@pytest.mark.parametrize("where", ["tmp", "run", "tmpdir"])
@pytest.mark.parametrize("variant", VARIANTS)
async def test_host_unix_sockets_are_out_of_reach(
    make_sandbox, host_dirs, variant, where, network
) -> None:
    """In the host's /tmp (tmux), /run (docker, dbus) and $TMPDIR (ssh-agent)."""
    server = UnixServer(host_dirs[where])
    kw: dict = {"network_access": network}
    if where == "run":
        kw["hidden_dirs"] = (Path("/run"), host_dirs["run"])
    if where == "tmpdir":
        kw["base_env"] = {**os.environ, "TMPDIR": str(host_dirs["tmpdir"])}
    sandbox = sandbox_for(make_sandbox, variant, **kw)
    result = await sandbox.run([sys.executable, "-I", "-c", CLIENT, str(server.path)])
    assert "connected" not in result.output and result.exit_code != 0, result.output
    assert not server.accepted()


@pytest.mark.parametrize("variant", NAMESPACED)
async def test_run_is_empty_inside(make_sandbox, variant) -> None:
    result = await sandbox_for(make_sandbox, variant).run(["ls", "-A", "/run", "/var/run"])
    assert result.exit_code == 0, result.output
    assert result.output.split() == ["/run:", "/var/run:"]


@pytest.mark.parametrize("variant", VARIANTS)
async def test_tmp_is_private_and_kept_for_the_session(make_sandbox, variant) -> None:
    name = f"codex-tui-private-{uuid.uuid4().hex}"
    sandbox = sandbox_for(make_sandbox, variant)
    first = await sandbox.run(["sh", "-c", f'echo kept > "$TMPDIR/{name}"'])
    assert first.exit_code == 0, first.output
    assert not (Path("/tmp") / name).exists()
    assert not (Path(tempfile.gettempdir()) / name).exists()
    second = await sandbox.run(["sh", "-c", f'cat "$TMPDIR/{name}"'])
    assert (second.exit_code, second.output) == (0, "kept\n")


@pytest.mark.parametrize("variant", NAMESPACED)
async def test_tmpdir_is_slash_tmp_and_writable(make_sandbox, variant) -> None:
    name = f"codex-tui-slash-tmp-{uuid.uuid4().hex}"
    sandbox = sandbox_for(make_sandbox, variant)
    try:
        result = await sandbox.run(["sh", "-c", f'echo "$TMPDIR"; echo x > /tmp/{name}; ls /tmp'])
        assert not (Path("/tmp") / name).exists()
    finally:
        (Path("/tmp") / name).unlink(missing_ok=True)
    assert result.exit_code == 0, result.output
    lines = result.output.split()
    assert lines[0] == "/tmp" and name in lines[1:]


async def test_rules_only_tmpdir_is_a_private_directory(make_sandbox) -> None:
    host_file = Path("/tmp") / f"codex-tui-rules-{uuid.uuid4().hex}"
    sandbox = sandbox_for(make_sandbox, (Mechanism.LANDLOCK, "none"))
    try:
        result = await sandbox.run(["sh", "-c", f'echo "$TMPDIR"; echo x > {host_file}'])
        assert not host_file.exists()  # /tmp itself stays read-only
    finally:
        host_file.unlink(missing_ok=True)
    tmpdir = Path(result.output.splitlines()[0])
    assert tmpdir != Path("/tmp") and tmpdir == sandbox.private_tmp_dir
    assert "Permission denied" in result.output


@pytest.mark.parametrize("variant", VARIANTS)
async def test_exclude_slash_tmp_makes_the_private_tmp_read_only(make_sandbox, variant) -> None:
    name = f"codex-tui-ro-tmp-{uuid.uuid4().hex}"
    sandbox = sandbox_for(make_sandbox, variant, exclude_slash_tmp=True)
    result = await sandbox.run(["sh", "-c", f'echo x > "$TMPDIR/{name}" || echo x > /tmp/{name}'])
    assert result.exit_code != 0, result.output
    assert not (Path("/tmp") / name).exists()
    assert not any((sandbox.private_tmp_dir or Path("/nonexistent")).glob(name))


SERVER_AND_CLIENT = """
import multiprocessing as mp, os, socket, sys, threading

def serve(path):
    srv = socket.socket(socket.AF_UNIX); srv.bind(path); srv.listen(1)
    def one():
        conn, _ = srv.accept(); conn.sendall(conn.recv(10).upper()); conn.close()
    threading.Thread(target=one).start()
    cli = socket.socket(socket.AF_UNIX); cli.connect(path); cli.sendall(b"ok")
    return cli.recv(10).decode()

if __name__ == "__main__":
    manager = mp.Manager()  # a server process reached over an AF_UNIX socket in $TMPDIR
    shared = manager.dict(a=1)
    print("manager", dict(shared), serve(os.path.join(os.environ["TMPDIR"], "t.sock")),
          serve(os.path.join(sys.argv[1], "w.sock")))
    manager.shutdown()
"""


@pytest.mark.parametrize("variant", NAMESPACED)
async def test_unix_sockets_inside_the_sandbox_still_work(make_sandbox, dirs, variant) -> None:
    sandbox = sandbox_for(make_sandbox, variant)
    argv = [sys.executable, "-I", "-c", SERVER_AND_CLIENT, str(dirs.workspace / "src")]
    result = await sandbox.run(argv, timeout_ms=20_000)
    assert result.exit_code == 0, result.output
    assert result.output == "manager {'a': 1} OK OK\n"


SOCKET_CALLS = """
import errno, socket
out = []
try:
    socket.socket(socket.AF_UNIX, socket.SOCK_STREAM).close(); out.append("socket:ok")
except OSError as e:
    out.append("socket:" + errno.errorcode[e.errno])
a, b = socket.socketpair(); a.sendall(b"x"); out.append("socketpair:" + b.recv(1).decode())
print(" ".join(out))
"""


@pytest.mark.parametrize("network", [False, True], ids=["network-off", "network-on"])
async def test_rules_only_refuses_unix_sockets_but_not_socketpair(make_sandbox, network) -> None:
    sandbox = sandbox_for(make_sandbox, (Mechanism.LANDLOCK, "none"), network_access=network)
    result = await sandbox.run([sys.executable, "-I", "-c", SOCKET_CALLS])
    assert result.output.split() == ["socket:EPERM", "socketpair:x"], result.output


@pytest.mark.parametrize("variant", VARIANTS)
async def test_writable_root_under_tmp_is_still_writable(make_sandbox, tmp_path, variant) -> None:
    extra = tmp_path / "extra"  # under the host's /tmp, like every tmp_path
    extra.mkdir()
    sandbox = sandbox_for(make_sandbox, variant, writable_roots=(str(extra),))
    result = await sandbox.run(["sh", "-c", f"echo x > {extra}/made && ls {extra}"])
    assert (result.exit_code, result.output) == (0, "made\n")
    assert (extra / "made").read_text() == "x\n"


@pytest.mark.parametrize("variant", VARIANTS)
async def test_a_read_only_workspace_under_tmp_is_visible(make_sandbox, dirs, variant) -> None:
    sandbox = make_sandbox("read-only", variant[0], namespaces=variant[1])
    result = await sandbox.run(["cat", "app.py"], cwd=dirs.workspace / "src")
    assert (result.exit_code, result.output) == (0, "print('hi')\n")


async def test_close_removes_the_directory_and_a_successor_keeps_it(dirs: Dirs) -> None:
    require(Mechanism.BWRAP)
    first = Sandbox(SandboxPolicy(), workspace=dirs.workspace, mechanism=Mechanism.BWRAP)
    assert first.private_tmp_dir is None  # made on first use
    await first.run(["sh", "-c", "echo survives > /tmp/note"])
    private = first.private_tmp_dir
    assert private is not None and stat.S_IMODE(os.stat(private).st_mode) == 0o700
    second = Sandbox(
        SandboxPolicy("read-only"), workspace=dirs.workspace, mechanism=Mechanism.LANDLOCK,
        previous=first,
    )  # fmt: skip
    first.close()  # the successor owns the directory now
    assert private.is_dir()
    result = await second.run(["cat", "/tmp/note"])
    assert (result.exit_code, result.output) == (0, "survives\n")
    second.close()
    second.close()
    assert not private.exists()


def test_directories_left_by_a_killed_owner_are_swept(tmp_path: Path, monkeypatch) -> None:
    from codex_tui.sandbox import tmpdir

    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))
    monkeypatch.setattr(tmpdir, "_swept", True)  # no sweep on first use: this test does it
    orphan = Path(tempfile.mkdtemp(prefix=tmpdir.PREFIX))  # nobody holds its lock
    (orphan / "left").write_text("x")
    alive = tmpdir.PrivateTmp()
    held = alive.ensure()
    try:
        assert tmpdir.sweep_stale(tmp_path) == 0  # both are too young to judge
        monkeypatch.setattr(tmpdir, "_STALE_AFTER_S", -1.0)  # ctime cannot be set back
        assert tmpdir.sweep_stale(tmp_path) == 1
        assert not orphan.exists() and held.is_dir()  # the live one is locked
    finally:
        alive.close()
    assert not held.exists()
