"""The bundled model's forward pass in plain torch: tokenise, six BERT layers, mean pooling, unit length.

all-MiniLM-L6-v2 is a small BERT encoder whose sentence vector is the mean of its last layer over
the real (unpadded) tokens, scaled to length 1. Loading it through sentence-transformers costs
~5 s of Python imports (transformers, scikit-learn, scipy) before a single weight is read; this
module needs only torch, `tokenizers` and `safetensors`, so the model is ready in ~1.3 s and a
one-question embedding skips ~1.5 ms of library bookkeeping.

Precision. In float32 the vectors are sentence-transformers' own (a real-model test holds them
within 1e-5). Where the CPU multiplies bfloat16 in hardware (AVX512-BF16, AMX), `precision="auto"`
runs the six layers in bfloat16: ~3× the throughput of a batch on one core (NINDS sentence units
3.8k → 11.3k word pieces a second) and half the weight bytes a single question reads (5.3 → 2.2
ms), while each vector keeps a cosine ≥ 0.9998 with the float32 one (the embeddings, pooling and
normalisation stay float32). Retrieval on every question set, MEDIQA and SciFact was measured both
ways (EVALUATION.md). `KB_PRECISION=float32` (index.embedder) asks for the exact vectors; either
precision can search or update an index built by the other.

`BertEncoder.supports(model_dir)` says whether a model directory is one this module computes
exactly (a BERT encoder, mean pooling, then Normalize); anything else stays with
sentence-transformers (`index.embedder`). No training, no other pooling, no GPU.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import numpy as np

PRECISIONS = ("auto", "float32", "bfloat16")  # auto: bfloat16 where the CPU has it, else float32

SUPPORTED_MODULES = (
    "sentence_transformers.models.Transformer",
    "sentence_transformers.models.Pooling",
    "sentence_transformers.models.Normalize",
)


def _read_json(path: Path) -> Any:
    return json.loads(path.read_text(encoding="utf-8"))


class BertEncoder:
    """Sentence vectors from a sentence-transformers BERT + mean pooling + Normalize directory."""

    def __init__(self, model_dir: Path, precision: str = "auto"):
        import torch  # ~1 s: only when a model is really wanted
        from safetensors.torch import load_file
        from tokenizers import Tokenizer

        if precision not in PRECISIONS:
            raise ValueError(f"precision {precision!r}: use one of {', '.join(PRECISIONS)}")
        config = _read_json(model_dir / "config.json")
        self._torch = torch
        self._heads = int(config["num_attention_heads"])
        self._eps = float(config["layer_norm_eps"])
        self._tokenizer = Tokenizer.from_file(str(model_dir / "tokenizer.json"))
        max_length = int(_read_json(model_dir / "sentence_bert_config.json")["max_seq_length"])
        self._tokenizer.enable_truncation(max_length)
        self._tokenizer.no_padding()  # tokenizer.json may ask for padding: `forward` pads each batch itself
        self._pad_id = int(config.get("pad_token_id", 0))
        weights = load_file(str(model_dir / "model.safetensors"))
        weights = {name.removeprefix("bert."): tensor for name, tensor in weights.items()}
        self._word = weights["embeddings.word_embeddings.weight"]
        self._position = weights["embeddings.position_embeddings.weight"]
        self._token_type = weights["embeddings.token_type_embeddings.weight"][0]  # single texts: type 0
        self._embedding_norm = _norm(weights, "embeddings.LayerNorm")
        self._layers = [_Layer(weights, f"encoder.layer.{i}.") for i in range(int(config["num_hidden_layers"]))]
        self.dimension = int(config["hidden_size"])
        # The embeddings, pooling and normalisation stay float32; only the six layers' matrix
        # multiplies (and the activations between them) change precision.
        self.precision = (
            "bfloat16" if precision == "bfloat16" or (precision == "auto" and _bf16_native()) else "float32"
        )
        self._dtype = getattr(torch, self.precision)  # of the layers and the activations between them
        if self.precision == "bfloat16":
            self._layers = [layer.to(self._dtype) for layer in self._layers]

    @staticmethod
    def supports(model_dir: Path) -> bool:
        """Whether model_dir holds exactly the pipeline this module computes."""
        try:
            modules = _read_json(model_dir / "modules.json")
            config = _read_json(model_dir / "config.json")
            pooling = _read_json(model_dir / "1_Pooling" / "config.json")
            _read_json(model_dir / "sentence_bert_config.json")
        except (OSError, ValueError):
            return False
        mean_only = pooling.get("pooling_mode_mean_tokens") is True and not any(
            pooling.get(key) for key in pooling if key.startswith("pooling_mode_") and key != "pooling_mode_mean_tokens"
        )
        return (
            tuple(module.get("type") for module in modules) == SUPPORTED_MODULES
            and config.get("model_type") == "bert"
            and config.get("hidden_act") == "gelu"
            and config.get("position_embedding_type", "absolute") == "absolute"
            and mean_only
            and (model_dir / "model.safetensors").is_file()
            and (model_dir / "tokenizer.json").is_file()
        )

    def embed(self, texts: list[str]) -> np.ndarray:
        """One unit-length float32 row per text (one batch: the caller chooses its size)."""
        return self.forward(self.tokenize(texts))

    def tokenize(self, texts: list[str]) -> list[list[int]]:
        """Each text's word-piece ids ([CLS] … [SEP], truncated to the model's limit), unpadded:
        the caller can sort by their length before batching, and no text is tokenised twice."""
        return [encoding.ids for encoding in self._tokenizer.encode_batch(texts)]

    def forward(self, ids: list[list[int]]) -> np.ndarray:
        """One unit-length float32 row per tokenised text (one batch, padded to its longest)."""
        torch = self._torch
        functional = torch.nn.functional
        lengths = [len(row) for row in ids]
        length = max(lengths, default=0)
        padded = np.full((len(ids), length), self._pad_id, dtype=np.int64)
        for row, text_ids in enumerate(ids):
            padded[row, : len(text_ids)] = text_ids
        mask = torch.from_numpy(np.arange(length)[None, :] < np.array(lengths)[:, None])
        with torch.inference_mode():
            batch = len(ids)
            width = self.dimension
            x = self._word[torch.from_numpy(padded)] + self._position[:length] + self._token_type
            x = functional.layer_norm(x, (width,), *self._embedding_norm, self._eps).to(self._dtype)
            # Padding keys are never attended to; a batch of equal lengths needs no mask at all.
            attend = None if min(lengths, default=0) == length else mask[:, None, None, :]
            head = width // self._heads
            for layer in self._layers:
                qkv = functional.linear(x, layer.qkv_weight, layer.qkv_bias)
                q, k, v = qkv.view(batch, length, 3, self._heads, head).permute(2, 0, 3, 1, 4)
                attended = functional.scaled_dot_product_attention(q, k, v, attn_mask=attend)
                attended = attended.transpose(1, 2).reshape(batch, length, width)
                x = functional.layer_norm(
                    functional.linear(attended, *layer.attention_out) + x, (width,), *layer.attention_norm, self._eps
                )
                inner = functional.linear(functional.gelu(functional.linear(x, *layer.intermediate)), *layer.out)
                x = functional.layer_norm(inner + x, (width,), *layer.out_norm, self._eps)
            x = x.float()
            weights = mask.unsqueeze(-1).to(x.dtype)
            pooled = (x * weights).sum(dim=1) / weights.sum(dim=1).clamp(min=1e-9)
            return functional.normalize(pooled, dim=1).numpy()


class _Layer:
    """One encoder layer's weights; query, key and value stacked so they cost one matrix multiply."""

    def __init__(self, weights: dict[str, Any], prefix: str):
        import torch

        def get(name: str) -> Any:
            return weights[prefix + name]

        parts = ("query", "key", "value")
        self.qkv_weight = torch.cat([get(f"attention.self.{p}.weight") for p in parts])
        self.qkv_bias = torch.cat([get(f"attention.self.{p}.bias") for p in parts])
        self.attention_out = (get("attention.output.dense.weight"), get("attention.output.dense.bias"))
        self.attention_norm = _norm(weights, prefix + "attention.output.LayerNorm")
        self.intermediate = (get("intermediate.dense.weight"), get("intermediate.dense.bias"))
        self.out = (get("output.dense.weight"), get("output.dense.bias"))
        self.out_norm = _norm(weights, prefix + "output.LayerNorm")

    def to(self, dtype: Any) -> _Layer:
        """This layer with every weight in `dtype`."""
        copy = object.__new__(_Layer)
        for name, value in vars(self).items():
            setattr(copy, name, tuple(t.to(dtype) for t in value) if isinstance(value, tuple) else value.to(dtype))
        return copy


def _bf16_native() -> bool:
    """Whether this CPU multiplies bfloat16 in hardware (AVX512-BF16 or AMX, read from Linux's
    /proc/cpuinfo) and torch's oneDNN kernels can use it. Elsewhere float32: emulated bfloat16 is
    slower, and a CPU this cannot see into is not guessed at."""
    import torch

    try:
        flags = set(Path("/proc/cpuinfo").read_text(encoding="ascii", errors="replace").split())
        return bool({"avx512_bf16", "amx_bf16"} & flags) and bool(torch.ops.mkldnn._is_mkldnn_bf16_supported())
    except (OSError, AttributeError, RuntimeError):
        return False


def _norm(weights: dict[str, Any], prefix: str) -> tuple[Any, Any]:
    return weights[prefix + ".weight"], weights[prefix + ".bias"]
