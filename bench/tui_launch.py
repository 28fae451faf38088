"""Start-up of the full-screen app in a real terminal (tmux), and where the time goes.

`launch_times` starts `codex-tui` in a tmux window and polls `tmux capture-pane`
until the composer's placeholder is drawn (first frame), then types a marker with
`tmux send-keys` and polls until the marker is drawn in the composer (accepts input).
`import_breakdown` reads `python -X importtime` for the modules the app imports.

Codex CLI's own TUI is launched the same way, interleaved with ours, when its binary
is found ($CODEX_BIN, or `codex` on PATH; `npm install @openai/codex` in a scratch
folder provides one). npm's `codex` is a node script that starts the native binary;
the native binary next to it is what is timed.
"""

from __future__ import annotations

import glob
import os
import shutil
import statistics
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

PLACEHOLDER = "Ask for a change"
CODEX_PLACEHOLDER = "Ask Codex to do anything"
MARKER = "zq7xk"
COLUMNS, ROWS = 160, 45
POLL_S = 0.002
TIMEOUT_S = 20.0
CONFIG = "model: gpt-5-codex\nmodel_provider: openai\n"
# A closed port: the app never sends a request unless Enter is pressed.
ENV = {"OPENAI_API_KEY": "dummy", "OPENAI_BASE_URL": "http://127.0.0.1:9/v1"}


@dataclass
class Launch:
    first_frame_s: float  # spawn -> placeholder visible
    accepts_input_s: float  # spawn -> typed marker visible in the composer


def console_script() -> str:
    """The installed `codex-tui` next to this interpreter (not a pyenv shim, which
    adds ~60 ms of bash before Python starts)."""
    beside = Path(sys.executable).parent / "codex-tui"
    if beside.exists():
        return str(beside)
    found = shutil.which("codex-tui")
    if not found:
        raise RuntimeError("codex-tui is not installed (pip install -e .)")
    return found


class Scratch:
    """A temporary git repository, fresh homes and the environment the app runs in.

    With `bytecode` (the default) compiled modules are cached under the scratch
    folder, as in any installation; without it nothing is cached and every start
    compiles codex-tui from source (PYTHONDONTWRITEBYTECODE=1, as in this project's
    development environment)."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self.repo = root / "repo"
        self.repo.mkdir()
        (self.repo / "README.md").write_text("# scratch\n")
        git = ["git", "-c", "user.email=bench@example.com", "-c", "user.name=bench"]
        subprocess.run(["git", "init", "-q"], cwd=self.repo, check=True)
        subprocess.run([*git, "add", "."], cwd=self.repo, check=True)
        subprocess.run([*git, "commit", "-qm", "init"], cwd=self.repo, check=True)
        self._homes = 0

    def env(self, bytecode: bool = True) -> dict[str, str]:
        env = {**os.environ, **ENV}
        env.pop("PYTHONDONTWRITEBYTECODE", None)
        env.pop("PYTHONPYCACHEPREFIX", None)
        if bytecode:
            env["PYTHONPYCACHEPREFIX"] = str(self.root / "pycache")
        else:
            env["PYTHONDONTWRITEBYTECODE"] = "1"
        return env

    def new_home(self) -> Path:
        """A fresh CODEX_TUI_HOME holding only a config file."""
        self._homes += 1
        home = self.root / f"home{self._homes}"
        home.mkdir()
        (home / "config.yaml").write_text(CONFIG)
        return home


class Tmux:
    """A private tmux server (its own socket), so the person's sessions are untouched.
    Windows inherit the environment the server was started with."""

    servers = 0

    def __init__(self, env: dict[str, str]) -> None:
        Tmux.servers += 1
        socket = f"bench-tui-{os.getpid()}-{Tmux.servers}"
        self.base = ["tmux", "-L", socket, "-f", "/dev/null"]
        self.env = env
        size = ["-x", str(COLUMNS), "-y", str(ROWS)]
        self.run("new-session", "-d", "-s", "bench", *size, "sleep 3600")

    def run(self, *args: str) -> str:
        done = subprocess.run(
            [*self.base, *args], capture_output=True, text=True, check=False, env=self.env
        )
        if done.returncode != 0:
            raise RuntimeError(f"tmux {args[0]}: {done.stderr.strip()}")
        return done.stdout

    def capture(self, pane: str) -> str:
        done = subprocess.run(
            [*self.base, "capture-pane", "-p", "-t", pane],
            capture_output=True,
            text=True,
            env=self.env,
        )
        return done.stdout if done.returncode == 0 else ""

    def close(self) -> None:
        subprocess.run([*self.base, "kill-server"], capture_output=True, check=False)


def wait_for(tmux: Tmux, pane: str, predicate, what: str) -> float:
    deadline = time.perf_counter() + TIMEOUT_S
    while True:
        screen = tmux.capture(pane)
        now = time.perf_counter()
        if predicate(screen):
            return now
        if now > deadline:
            raise RuntimeError(f"codex-tui never showed {what}; screen:\n{screen}")
        time.sleep(POLL_S)


def in_composer(screen: str) -> bool:
    # The composer is the bordered box at the bottom, above the status line.
    return any(MARKER in line for line in screen.splitlines()[-6:])


def launch_once(
    tmux: Tmux,
    scratch: Scratch,
    command: str | None = None,
    placeholder: str = PLACEHOLDER,
    env: dict[str, str] | None = None,
    home: Path | None = None,
) -> Launch:
    """One launch, in `home` (a fresh one if not given)."""
    home = home or scratch.new_home()
    extra = [arg for key, value in (env or {}).items() for arg in ("-e", f"{key}={value}")]
    started = time.perf_counter()
    pane = tmux.run(
        "new-window",
        "-d",
        "-P",
        "-F",
        "#{pane_id}",
        "-c",
        str(scratch.repo),
        "-e",
        f"CODEX_TUI_HOME={home}",
        *extra,
        command or console_script(),
    ).strip()
    try:
        shown = wait_for(tmux, pane, lambda s: placeholder in s, "the composer")
        tmux.run("send-keys", "-t", pane, "-l", MARKER)
        ready = wait_for(tmux, pane, in_composer, "the typed marker")
    finally:
        tmux.run("kill-window", "-t", pane)
    return Launch(shown - started, ready - started)


def codex_cli_binary() -> str | None:
    """Codex CLI's native binary, if one is installed (see the module docstring)."""
    found = os.environ.get("CODEX_BIN") or shutil.which("codex")
    if not found:
        return None
    path = Path(found).resolve()
    with path.open("rb") as file:
        if file.read(2) != b"#!":
            return str(path)
    # npm's wrapper: node_modules/@openai/codex/bin/codex.js; the binary ships in a
    # per-platform package beside it.
    scope = path.parents[2]
    native = sorted(glob.glob(str(scope / "codex-*" / "vendor" / "*" / "bin" / "codex")))
    return native[0] if native else str(path)


