"""Train the utterance detector (companion/text/detector.py) and write companion/text/data/detector-en.npz.

Data: the AMI meetings with linked minutes (``real/ami-links``; a dialogue act is an action, decision or
problem when the annotators linked it to such a minutes sentence) and this project's scripted development
meetings (``benchmarks/meetings/dev``; the turns named as an item's evidence). Fit on AMI train and the
first scripted teams, pick each label's threshold on AMI dev and the other scripted teams (best F1), and
never look at AMI test or ``benchmarks/meetings/test``. Deterministic: the same data gives the same weights.

    .venv/bin/python scripts/train_detector.py [--shared ../shared/data]

Sentence embeddings are cached under the user cache folder (a few hundred MB), never in the repository.
"""

from __future__ import annotations

import argparse
import hashlib
import itertools
import json
import sys
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from platformdirs import user_cache_dir
from scipy.optimize import minimize

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from companion.evaluation import AMI_ROLES, read_linked_meeting  # noqa: E402
from companion.models import Segment  # noqa: E402
from companion.text.detector import DATA, LABELS, Detector, design_matrix, lexical_features  # noqa: E402
from companion.text.sentences import Sentence, split_sentences  # noqa: E402

SCRIPTED_FIT_TEAMS = ("brightside", "harbor", "nimbus")
SCRIPTED_CHOICE_TEAMS = ("quill", "vertex")
"""The scripted development teams fitted on, and those that choose thresholds with AMI dev; teams added to the
development set later serve the rules only, so the same data still gives the same weights."""
SCRIPTED_WEIGHT = {"action": 1.0, "decision": 300.0, "problem": 300.0}
"""How many AMI dialogue acts a scripted sentence counts as, per label. Scripted meetings are the app's own kind,
but weighting them up trades away AMI: for actions the best mean dev F1 over the two sources comes at 1 (AMI
assigns tasks in ways no script does); for decisions and problems it grows up to the largest weight tried, where
AMI's own signal is weak (``--grid`` compares them)."""
L2 = 3000.0
"""Ridge penalty on the standardised weights."""
GRID_L2 = (1000.0, 3000.0, 10000.0)
GRID_SCRIPTED_WEIGHT = (1.0, 3.0, 10.0, 30.0, 100.0, 300.0)
"""``--grid`` prints each label's mean dev F1 (AMI, scripted) for each pair of these."""
POSITIVE_WEIGHT = 10.0
"""Positive examples are rare (about 1 in 60 acts); they weigh this much more in the fit."""


@dataclass
class Meeting:
    name: str
    sentences: list[Sentence]
    labels: np.ndarray
    """(sentences, labels) 0/1."""
    people: list[str]
    scripted: bool


def ami_meetings(folder: Path, split: str) -> list[Meeting]:
    meetings = []
    for path in sorted(folder.glob("*.json")):
        if json.loads(path.read_text())["split"] != split:
            continue
        linked = read_linked_meeting(path)
        if not any(linked.sections.values()):
            continue  # no links annotated: its acts are not known negatives
        sentences = [Sentence(i, i, s.speaker, s.text, s.start, s.end) for i, s in enumerate(linked.segments)]
        acts = {label: set().union(*(ids for _, ids in linked.sections[label + "s"])) for label in LABELS}
        labels = np.array([[act in acts[label] for label in LABELS] for act in linked.act_ids], dtype=np.float32)
        meetings.append(Meeting(linked.name, sentences, labels, list(AMI_ROLES), False))
    return meetings


def scripted_meetings(folder: Path) -> list[Meeting]:
    meetings = []
    kinds = {"action_items": "action", "decisions": "decision", "open_questions": "problem"}
    for path in sorted(folder.glob("*.truth.json")):
        data = json.loads(path.read_text())
        lines = path.with_name(path.name.replace(".truth.json", ".txt")).read_text().splitlines()
        segments = [Segment(i, i + 1, text.strip(), speaker.strip())
                    for i, (speaker, _, text) in enumerate(line.partition(":") for line in lines)]
        sentences = split_sentences(segments)
        labels = np.zeros((len(sentences), len(LABELS)), dtype=np.float32)
        for kind, label in kinds.items():
            turns = {n - 1 for item in data["truth"][kind] for n in item.get("evidence_lines", [])}
            for s in sentences:
                labels[s.index, LABELS.index(label)] = max(labels[s.index, LABELS.index(label)], s.turn in turns)
        meetings.append(Meeting(path.name, sentences, labels, data["participants"], True))
    return meetings


class Encoder:
    """all-MiniLM-L6-v2 (the bundled one), with vectors cached per meeting by the hash of its texts."""

    def __init__(self) -> None:
        from sentence_transformers import SentenceTransformer

        from companion.llm.embeddings import bundled_embedding_model

        self.model = SentenceTransformer(str(bundled_embedding_model()), device="cpu", local_files_only=True)
        self.cache = Path(user_cache_dir("meeting-companion")) / "detector-training"
        self.cache.mkdir(parents=True, exist_ok=True)

    def vectors(self, meeting: Meeting) -> np.ndarray:
        texts = [s.text for s in meeting.sentences]
        key = hashlib.sha256("\n".join(texts).encode()).hexdigest()[:16]
        path = self.cache / f"{meeting.name}-{key}.npy"
        if path.exists():
            return np.load(path)
        vectors = np.asarray(self.model.encode(texts, batch_size=128, normalize_embeddings=True), dtype=np.float32)
        np.save(path, vectors)
        return vectors


