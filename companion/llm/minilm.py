"""all-MiniLM-L6-v2's forward pass in numpy: the bundled weights, without importing torch or transformers.

The same computation as sentence-transformers (BERT, mean pooling over the tokens, unit length; the tests
check they agree), loaded in a fraction of a second instead of ~10 s of imports, so a cold
``companion ask`` answers within two seconds.
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
from scipy.special import erf

BATCH = 32


class MiniLM:
    """A BERT sentence encoder read from a sentence-transformers folder (safetensors + tokenizer.json)."""

    def __init__(self, model_dir: Path) -> None:
        from safetensors.numpy import load_file
        from tokenizers import Tokenizer

        config = json.loads((model_dir / "config.json").read_text())
        max_length = json.loads((model_dir / "sentence_bert_config.json").read_text())["max_seq_length"]
        self.layers = int(config["num_hidden_layers"])
        self.heads = int(config["num_attention_heads"])
        self.eps = float(config["layer_norm_eps"])
        self.weights = load_file(str(model_dir / "model.safetensors"))
        # Dense layers multiply by the transposed weight: transpose once, contiguous, not on every call.
        self.weights |= {name: np.ascontiguousarray(w.T) for name, w in self.weights.items()
                         if name.endswith(("dense.weight", "query.weight", "key.weight", "value.weight"))}
        self.tokenizer = Tokenizer.from_file(str(model_dir / "tokenizer.json"))
        self.tokenizer.enable_truncation(max_length=max_length)
        self.tokenizer.enable_padding(pad_id=int(config.get("pad_token_id", 0)))

    def encode(self, texts: list[str]) -> np.ndarray:
        """Unit vectors, one row per text, in batches of :data:`BATCH` texts."""
        parts = [self._encode(texts[i:i + BATCH]) for i in range(0, len(texts), BATCH)]
        return np.concatenate(parts) if parts else np.zeros((0, self.weights["pooler.dense.bias"].shape[0]))

    def _encode(self, texts: list[str]) -> np.ndarray:
        encodings = self.tokenizer.encode_batch(texts)
        ids = np.array([e.ids for e in encodings])
        mask = np.array([e.attention_mask for e in encodings], dtype=np.float32)
        hidden = self._embed(ids, np.array([e.type_ids for e in encodings]))
        for layer in range(self.layers):
            hidden = self._layer(hidden, mask, f"encoder.layer.{layer}.")
        pooled = (hidden * mask[:, :, None]).sum(axis=1) / np.maximum(mask.sum(axis=1, keepdims=True), 1e-9)
        unit = pooled / np.maximum(np.linalg.norm(pooled, axis=1, keepdims=True), 1e-12)
        return np.asarray(unit, dtype=np.float32)

    def _embed(self, ids: np.ndarray, types: np.ndarray) -> np.ndarray:
        w = self.weights
        positions = np.arange(ids.shape[1])
        summed = (w["embeddings.word_embeddings.weight"][ids] + w["embeddings.position_embeddings.weight"][positions]
                  + w["embeddings.token_type_embeddings.weight"][types])
        return self._norm(np.asarray(summed), "embeddings.LayerNorm.")

    def _layer(self, hidden: np.ndarray, mask: np.ndarray, prefix: str) -> np.ndarray:
        attended = self._attention(hidden, mask, prefix + "attention.self.")
        hidden = self._norm(hidden + self._dense(attended, prefix + "attention.output.dense."),
                            prefix + "attention.output.LayerNorm.")
        inner = self._dense(hidden, prefix + "intermediate.dense.")
        inner = 0.5 * inner * (1.0 + erf(inner / np.sqrt(2.0)))  # exact GELU, as BERT uses
        return self._norm(hidden + self._dense(inner, prefix + "output.dense."), prefix + "output.LayerNorm.")

    def _attention(self, hidden: np.ndarray, mask: np.ndarray, prefix: str) -> np.ndarray:
        batch, length, width = hidden.shape
        size = width // self.heads

        def split(name: str) -> np.ndarray:
            projected = self._dense(hidden, prefix + name + ".")
            return projected.reshape(batch, length, self.heads, size).transpose(0, 2, 1, 3)

        scores = split("query") @ split("key").transpose(0, 1, 3, 2) / np.sqrt(size)
        scores = scores + (1.0 - mask[:, None, None, :]) * -1e9
        scores = np.exp(scores - scores.max(axis=-1, keepdims=True))
        scores /= scores.sum(axis=-1, keepdims=True)
        return np.asarray((scores @ split("value")).transpose(0, 2, 1, 3).reshape(batch, length, width))

    def _dense(self, x: np.ndarray, prefix: str) -> np.ndarray:
        weight = self.weights[prefix + "weight"]
        flat = x.reshape(-1, x.shape[-1]) @ weight + self.weights[prefix + "bias"]
        return np.asarray(flat.reshape(*x.shape[:-1], weight.shape[1]))

    def _norm(self, x: np.ndarray, prefix: str) -> np.ndarray:
        mean = x.mean(axis=-1, keepdims=True)
        variance = ((x - mean) ** 2).mean(axis=-1, keepdims=True)
        return np.asarray((x - mean) / np.sqrt(variance + self.eps) * self.weights[prefix + "weight"]
                          + self.weights[prefix + "bias"])