class CodexCli:
    """Launches Codex CLI's TUI in the scratch repository, marked trusted so it opens
    straight on its composer; in one CODEX_HOME used by every launch, as a person's
    is (see launch_times)."""

    def __init__(self, binary: str, scratch: Scratch) -> None:
        self.binary = binary
        self.scratch = scratch
        self.home = scratch.root / "codex-home"
        self.home.mkdir()
        (self.home / "config.toml").write_text(
            f'model = "gpt-5-codex"\n[projects."{self.scratch.repo}"]\ntrust_level = "trusted"\n'
        )

    def version(self) -> str:
        done = subprocess.run([self.binary, "--version"], capture_output=True, text=True)
        return done.stdout.strip()

    def launch(self, tmux: Tmux) -> Launch:
        extra = {"CODEX_HOME": str(self.home)}
        return launch_once(tmux, self.scratch, self.binary, CODEX_PLACEHOLDER, extra)


@dataclass
class LaunchRuns:
    cached: list[Launch]
    uncached: list[Launch]
    codex_cli: list[Launch]  # empty without a Codex CLI binary
    first_start: list[Launch]  # bytecode cached, each in a home never started in


def launch_times(
    scratch: Scratch, runs: int, uncached: int, codex: CodexCli | None = None
) -> LaunchRuns:
    """`runs` launches with bytecode cached, `uncached` without, `runs` of Codex CLI
    (if given) and `runs` first starts, interleaved so all see the machine in the
    same state. Each tool starts in one home that earlier launches used, as a
    person's is every day (ours keeps its parse caches there, Codex CLI what it
    keeps); the first starts get a fresh home each."""
    cached_tmux, plain_tmux = Tmux(scratch.env(True)), Tmux(scratch.env(False))
    home = scratch.new_home()
    try:
        # Warm the page cache, the bytecode cache and each tool's home.
        launch_once(cached_tmux, scratch, home=home)
        launch_once(plain_tmux, scratch, home=home)
        if codex is not None:
            codex.launch(cached_tmux)
        result = LaunchRuns([], [], [], [])
        for index in range(max(runs, uncached)):
            if index < runs:
                result.cached.append(launch_once(cached_tmux, scratch, home=home))
                if codex is not None:
                    result.codex_cli.append(codex.launch(cached_tmux))
                result.first_start.append(launch_once(cached_tmux, scratch))
            if index < uncached:
                result.uncached.append(launch_once(plain_tmux, scratch, home=home))
        return result
    finally:
        cached_tmux.close()
        plain_tmux.close()


