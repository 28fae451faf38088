"""With the network off, one session's sandboxed commands share a network namespace
that has only a loopback: a server one command starts is reached by the next, and
nothing else is (not the host's 127.0.0.1, not another session, no other address).
Each test runs under bubblewrap and under Landlock, with the real kernel."""

from __future__ import annotations

import asyncio
import json
import logging
import os
import socket
import subprocess
import sys
import tempfile
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager
from pathlib import Path

import pytest

from codex_tui.sandbox import Mechanism, Sandbox
from codex_tui.sandbox.process import kill_tree
from tests.sandbox.conftest import MECHANISMS, OUTSIDE_BASE, MakeSandbox

SERVER = """
import socket, sys
s = socket.socket()
s.bind(("127.0.0.1", 0))
s.listen(8)
print(s.getsockname()[1], flush=True)
while True:
    c, _ = s.accept()
    c.sendall(b"hello from " + sys.argv[1].encode())
    c.close()
"""

CLIENT = """
import socket, sys
try:
    s = socket.create_connection(("127.0.0.1", int(sys.argv[1])), timeout=5)
    print(s.recv(100).decode())
except OSError as e:
    print("failed:", e)
    sys.exit(1)
"""

# What a command can reach, as one JSON line: its interfaces, the host's TCP and UDP
# listeners on 127.0.0.1, an address that is not on loopback, and a name to resolve.
REACH = """
import errno, json, socket, sys
tcp, udp = int(sys.argv[1]), int(sys.argv[2])
out = {"interfaces": sorted(name for _, name in socket.if_nameindex())}
def attempt(address):
    try:
        socket.create_connection(address, timeout=5).close()
        return "connected"
    except OSError as e:
        return errno.errorcode.get(e.errno, str(e))
out["host tcp"] = attempt(("127.0.0.1", tcp))
u = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
u.sendto(b"datagram", ("127.0.0.1", udp))
out["elsewhere"] = attempt(("192.0.2.1", 80))  # TEST-NET-1: reached only through a route
try:
    socket.getaddrinfo("example.com", 80)
    out["dns"] = "resolved"
except socket.gaierror:
    out["dns"] = "unresolved"
print(json.dumps(out))
"""


@asynccontextmanager
async def serving(sandbox: Sandbox, tag: str) -> AsyncIterator[int]:
    """A server started by one sandboxed command and left running, like `exec_command`'s;
    yields its port (inside the sandbox's network)."""
    await asyncio.to_thread(sandbox.prepare)
    launch = sandbox.launch([sys.executable, "-I", "-c", SERVER, tag])
    proc = await asyncio.create_subprocess_exec(
        *launch.argv, cwd=launch.cwd, env=launch.env, stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.STDOUT, start_new_session=True,
    )  # fmt: skip
    try:
        assert proc.stdout is not None
        line = await asyncio.wait_for(proc.stdout.readline(), 60)  # a guard against a hang
        assert line.strip().isdigit(), line
        yield int(line)
    finally:
        kill_tree(proc.pid)
        await proc.wait()


async def reach(sandbox: Sandbox, port: int) -> tuple[int, str]:
    result = await sandbox.run([sys.executable, "-I", "-c", CLIENT, str(port)])
    return result.exit_code, result.output


@pytest.mark.parametrize("mech", MECHANISMS)
async def test_a_server_one_command_starts_is_reached_by_the_next(
    make_sandbox: MakeSandbox, mech
) -> None:
    session = make_sandbox("workspace-write", mech)
    other_session = make_sandbox("workspace-write", mech)
    async with serving(session, "first") as port:
        code, output = await reach(session, port)
        assert (code, output.strip()) == (0, "hello from first"), output
        # The same port in another session's namespace: nobody listens there.
        code, output = await reach(other_session, port)
        assert code == 1 and "Connection refused" in output, output
    assert session.shared_network() is not None
    assert other_session.shared_network() is not None


@pytest.fixture
def host_listeners() -> Iterator[tuple[socket.socket, socket.socket]]:
    """A TCP and a UDP socket on the host's 127.0.0.1 that sandboxed commands try to reach."""
    tcp = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    tcp.bind(("127.0.0.1", 0))
    tcp.listen(8)
    udp = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    udp.bind(("127.0.0.1", 0))
    for s in (tcp, udp):
        s.setblocking(False)
    yield tcp, udp
    tcp.close()
    udp.close()


def heard(tcp: socket.socket, udp: socket.socket) -> list[str]:
    """What reached the host's listeners (a datagram on loopback is queued by the time
    `sendto` returns, so checking after the command ended is enough)."""
    got = []
    try:
        tcp.accept()[0].close()
        got.append("tcp")
    except BlockingIOError:
        pass
    try:
        udp.recv(100)
        got.append("udp")
    except BlockingIOError:
        pass
    return got


