"""File transcription per speech model (WER, RTF, memory, language ID), and int8 vs float32, beam 1 vs 5.

Each configuration runs in its own process so that peak memory is its own. The model table compares the
speech models that are installed (fast: tiny.en, balanced: base, accurate: small; int8, beam 1) on JFK,
the 60 s AMI excerpt and the three Atlas meetings, and their language identification on synthetic espeak-ng
clips in several languages.
The speed table runs the default model on the AMI excerpt and a 10-minute file made by concatenating the
shared meetings. Exits 1 when the default settings (tiny.en, int8, beam 1) miss RTF <= 0.08. RTF counts
decoding and transcription, not model loading.

    .venv/bin/python benchmarks/transcribe.py [--quick | --models]
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import os
import re
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import numpy as np
import report

REPO = Path(__file__).resolve().parents[1]
SHARED = Path(os.environ.get("COMPANION_SHARED_DATA", REPO.parent / "shared" / "data"))
AMI = SHARED / "ami/es2004a-60s"
ATLAS = sorted((SHARED / "meetings").glob("atlas-*.wav"))
TARGET_RTF = 0.08
CONFIGS = [("int8", 1), ("int8", 5), ("float32", 1), ("float32", 5)]
DEFAULT = ("int8", 1)
MODELS = ("fast", "balanced", "accurate")
SYNTHETIC = {  # espeak-ng voice: sentences, each made into its own clip
    "de": ["Guten Morgen zusammen, wir besprechen heute den Zeitplan für das neue Projekt.",
           "Kannst du mir den Bericht bis Freitag schicken? Dann entscheiden wir nächste Woche."],
    "es": ["Buenos días a todos, hoy hablamos del calendario del nuevo proyecto.",
           "¿Puedes enviarme el informe antes del viernes? Así decidimos la próxima semana."],
    "fr": ["Bonjour à tous, aujourd'hui nous parlons du calendrier du nouveau projet.",
           "Peux-tu m'envoyer le rapport avant vendredi? Nous déciderons la semaine prochaine."],
    "hi": ["सभी को सुप्रभात, आज हम नई परियोजना की समय सारणी पर बात करेंगे।",
           "क्या आप मुझे शुक्रवार तक रिपोर्ट भेज सकते हैं? फिर हम अगले सप्ताह फैसला करेंगे।"],
}


def measure(audio_path: Path, compute_type: str, beam: int) -> dict[str, float]:
    """Run in a worker process: load the models, then time decoding + transcription of the file.

    Loading (Whisper, and the VAD on a first short clip) is one-time work, reported apart as load_s.
    A short file is timed twice and the faster run kept: these machines are noisy.
    """
    from companion.audio.decode import decode_audio
    from companion.audio.stt import SpeechToText
    from companion.jobs import run_job
    from companion.runtime import decide_runtime

    runtime = dataclasses.replace(decide_runtime("cpu"), compute_type=compute_type)
    stt = SpeechToText(runtime, beam_size=beam)
    started = time.perf_counter()
    run_job(stt.transcribe(np.zeros(16_000, np.float32)))
    load_s = time.perf_counter() - started
    timings = []
    for _ in range(2 if audio_path.stat().st_size < 10_000_000 else 1):
        began = time.perf_counter()
        transcript = run_job(stt.transcribe(decode_audio(audio_path)))
        timings.append(time.perf_counter() - began)
    return {
        "duration_s": transcript.duration_s,
        "load_s": load_s,
        "rtf": min(timings) / transcript.duration_s,
        "peak_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
        "text": transcript.text,  # type: ignore[dict-item]
    }


def measure_model(model: str, clips: Path) -> dict[str, object]:
    """Run in a worker process: WER on JFK and the AMI excerpt, RTF on the excerpt, and the language each
    synthetic clip is heard in (None for a model that is not installed)."""
    from companion.audio.decode import decode_audio
    from companion.audio.stt import SpeechToText
    from companion.jobs import run_job
    from companion.runtime import decide_runtime

    runtime = decide_runtime("cpu", model)
    if runtime.speech_notice:
        return {"missing": runtime.speech_notice}
    stt = SpeechToText(runtime)
    started = time.perf_counter()
    run_job(stt.transcribe(np.zeros(16_000, np.float32)))
    load_s = time.perf_counter() - started
    jfk = run_job(stt.transcribe(decode_audio(SHARED / "speech/jfk.flac")))
    began = time.perf_counter()
    ami = run_job(stt.transcribe(decode_audio(AMI / "mixture.wav")))
    rtf = (time.perf_counter() - began) / ami.duration_s
    atlas = [run_job(stt.transcribe(decode_audio(path))).text for path in ATLAS]
    heard = {clip.name: run_job(stt.transcribe(decode_audio(clip))).language for clip in sorted(clips.glob("*.wav"))}
    return {"load_s": load_s, "rtf": rtf, "jfk_wer": wer(SHARED / "speech/jfk.txt", jfk.text),
            "ami_wer": ami_wer(ami.text), "atlas_wer": atlas_wer(" ".join(atlas)),
            "peak_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, "heard": heard}


def synthetic_clips(folder: Path) -> Path:
    """One WAV per sentence of :data:`SYNTHETIC`, spoken by espeak-ng's voice for its language."""
    for language, sentences in SYNTHETIC.items():
        for i, sentence in enumerate(sentences):
            subprocess.run(["espeak-ng", "-v", language, "-w", str(folder / f"{language}-{i}.wav"), sentence],
                           check=True, capture_output=True)
    return folder