def floor_times(scratch: Scratch, runs: int) -> list[Launch]:
    """Start-up of `tui_floor.py` (a bare Textual app with a text area), bytecode cached."""
    command = f"{sys.executable} {Path(__file__).resolve().parent / 'tui_floor.py'}"
    tmux = Tmux(scratch.env(True))
    try:
        launch_once(tmux, scratch, command)  # warms the caches
        return [launch_once(tmux, scratch, command) for _ in range(runs)]
    finally:
        tmux.close()


def tmux_overhead_s(scratch: Scratch, runs: int = 7) -> float:
    """What `new-window` + polling `capture-pane` cost with a trivial program."""
    tmux = Tmux(scratch.env())
    try:
        samples = []
        for _ in range(runs):
            started = time.perf_counter()
            pane = tmux.run("new-window", "-d", "-P", "-F", "#{pane_id}", "echo ready; sleep 5")
            pane = pane.strip()
            samples.append(wait_for(tmux, pane, lambda s: "ready" in s, "ready") - started)
            tmux.run("kill-window", "-t", pane)
        return statistics.median(samples)
    finally:
        tmux.close()


# -- where the time goes ------------------------------------------------------


def wall_s(scratch: Scratch, code: str, runs: int = 7) -> float:
    """Median wall time of `python -c code` in the scratch repository."""
    samples = []
    for _ in range(runs):
        started = time.perf_counter()
        subprocess.run(
            [sys.executable, "-c", code], check=True, cwd=scratch.repo, env=scratch.env()
        )
        samples.append(time.perf_counter() - started)
    return statistics.median(samples)


def interpreter_s(scratch: Scratch) -> float:
    """A bare interpreter start (site included)."""
    return wall_s(scratch, "pass")


def import_wall_s(scratch: Scratch) -> float:
    """Interpreter + importing what the console script and the app need, with collection
    paused as `codex-tui` does; the process then exits at once (os._exit), as tearing
    down a few thousand modules is no part of starting up."""
    return wall_s(
        scratch,
        "import gc; gc.disable(); import os, codex_tui.cli, codex_tui.config,"
        " codex_tui.ui.launch, codex_tui.ui.app; os._exit(0)",
    )


FIRST_FRAME = "--first-frame--"

# Builds the app the way `codex-tui` does and runs it headless until its first
# frame is composited; a line on stderr marks that moment in the importtime log.
PROBE = f"""
import asyncio, os
from pathlib import Path
from codex_tui.cli import main as _cli  # the console script's own import
from codex_tui.config import load_config
from codex_tui.ui.app import CodexApp, Launch

app = CodexApp(Launch(load_config().config, Path.cwd()))
display = app._display

def first(screen, renderable):
    display(screen, renderable)
    if renderable is not None and not getattr(app, "_bench_seen", False):
        app._bench_seen = True
        os.write(2, b"{FIRST_FRAME}\\n")
        app.exit()

app._display = first
asyncio.run(app.run_async(headless=True, size=({COLUMNS}, {ROWS})))
"""


@dataclass
class Imports:
    total_us: int  # cumulative time of every module imported before the first frame
    by_package: dict[str, int]  # self time per top-level package


def parse_importtime(stderr: str) -> list[tuple[int, str, int, int]]:
    """(depth, module, self µs, cumulative µs) rows, up to the first-frame mark."""
    rows = []
    for line in stderr.splitlines():
        if line.startswith(FIRST_FRAME):
            break
        if not line.startswith("import time:"):
            continue
        self_us, cumulative, name = line.split(":", 1)[1].split("|")
        if not self_us.strip().isdigit():
            continue  # the header
        depth = (len(name) - len(name.lstrip(" ")) - 1) // 2
        rows.append((depth, name.strip(), int(self_us), int(cumulative)))
    return rows


def import_breakdown(scratch: Scratch) -> Imports:
    """Imports done before the app's first frame, beyond what `python -c pass` imports."""
    env = {**scratch.env(), "CODEX_TUI_HOME": str(scratch.new_home())}

    def rows(code: str) -> list[tuple[int, str, int, int]]:
        done = subprocess.run(
            [sys.executable, "-X", "importtime", "-c", code],
            capture_output=True,
            text=True,
            cwd=scratch.repo,
            env=env,
            timeout=60,
        )
        if FIRST_FRAME not in done.stderr and code != "pass":
            raise RuntimeError(f"import probe failed: {done.stderr[-800:]}")
        return parse_importtime(done.stderr)

    at_startup = {name for _, name, _, _ in rows("pass")}
    rows(PROBE)  # fills the bytecode cache if it is cold
    app_rows = [r for r in rows(PROBE) if r[1] not in at_startup]
    total = sum(cumulative for depth, _, _, cumulative in app_rows if depth == 0)
    by_package: dict[str, int] = {}
    for _, name, self_us, _ in app_rows:
        package = name.split(".", 1)[0]
        by_package[package] = by_package.get(package, 0) + self_us
    return Imports(total, dict(sorted(by_package.items(), key=lambda kv: -kv[1])))