@pytest.mark.parametrize("mech", MECHANISMS)
async def test_nothing_but_the_sessions_loopback_is_reachable(
    make_sandbox: MakeSandbox, host_listeners, mech
) -> None:
    tcp, udp = host_listeners
    ports = [str(tcp.getsockname()[1]), str(udp.getsockname()[1])]
    sandbox = make_sandbox("workspace-write", mech)
    result = await sandbox.run([sys.executable, "-I", "-c", REACH, *ports])
    assert result.exit_code == 0, result.output
    seen = json.loads(result.output)
    assert seen == {
        "interfaces": ["lo"],
        "host tcp": "ECONNREFUSED",  # the namespace's own 127.0.0.1, where nobody listens
        "elsewhere": "ENETUNREACH",  # no route out
        "dns": "unresolved",
    }, seen
    assert heard(tcp, udp) == []
    # The same probe with the network on sees the host: it can tell the difference.
    on = make_sandbox("workspace-write", mech, network_access=True)
    result = await on.run([sys.executable, "-I", "-c", REACH, *ports])
    seen = json.loads(result.output)
    assert seen["interfaces"] != ["lo"] and seen["host tcp"] == "connected", seen
    assert heard(tcp, udp) == ["tcp", "udp"]


def namespace_of(pid: int | str) -> str:
    return os.readlink(f"/proc/{pid}/ns/net")


def our_descriptors_on(namespace: str) -> int:
    fds = Path("/proc/self/fd")
    count = 0
    for fd in fds.iterdir():
        try:
            count += os.readlink(fd) == namespace
        except OSError:
            continue
    return count


def processes_in(namespace: str) -> list[int]:
    found = []
    for name in os.listdir("/proc"):
        if name.isdigit():
            try:
                if namespace_of(name) == namespace:
                    found.append(int(name))
            except OSError:
                continue
    return found


SHOW_NAMESPACE = [sys.executable, "-I", "-c", "import os; print(os.readlink('/proc/self/ns/net'))"]


@pytest.mark.parametrize("mech", MECHANISMS)
async def test_the_namespace_is_held_by_a_descriptor_not_a_process(
    make_sandbox: MakeSandbox, mech
) -> None:
    """No helper process stays behind (nothing to outlive codex-tui); the descriptor
    keeps the namespace for the next command, and `close()` lets it go."""
    sandbox = make_sandbox("workspace-write", mech)
    first = await sandbox.run(SHOW_NAMESPACE)
    namespace = first.output.strip()
    assert namespace.startswith("net:[") and namespace != namespace_of("self")
    assert processes_in(namespace) == []
    assert our_descriptors_on(namespace) >= 1
    second = await sandbox.run(SHOW_NAMESPACE)
    assert second.output.strip() == namespace
    sandbox.close()
    assert our_descriptors_on(namespace) == 0


@pytest.mark.parametrize("mech", MECHANISMS)
async def test_a_rebuilt_sandbox_keeps_the_sessions_network(
    make_sandbox: MakeSandbox, mech
) -> None:
    """A /sandbox change mid-session: a server started before stays reachable."""
    before = make_sandbox("read-only", mech)
    async with serving(before, "before") as port:
        after = make_sandbox("workspace-write", mech, previous=before)
        before.close()  # a no-op now: the successor owns the namespace
        code, output = await reach(after, port)
    assert (code, output.strip()) == (0, "hello from before"), output


@pytest.mark.parametrize("mech", MECHANISMS)
async def test_network_on_and_full_access_use_the_host_network(
    make_sandbox: MakeSandbox, mech
) -> None:
    host = namespace_of("self")
    on = make_sandbox("workspace-write", mech, network_access=True)
    full = make_sandbox("danger-full-access")
    for sandbox in (on, full):
        result = await sandbox.run(SHOW_NAMESPACE)
        assert result.output.strip() == host
        assert sandbox.shared_network() is None and not sandbox._net.made