def model_table(folder: Path) -> None:
    """Print the models side by side: WER, RTF, memory and language-ID accuracy on the synthetic clips."""
    clips = synthetic_clips(folder)
    print(f"{'model':<9} {'JFK WER':>7} {'AMI WER':>7} {'Atlas WER':>9} {'RTF':>6} {'load s':>7} {'peak MB':>8}  "
          f"language ID (synthetic espeak-ng, {len(list(clips.glob('*.wav')))} clips)")
    for model in MODELS:
        row = run_json([sys.executable, __file__, "--model-worker", model, str(clips)])
        if "missing" in row:
            print(f"{model:<9} not installed")
            continue
        heard: dict[str, str] = row["heard"]
        right = sum(language == name.split("-")[0] for name, language in heard.items())
        detail = " ".join(f"{name.removesuffix('.wav')}:{language}" for name, language in heard.items())
        print(f"{model:<9} {row['jfk_wer']:>7.1%} {row['ami_wer']:>7.1%} {row['atlas_wer']:>9.1%} {row['rtf']:>6.3f} "
              f"{row['load_s']:>7.2f} {row['peak_rss_mb']:>8.0f}  {right}/{len(heard)} ({detail})", flush=True)


def ten_minute_file(folder: Path) -> Path:
    """Concatenate the shared meetings (with 1 s gaps) until 10 minutes are reached."""
    from companion.audio.decode import SAMPLE_RATE, decode_audio

    sources = [*sorted((SHARED / "meetings").glob("*.wav")), AMI / "mixture.wav"]
    pieces, total = [], 0
    while total < 600 * SAMPLE_RATE:
        for source in sources:
            pieces += [decode_audio(source), np.zeros(SAMPLE_RATE, np.float32)]
            total += len(pieces[-2]) + SAMPLE_RATE
    audio = np.concatenate(pieces)[: 600 * SAMPLE_RATE]
    path = folder / "ten-minutes.wav"
    import wave

    with wave.open(str(path), "wb") as out:
        out.setnchannels(1)
        out.setsampwidth(2)
        out.setframerate(SAMPLE_RATE)
        out.writeframes((audio * 32767).astype("<i2").tobytes())
    return path


def ami_wer(text: str) -> float:
    from companion.evaluation import word_error_rate

    reference = " ".join(re.sub(r"^\[[^\]]*\]\s*", "", line) for line in (AMI / "reference.txt").open())
    return word_error_rate(reference, text, SHARED / "speech/whisper_english_normalizer.json")


def atlas_wer(text: str) -> float:
    """WER of the Atlas meetings heard one after the other, against their scripts ("Speaker: text" lines)."""
    from companion.evaluation import word_error_rate

    reference = " ".join(line.split(":", 1)[-1] for path in ATLAS for line in path.with_suffix(".txt").open())
    return word_error_rate(reference, text, SHARED / "speech/whisper_english_normalizer.json")


def wer(reference: Path, text: str) -> float:
    from companion.evaluation import word_error_rate

    return word_error_rate(reference.read_text(), text, SHARED / "speech/whisper_english_normalizer.json")


def run_json(command: list[str]) -> dict[str, Any]:
    """Run a worker process; its last line of output is a JSON object."""
    result = subprocess.run(command, capture_output=True, text=True, check=True)
    return json.loads(result.stdout.strip().splitlines()[-1])  # type: ignore[no-any-return]


def run_worker(audio: Path, compute_type: str, beam: int) -> dict[str, float]:
    return run_json([sys.executable, __file__, "--worker", str(audio), compute_type, str(beam)])


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="only the 60 s AMI excerpt")
    parser.add_argument("--models", action="store_true", help="only the table of speech models")
    parser.add_argument("--worker", nargs=3, metavar=("AUDIO", "COMPUTE", "BEAM"), help=argparse.SUPPRESS)
    parser.add_argument("--model-worker", nargs=2, metavar=("MODEL", "CLIPS"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.worker:
        audio, compute_type, beam = args.worker
        print(json.dumps(measure(Path(audio), compute_type, int(beam))))
        return 0
    if args.model_worker:
        print(json.dumps(measure_model(args.model_worker[0], Path(args.model_worker[1]))))
        return 0
    if not AMI.is_dir():
        print(f"evaluation data not found at {SHARED}", file=sys.stderr)
        return 2
    with tempfile.TemporaryDirectory() as folder:
        model_table(Path(folder))
        if args.models:
            return 0
        print()
        inputs = {"AMI ES2004a 60 s": AMI / "mixture.wav"}
        if not args.quick:
            inputs["meetings 10 min"] = ten_minute_file(Path(folder))
        print(f"{'input':<18} {'compute':<8} {'beam':>4} {'RTF':>6} {'load s':>7} {'peak MB':>8} {'WER':>6}")
        missed = []
        for name, path in inputs.items():
            for compute_type, beam in CONFIGS:
                row = run_worker(path, compute_type, beam)
                wer = f"{ami_wer(str(row['text'])):.1%}" if path == inputs["AMI ES2004a 60 s"] else "-"
                print(f"{name:<18} {compute_type:<8} {beam:>4} {row['rtf']:>6.3f} {row['load_s']:>7.2f} "
                      f"{row['peak_rss_mb']:>8.0f} {wer:>6}", flush=True)
                if (compute_type, beam) == DEFAULT and row["rtf"] > TARGET_RTF:
                    missed.append(f"{name}: RTF {row['rtf']:.3f} > {TARGET_RTF}")
    print(f"cores={os.cpu_count()} default=int8/beam1 target RTF<={TARGET_RTF}: " + ("; ".join(missed) or "met"))
    return 1 if missed else 0


if __name__ == "__main__":
    sys.exit(report.run(main))
