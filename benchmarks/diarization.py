"""Speaker diarization: DER, speaker naming accuracy and the time it adds to transcription.

DER is frame-based (10 ms), no collar, overlapping speech counted, with the optimal speaker mapping
(:func:`companion.evaluation.diarization_error_rate`), on the scripted Atlas meetings, the six AMI clips
and the 60 s AMI excerpt. Naming: the first Atlas meeting is processed and its speakers named as a user
would (each label gets the reference name it overlaps most), then the second and third meetings are
processed with their participant lists and the share of words whose speaker name is right is counted.
Time: diarization beside transcription of the same files, after a warm-up. Prints a table; exits 1 when
a target is missed.

    .venv/bin/python benchmarks/diarization.py
"""

from __future__ import annotations

import json
import os
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import report

from companion.audio.decode import decode_audio
from companion.audio.diarize import Diarization, Diarizer
from companion.audio.stt import SpeechToText
from companion.engine import Engine
from companion.evaluation import Turn, diarization_error_rate, read_rttm, reference_names
from companion.jobs import run_job
from companion.models import Transcript
from companion.runtime import decide_runtime

REPO = Path(__file__).resolve().parents[1]
SHARED = Path(os.environ.get("COMPANION_SHARED_DATA", REPO.parent / "shared" / "data"))
MEETINGS = sorted((SHARED / "meetings").glob("*.wav"))
TARGETS = {"scripted DER %": 10.0, "AMI excerpt DER %": 30.0, "added time %": 25.0}
NAMING_TARGET = 0.90


def cases() -> list[tuple[str, Path, list[Turn]]]:
    clips: dict[str, list[Turn]] = {}
    for rttm in sorted((SHARED / "ami/clips").glob("debug.*.rttm")):
        clips.update(read_rttm(rttm))
    found = [("scripted", wav, read_rttm(wav.with_suffix(".rttm"))[wav.stem]) for wav in MEETINGS]
    found += [("AMI clip", wav, clips.get(wav.stem, [])) for wav in sorted((SHARED / "ami/clips").glob("*.wav"))]
    excerpt = SHARED / "ami/es2004a-60s"
    found.append(("AMI excerpt", excerpt / "mixture.wav", next(iter(read_rttm(excerpt / "mixture.rttm").values()))))
    return found


def turns_of(diarization: Diarization) -> list[Turn]:
    return [(t.start, t.end, t.speaker) for t in diarization.turns]


def word_naming(transcript: Transcript, reference: list[Turn]) -> tuple[int, int]:
    """(words whose speaker is a reference speaker talking at the word's middle, words with a reference)."""
    right = total = 0
    for segment in transcript.segments:
        for word in segment.words:
            middle = (word.start + word.end) / 2
            talking = {name for start, end, name in reference if start <= middle < end}
            if talking:
                total += 1
                right += segment.speaker in talking
    return right, total


def naming_accuracy(runtime_engine: Engine) -> float:
    """Name the first meeting's speakers from the reference, then check the next meetings' names."""
    first, *later = MEETINGS
    meeting = run_job(runtime_engine.process(first, "Atlas", date=first.stem[-10:]))
    reference = read_rttm(first.with_suffix(".rttm"))[first.stem]
    for label, name in reference_names(meeting.segments, reference).items():
        if label != name:
            runtime_engine.rename_speaker(meeting.id, label, name)
    right = total = 0
    for wav in later:
        # As from a calendar invite: who takes part, not who is who. A newcomer (Emma) can only be named
        # from the transcript ("Emma, what do you propose?"); the others from the voices the team remembers.
        participants = json.loads(wav.with_suffix(".truth.json").read_text())["participants"]
        processed = run_job(runtime_engine.process(wav, "Atlas", date=wav.stem[-10:], participants=participants))
        r, t = word_naming(processed.transcript, read_rttm(wav.with_suffix(".rttm"))[wav.stem])
        right, total = right + r, total + t
    return right / max(1, total)


def main() -> int:
    runtime = decide_runtime("cpu")
    diarizer, stt = Diarizer(runtime), SpeechToText(runtime)
    run_job(diarizer.diarize(decode_audio(MEETINGS[0])[: 16_000 * 10]))  # warm-up: model, numba, VAD
    run_job(stt.transcribe(decode_audio(MEETINGS[0])[: 16_000 * 10]))
    rows, by_kind, seconds = [], {}, {"stt": 0.0, "diarization": 0.0}
    for kind, wav, reference in cases():
        audio = decode_audio(wav)
        began = time.perf_counter()
        diarization = run_job(diarizer.diarize(audio))
        diarize_s = time.perf_counter() - began
        began = time.perf_counter()
        run_job(stt.transcribe(audio))
        seconds["stt"] += time.perf_counter() - began
        seconds["diarization"] += diarize_s
        der = 100 * diarization_error_rate(reference, turns_of(diarization))
        speakers = f"{len(diarization.speakers)}/{len({t[2] for t in reference})}"
        rows.append((kind, wav.stem, f"{len(audio) / 16_000:.0f}", speakers, f"{der:.1f}", f"{diarize_s:.2f}"))
        by_kind.setdefault(kind, []).append(der)
    print(f"{'set':<12} {'recording':<18} {'s':>4} {'spk found/ref':>13} {'DER %':>6} {'diar s':>7}")
    for row in rows:
        print(f"{row[0]:<12} {row[1]:<18} {row[2]:>4} {row[3]:>13} {row[4]:>6} {row[5]:>7}")
    with tempfile.TemporaryDirectory() as folder:
        engine = Engine(folder, runtime=runtime, summary_model=None)
        engine.speech_to_text, engine.diarizer = stt, diarizer
        naming = naming_accuracy(engine)
        engine.close()
    figures = {
        "scripted DER %": float(np.mean(by_kind["scripted"])),
        "AMI excerpt DER %": float(np.mean(by_kind["AMI excerpt"])),
        "added time %": 100 * seconds["diarization"] / seconds["stt"],
    }
    print(f"\nAMI clips DER % (no target; 1-4 speakers, 30 s, far field): {np.mean(by_kind['AMI clip']):.1f}")
    missed = []
    for name, value in figures.items():
        ok = value <= TARGETS[name]
        missed += [] if ok else [name]
        print(f"{name:<22} {value:6.1f}  target <= {TARGETS[name]:.0f}  {'ok' if ok else 'MISSED'}")
    ok = naming >= NAMING_TARGET
    missed += [] if ok else ["naming"]
    verdict = "ok" if ok else "MISSED"
    print(f"{'naming accuracy %':<22} {100 * naming:6.1f}  target >= {100 * NAMING_TARGET:.0f}  {verdict}")
    return 1 if missed else 0


if __name__ == "__main__":
    sys.exit(report.run(main))