def design(meetings: list[Meeting], encoder: Encoder) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Design matrix, labels, and 1 for each row of a scripted meeting."""
    parts = [design_matrix(encoder.vectors(m), lexical_features(m.sentences, m.people)) for m in meetings]
    labels = np.concatenate([m.labels for m in meetings])
    scripted = np.concatenate([np.full(len(m.sentences), m.scripted, dtype=np.float32) for m in meetings])
    return np.concatenate(parts), labels, scripted


def fit_label(x: np.ndarray, y: np.ndarray, weight: np.ndarray, l2: float) -> tuple[np.ndarray, float]:
    """Weighted logistic regression by L-BFGS from zero: deterministic for the same data."""
    x = x.astype(np.float32)
    w = weight * np.where(y > 0, POSITIVE_WEIGHT, 1.0)
    w = w / w.sum() * len(y)

    def loss(theta: np.ndarray) -> tuple[float, np.ndarray]:
        z = (x @ theta[:-1].astype(np.float32)).astype(np.float64) + theta[-1]
        p = 1.0 / (1.0 + np.exp(-z))
        value = float(np.sum(w * (np.logaddexp(0, z) - y * z)) + 0.5 * l2 * theta[:-1] @ theta[:-1])
        error = w * (p - y)
        gradient = (x.T @ error.astype(np.float32)).astype(np.float64) + l2 * theta[:-1]
        return value, np.append(gradient, error.sum())

    result = minimize(loss, np.zeros(x.shape[1] + 1), jac=True, method="L-BFGS-B", options={"maxiter": 500})
    return result.x[:-1], float(result.x[-1])


def f1_at(probabilities: np.ndarray, y: np.ndarray, threshold: float) -> float:
    chosen = probabilities >= threshold
    tp = float((chosen & (y > 0)).sum())
    return 0.0 if tp == 0 else 2 * tp / (float(chosen.sum()) + float((y > 0).sum()))


def best_threshold(sources: list[tuple[np.ndarray, np.ndarray]]) -> tuple[float, float]:
    """The threshold with the best mean F1 over the dev sources (AMI, scripted), each (probabilities, labels):
    one kind of meeting must not buy its F1 with the other's."""
    best = (0.5, -1.0)
    for threshold in np.arange(0.02, 0.99, 0.01):
        score = float(np.mean([f1_at(p, y, float(threshold)) for p, y in sources]))
        if score > best[1]:
            best = (round(float(threshold), 2), score)
    return best


@dataclass
class Data:
    fit: tuple[np.ndarray, np.ndarray, np.ndarray]
    """Standardised design matrix, labels, whether each row is scripted."""
    dev: list[tuple[np.ndarray, np.ndarray]]
    """Per dev source: standardised design matrix, labels."""
    mean: np.ndarray
    scale: np.ndarray


def load(shared: Path) -> Data:
    links = shared / "real" / "ami-links"
    scripted = scripted_meetings(REPO / "benchmarks" / "meetings" / "dev")
    fit_set = ami_meetings(links, "train") + [m for m in scripted if m.name.split("-")[0] in SCRIPTED_FIT_TEAMS]
    dev_sets = [ami_meetings(links, "dev"), [m for m in scripted if m.name.split("-")[0] in SCRIPTED_CHOICE_TEAMS]]
    encoder = Encoder()
    x, y, is_scripted = design(fit_set, encoder)
    mean, scale = x.mean(axis=0), x.std(axis=0) + 1e-6
    dev = [(lambda d: ((d[0] - mean) / scale, d[1]))(design(m, encoder)) for m in dev_sets]
    print(f"fit on {len(fit_set)} meetings ({len(x)} sentences); dev {len(dev_sets[0])} AMI + "
          f"{len(dev_sets[1])} scripted meetings")
    return Data(((x - mean) / scale, y, is_scripted), dev, mean, scale)


def train(data: Data, l2: float, scripted_weight: dict[str, float]) -> tuple[Detector, dict[str, float]]:
    """Fit each label, choose its threshold on dev; the detector and each label's mean dev F1."""
    x, y, is_scripted = data.fit
    columns, biases, thresholds, scores = [], [], {}, {}
    for j, label in enumerate(LABELS):
        weight = np.where(is_scripted > 0, scripted_weight[label], 1.0)
        coefficients, bias = fit_label(x, y[:, j], weight, l2)
        sources = [(1.0 / (1.0 + np.exp(-np.clip(dx @ coefficients + bias, -30, 30))), dy[:, j]) for dx, dy in data.dev]
        thresholds[label], scores[label] = best_threshold(sources)
        columns.append(coefficients)
        biases.append(bias)
    return Detector(np.stack(columns, axis=1), np.array(biases), data.mean, data.scale, thresholds), scores


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--shared", type=Path, default=REPO.parent / "shared" / "data")
    parser.add_argument("--grid", action="store_true", help="compare ridge penalties and scripted weights on dev")
    parser.add_argument("--output", type=Path, default=DATA / "detector-en.npz")
    args = parser.parse_args()
    data = load(args.shared)
    if args.grid:
        for l2, scripted_weight in itertools.product(GRID_L2, GRID_SCRIPTED_WEIGHT):
            _, scores = train(data, l2, dict.fromkeys(LABELS, scripted_weight))
            print(f"l2 {l2:6} scripted weight {scripted_weight:4}: mean dev F1 "
                  + " ".join(f"{label} {f1:.3f}" for label, f1 in scores.items()), flush=True)
        return 0
    detector, scores = train(data, L2, SCRIPTED_WEIGHT)
    for label in LABELS:
        print(f"{label:9} threshold {detector.thresholds[label]:.2f}  mean dev F1 (AMI, scripted) {scores[label]:.3f}")
    detector.save(args.output)
    print(f"wrote {args.output} ({args.output.stat().st_size // 1024} KB)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
