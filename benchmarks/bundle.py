"""Size and start time of the Linux download that packaging/build.sh writes.

Prints the archive's size, the bundle's largest packages, and how soon the window is up from the unpacked
bundle, beside the virtualenv's ``meeting-companion``.

Start time is from launching the program until ``xdotool`` finds its visible "Meeting Companion" window on
a private Xvfb display with trayer as tray host; each run gets a fresh HOME (no settings, no cache), so it
is the app's cold start (the system's file cache is as the build left it). The last line is exactly
``archive_mb=X bundle_start_s=Y venv_start_s=Z``. Targets: archive <= 700 MB, bundle start <= 3 s;
exits 1 when one is missed.

    .venv/bin/python benchmarks/bundle.py [--archive dist/meeting-companion-*.tar.xz] [--runs 3]
"""

from __future__ import annotations

import argparse
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import report

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "tests" / "bundle"))  # the display helper the bundle's smoke test uses too
from desktop import tray_display, window_ids  # noqa: E402

BUNDLE = REPO / "dist" / "meeting-companion"
ARCHIVE_TARGET_MB = 700.0
START_TARGET_S = 3.0
TITLE = "^Meeting Companion$"


def folder_mb(path: Path) -> float:
    """Size of a file or folder in MB; links are not counted (the archive holds them as links)."""
    files = [path] if path.is_file() else [p for p in path.rglob("*") if p.is_file()]
    return sum(p.stat().st_size for p in files if not p.is_symlink()) / 1e6


def by_package(internal: Path, top: int) -> list[tuple[str, float]]:
    """The ``top`` largest entries of the bundle's library folder, by size in MB, and the rest together."""
    entries = [entry for entry in internal.iterdir() if not entry.is_symlink()]
    sizes = sorted(((entry.name, folder_mb(entry)) for entry in entries), key=lambda e: -e[1])
    return [*sizes[:top], (f"({len(sizes) - top} others)", sum(size for _, size in sizes[top:]))]


def start_seconds(program: str, screen: str, timeout_s: float = 60.0) -> float:
    """Seconds from launching ``program`` in a fresh HOME until its window is visible."""
    with tempfile.TemporaryDirectory() as home:
        env = {"HOME": home, "PATH": "/usr/bin:/bin", "DISPLAY": screen, "COMPANION_DATA_DIR": f"{home}/data"}
        began = time.perf_counter()
        app = subprocess.Popen([program], env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        try:
            while not window_ids(screen, "--onlyvisible", "--name", TITLE):
                if app.poll() is not None or time.perf_counter() - began > timeout_s:
                    raise RuntimeError(f"{program} showed no window (exit status {app.poll()})")
                time.sleep(0.02)
            return time.perf_counter() - began
        finally:
            app.send_signal(signal.SIGTERM)
            app.wait(60)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--archive", type=Path, help="the download (default: the newest in dist/)")
    parser.add_argument("--runs", type=int, default=3, help="launches of each program (the median counts)")
    parser.add_argument("--top", type=int, default=15, help="how many of the largest bundled packages to list")
    args = parser.parse_args()
    archive = args.archive or max((REPO / "dist").glob("meeting-companion-*-linux-x86_64.tar.xz"),
                                  key=lambda p: p.stat().st_mtime)
    archive_mb = folder_mb(archive)
    print(f"archive {archive.name}: {archive_mb:.0f} MB (target <= {ARCHIVE_TARGET_MB:.0f}); "
          f"unpacked bundle {folder_mb(BUNDLE):.0f} MB")
    print("\n| bundled | MB |\n|---|---:|")
    for name, size in by_package(BUNDLE / "_internal", args.top):
        print(f"| {name} | {size:.0f} |")
    programs = {"bundle": str(BUNDLE / "meeting-companion"), "venv": str(REPO / ".venv/bin/meeting-companion")}
    starts: dict[str, list[float]] = {name: [] for name in programs}
    with tray_display() as screen:
        for _ in range(args.runs):
            for name, program in programs.items():
                starts[name].append(start_seconds(program, screen))
    print("\n| window up (s) | median | runs |\n|---|---:|---|")
    for name, times in starts.items():
        print(f"| {name} | {statistics.median(times):.2f} | {' '.join(f'{t:.2f}' for t in times)} |")
    bundle_s, venv_s = (statistics.median(starts[name]) for name in programs)
    print(f"\narchive_mb={archive_mb:.0f} bundle_start_s={bundle_s:.2f} venv_start_s={venv_s:.2f}")
    missed = archive_mb > ARCHIVE_TARGET_MB or bundle_s > START_TARGET_S
    if missed:
        print(f"missed a target: archive <= {ARCHIVE_TARGET_MB:.0f} MB, bundle start <= {START_TARGET_S} s",
              file=sys.stderr)
    return 1 if missed else 0


if __name__ == "__main__":
    sys.exit(report.run(main))
