from pathlib import Path

import pytest

from companion.errors import CompanionError, NotFoundError
from companion.runtime import bundled_whisper_model, decide_runtime, default_data_dir, resolve_whisper_model


def test_auto_uses_the_gpu_with_float16_when_cuda_is_present() -> None:
    runtime = decide_runtime("auto", cuda_available=lambda: True, cpu_count=8)
    assert (runtime.device, runtime.compute_type, runtime.torch_dtype) == ("cuda", "float16", "float16")
    assert runtime.notice is None
    assert runtime.cpu_threads == 8


def test_auto_falls_back_to_cpu_int8_and_tells_the_user() -> None:
    runtime = decide_runtime("auto", cuda_available=lambda: False)
    assert (runtime.device, runtime.compute_type, runtime.torch_dtype) == ("cpu", "int8", "float32")
    assert runtime.notice is not None and "CPU" in runtime.notice
    assert runtime.cpu_threads >= 1


def test_cpu_is_honoured_even_with_a_gpu() -> None:
    runtime = decide_runtime("cpu", cuda_available=lambda: True)
    assert (runtime.device, runtime.compute_type, runtime.notice) == ("cpu", "int8", None)


def test_cuda_without_a_gpu_is_a_clear_error() -> None:
    with pytest.raises(CompanionError, match="no CUDA GPU"):
        decide_runtime("cuda", cuda_available=lambda: False)


def test_unknown_device_is_rejected() -> None:
    with pytest.raises(CompanionError, match="unknown device"):
        decide_runtime("tpu", cuda_available=lambda: False)  # type: ignore[arg-type]


def test_the_bundled_model_is_default_and_present() -> None:
    assert (bundled_whisper_model() / "model.bin").is_file()
    assert resolve_whisper_model(None) == str(bundled_whisper_model())


def test_a_model_folder_is_used_as_is(tmp_path: Path) -> None:
    assert resolve_whisper_model(str(tmp_path)) == str(tmp_path)


def test_a_named_model_is_not_downloaded_without_permission(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("HF_HUB_CACHE", str(tmp_path))
    with pytest.raises(NotFoundError, match="--allow-download"):
        resolve_whisper_model("large-v3")


def test_data_dir_override_beats_environment(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("COMPANION_DATA_DIR", str(tmp_path / "env"))
    assert default_data_dir() == tmp_path / "env"
    assert default_data_dir(tmp_path / "flag") == tmp_path / "flag"
