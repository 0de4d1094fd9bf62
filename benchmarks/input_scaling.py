"""Minutes time and memory against input size: 1x, 4x and 16x a meeting, as turns and as one paragraph.

The transcripts are the repository's scripted meetings (``benchmarks/meetings``) laid end to end, cycling
when more is needed: one turn per line ("turns"), or all of it as one single-speaker segment ("paragraph",
what one huge line of a "Speaker: text" file gives). Each run is a fresh process that first loads the
embedding model, as the app has it loaded, then writes the minutes the way the engine does
(``write_minutes``, summary model off). The embedder embeds each distinct sentence once and reuses its real
vector for repeats, so the table measures the pipeline's own growth rather than the model's (which is linear
by construction). Prints seconds (embedding, the rest, total), peak RSS and the RSS the run added over the loaded
model; exits 1 when at 16x the rest takes over ``TIME_RATIO`` times as long as at 1x (counted as at least
``TIME_FLOOR_S``), or the run adds over ``MEMORY_RATIO`` times the memory (at least ``MEMORY_FLOOR_MB`` at 1x):
linear code stays far below both, since 1x carries fixed costs too.

``--mib N`` instead runs one paragraph of N MiB with every sentence embedded, and exits 1 unless it finishes
within ``BIG_SECONDS`` and ``BIG_RSS_MB`` of peak memory.

    .venv/bin/python benchmarks/input_scaling.py [--base-words 4000] [--mib 1]
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import resource
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import report

REPO = Path(__file__).resolve().parents[1]
SCALES = (1, 4, 16)
SHAPES = ("turns", "paragraph")
TIME_RATIO = 40.0
TIME_FLOOR_S = 0.25
MEMORY_RATIO = 16.0
MEMORY_FLOOR_MB = 32.0
BIG_SECONDS = 180.0
BIG_RSS_MB = 2048.0


def meeting_lines() -> list[tuple[str, str]]:
    """(speaker, text) of every line of the repository's scripted meetings, in a fixed order."""
    lines = []
    for path in sorted((REPO / "benchmarks" / "meetings").glob("*/*.txt")):
        for line in path.read_text(encoding="utf-8").splitlines():
            speaker, _, text = line.partition(": ")
            if text.strip():
                lines.append((speaker.strip(), text.strip()))
    return lines


def transcript(shape: str, words: int = 0, chars: int = 0) -> Any:
    """The scripted meetings cycled up to ``words`` words or ``chars`` characters, timed at the import pace."""
    from companion.models import Segment, Transcript
    from companion.transcript_files import SECONDS_PER_WORD

    lines, used_words, used_chars = meeting_lines(), 0, 0
    taken: list[tuple[str, str]] = []
    while (words and used_words < words) or (chars and used_chars < chars):
        speaker, text = lines[len(taken) % len(lines)]
        taken.append((speaker, text))
        used_words += len(text.split())
        used_chars += len(text) + 1
    if shape == "paragraph":
        text = " ".join(text for _, text in taken)
        length = len(text.split()) * SECONDS_PER_WORD
        return Transcript((Segment(0.0, length, text, "Dana"),), length)
    segments, clock = [], 0.0
    for speaker, text in taken:
        length = len(text.split()) * SECONDS_PER_WORD
        segments.append(Segment(clock, clock + length, text, speaker))
        clock += length
    return Transcript(tuple(segments), clock)


def run(shape: str, words: int, chars: int, every_sentence: bool) -> dict[str, float]:
    """Write the minutes of one transcript in this process; seconds and memory as a dict."""
    import numpy as np

    from companion.jobs import run_job
    from companion.llm.embeddings import Embedder
    from companion.llm.minutes import write_minutes

    class TimedEmbedder(Embedder):
        """The bundled embedder, timed, embedding each distinct text once unless ``every_sentence``."""

        seconds = 0.0
        embedded = 0

        def encode(self, texts: list[str]) -> np.ndarray:
            started = time.perf_counter()
            distinct = texts if every_sentence else list(dict.fromkeys(texts))
            vectors = super().encode(distinct)
            if not every_sentence:
                row = {text: i for i, text in enumerate(distinct)}
                vectors = vectors[[row[text] for text in texts]]
            self.seconds += time.perf_counter() - started
            self.embedded += len(distinct)
            return vectors

    embedder = TimedEmbedder()
    embedder.encode([f"warm up {i}" for i in range(300)])  # loads the model, as the app has it loaded
    made = transcript(shape, words, chars)
    embedder.seconds = embedder.embedded = 0
    loaded_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    started = time.perf_counter()
    minutes = run_job(write_minutes(made, dt.date(2026, 3, 2), embedder=embedder))
    seconds = time.perf_counter() - started
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    return {"words": sum(len(s.text.split()) for s in made.segments), "chars": sum(len(s.text) for s in made.segments),
            "embedded": embedder.embedded, "seconds": seconds, "embed_s": embedder.seconds, "peak_mb": peak_mb,
            "added_mb": peak_mb - loaded_mb, "items": len(minutes.action_items) + len(minutes.decisions)}