async def test_without_nsenter_bubblewrap_falls_back_to_a_namespace_per_command(
    make_sandbox: MakeSandbox, host_listeners, monkeypatch, caplog
) -> None:
    """Joining is impossible (no nsenter): each command is cut off on its own, as
    before, and a warning says why; the host stays out of reach."""
    empty = tempfile.mkdtemp(prefix="codex-tui-path-", dir=OUTSIDE_BASE)
    monkeypatch.setenv("PATH", empty)
    sandbox = make_sandbox("workspace-write", Mechanism.BWRAP)
    with caplog.at_level(logging.WARNING, logger="codex_tui.sandbox.netns"):
        async with serving(sandbox, "alone") as port:
            code, output = await reach(sandbox, port)
    os.rmdir(empty)
    assert code == 1 and "Connection refused" in output, output
    assert "--unshare-net" in sandbox.launch(["true"]).argv
    assert "nsenter (util-linux) is not installed" in sandbox.network_problem
    assert "a network namespace of its own" in caplog.text
    tcp, udp = host_listeners
    ports = [str(tcp.getsockname()[1]), str(udp.getsockname()[1])]
    result = await sandbox.run([sys.executable, "-I", "-c", REACH, *ports])
    assert json.loads(result.output)["interfaces"] == ["lo"]
    assert heard(tcp, udp) == []


# --- as an ordinary user: the namespace lives in a user namespace of our own -------------

AS_USER = """
import asyncio, json, socket, sys
from pathlib import Path
from codex_tui.sandbox import Mechanism, Sandbox, SandboxPolicy
from codex_tui.sandbox.process import kill_tree
SERVER, CLIENT = sys.argv[2], sys.argv[3]

async def reach(sandbox, port):
    result = await sandbox.run([sys.executable, "-I", "-c", CLIENT, str(port)])
    return [result.exit_code, result.output]

async def main(workspace):
    host = socket.socket()
    host.bind(("127.0.0.1", 0))
    host.listen(8)
    host.setblocking(False)
    out = {}
    for mech in (Mechanism.BWRAP, Mechanism.LANDLOCK):
        sandbox = Sandbox(SandboxPolicy(), workspace=workspace, mechanism=mech)
        shared = sandbox.shared_network()
        launch = sandbox.launch([sys.executable, "-I", "-c", SERVER, mech.value])
        server = await asyncio.create_subprocess_exec(
            *launch.argv, cwd=launch.cwd, env=launch.env, stdout=asyncio.subprocess.PIPE,
            start_new_session=True)
        port = int(await asyncio.wait_for(server.stdout.readline(), 60))
        same = await reach(sandbox, port)
        kill_tree(server.pid)
        await server.wait()
        to_host = await reach(sandbox, host.getsockname()[1])
        sandbox.close()
        out[mech.value] = {"user": bool(shared and shared.user), "same": same,
                           "host": to_host[0], "problem": sandbox.network_problem}
    try:
        host.accept()
        out["host accepted"] = True
    except BlockingIOError:
        out["host accepted"] = False
    print(json.dumps(out))

asyncio.run(main(Path(sys.argv[1])))
"""


def as_ordinary_user() -> tuple[list[str], str]:
    """The command prefix and interpreter that run Python as a user other than root."""
    if os.geteuid() != 0:
        return [], sys.executable
    prefix = ["setpriv", "--reuid=65534", "--regid=65534", "--clear-groups"]
    check = "import sys; assert sys.version_info >= (3, 11)"
    for python in (sys.executable, "/usr/bin/python3"):
        # Through sh: setpriv starts a program the user could not reach by path itself.
        probe = [*prefix, "sh", "-c", '"$0" -c "$1"', python, check]
        done = subprocess.run(probe, capture_output=True, check=False)
        if done.returncode == 0:
            return prefix, python
    pytest.fail(
        "running as root, the test needs a Python 3.11+ that user 65534 may run "
        f"({sys.executable} is not one, nor /usr/bin/python3)",
        pytrace=False,
    )


def test_as_an_ordinary_user_both_mechanisms_share_a_namespace() -> None:
    prefix, python = as_ordinary_user()
    root = Path(__file__).resolve().parents[2]
    workspace = Path(tempfile.mkdtemp(prefix="codex-tui-user-", dir=OUTSIDE_BASE))
    try:
        if prefix:
            os.chown(workspace, 65534, 65534)
        env = {"PATH": os.environ.get("PATH", os.defpath), "HOME": str(workspace)}
        done = subprocess.run(
            [*prefix, python, "-I", "-c", f"import sys; sys.path.insert(0, {str(root)!r}); "
             + AS_USER, str(workspace), SERVER, CLIENT],
            capture_output=True, text=True, env=env, cwd=workspace, timeout=120, check=False,
        )  # fmt: skip
    finally:
        subprocess.run(["rm", "-rf", str(workspace)], check=False)
    assert done.returncode == 0, done.stderr
    out = json.loads(done.stdout)
    for mech in ("bubblewrap", "landlock"):
        seen = out[mech]
        assert seen["problem"] == "" and seen["user"], seen
        assert seen["same"] == [0, f"hello from {mech}\n"], seen
        assert seen["host"] == 1, seen
    assert out["host accepted"] is False