def measure(shape: str, words: int = 0, chars: int = 0, every_sentence: bool = False) -> dict[str, float]:
    """:func:`run` in a fresh process, so that its peak memory is its own."""
    command = [sys.executable, __file__, "--run", shape, str(words), str(chars), str(int(every_sentence))]
    done = subprocess.run(command, capture_output=True, text=True, check=False, cwd=REPO)
    if done.returncode != 0:
        raise SystemExit(f"{shape} x{words or chars} failed:\n{done.stderr[-2000:]}")
    result: dict[str, float] = json.loads(done.stdout.strip().splitlines()[-1])
    return result


def row(label: str, result: dict[str, float]) -> str:
    return (f"{label:<16} {result['words']:>8.0f} {result['chars']:>9.0f} {result['embedded']:>8.0f} "
            f"{result['embed_s']:>8.1f} {result['seconds'] - result['embed_s']:>8.1f} {result['seconds']:>8.1f} "
            f"{result['peak_mb']:>8.0f} {result['added_mb']:>8.0f}")


HEADER = (f"{'run':<16} {'words':>8} {'chars':>9} {'embedded':>8} {'embed s':>8} {'rest s':>8} {'total s':>8} "
          f"{'peak MB':>8} {'added MB':>8}")


def scaling(base_words: int) -> int:
    """The 1x/4x/16x table for both shapes; 1 when either grows clearly faster than its input."""
    print(HEADER)
    failures = []
    for shape in SHAPES:
        results = {scale: measure(shape, words=base_words * scale) for scale in SCALES}
        for scale, result in results.items():
            print(row(f"{shape} {scale}x", result))
        first, last = results[SCALES[0]], results[SCALES[-1]]
        time_ratio = (last["seconds"] - last["embed_s"]) / max(first["seconds"] - first["embed_s"], TIME_FLOOR_S)
        memory_ratio = last["added_mb"] / max(first["added_mb"], MEMORY_FLOOR_MB)
        print(f"{shape}: {SCALES[-1]}x/{SCALES[0]}x time but embedding {time_ratio:.1f} (limit {TIME_RATIO:.0f}), "
              f"added memory {memory_ratio:.1f} (limit {MEMORY_RATIO:.0f})")
        if time_ratio > TIME_RATIO or memory_ratio > MEMORY_RATIO:
            failures.append(shape)
    print("grows linearly: " + ("met" if not failures else f"missed ({', '.join(failures)})"))
    return 1 if failures else 0


def big(mib: float) -> int:
    """One paragraph of ``mib`` MiB, every sentence embedded; 1 when over the time or memory bound."""
    print(HEADER)
    result = measure("paragraph", chars=int(mib * 2**20), every_sentence=True)
    print(row(f"paragraph {mib:g} MiB", result))
    met = result["seconds"] <= BIG_SECONDS and result["peak_mb"] <= BIG_RSS_MB
    print(f"within {BIG_SECONDS:.0f} s and {BIG_RSS_MB:.0f} MB peak: " + ("met" if met else "missed"))
    return 0 if met else 1


def main() -> int:
    if len(sys.argv) == 6 and sys.argv[1] == "--run":
        shape, words, chars, every = sys.argv[2], int(sys.argv[3]), int(sys.argv[4]), sys.argv[5] == "1"
        print(json.dumps(run(shape, words, chars, every)))
        return 0
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--base-words", type=int, default=4000, help="words of the 1x transcript")
    parser.add_argument("--mib", type=float, help="instead, one paragraph of this many MiB, every sentence embedded")
    args = parser.parse_args()
    return big(args.mib) if args.mib else scaling(args.base_words)


if __name__ == "__main__":
    sys.exit(report.run(main))
