"""A tiny Argos Translate package built offline: a SentencePiece model trained on a few lines and a
one-layer CTranslate2 Transformer with seeded random weights. Its translations are nonsense; it
exists so that tests can install, load and run a real package through the real engines."""

from __future__ import annotations

import io
import json
import zipfile
from pathlib import Path
from typing import Any

import numpy as np

CORPUS = [
    "Shenyang auto parts maker seeks a joint venture partner in Japan.",
    "We are looking for distributors of brake systems and engine parts.",
    "The company produces bearings, valves and machine tools for export.",
    "Investment wanted for a new factory of electronic components.",
    "Trade fair for small and medium enterprises in Liaoning province.",
    "Agents wanted: textiles, garments and food products for Tokyo.",
] * 8

D_MODEL, HEADS, FFN = 16, 2, 32


def _fill(spec: Any, vocab_size: int, rng: np.random.Generator) -> None:
    """Give every weight of a one-layer Transformer spec a shape and seeded random values."""
    from ctranslate2.specs import common_spec

    def linear(layer: common_spec.LinearSpec, rows: int, cols: int) -> None:
        layer.weight = rng.normal(0, 0.2, (rows, cols)).astype(np.float32)

    def norm(layer: common_spec.LayerNormSpec) -> None:
        layer.gamma = np.ones(D_MODEL, np.float32)
        layer.beta = np.zeros(D_MODEL, np.float32)

    encoder, decoder = spec.encoder, spec.decoder
    for embeddings in (*encoder.embeddings, decoder.embeddings):
        embeddings.weight = rng.normal(0, 0.2, (vocab_size, D_MODEL)).astype(np.float32)
    for part in (encoder, decoder):
        norm(part.layer_norm)
        for layer in part.layer:
            attention = layer.self_attention
            norm(attention.layer_norm)
            linear(attention.linear[0], 3 * D_MODEL, D_MODEL)
            linear(attention.linear[1], D_MODEL, D_MODEL)
            norm(layer.ffn.layer_norm)
            linear(layer.ffn.linear_0, FFN, D_MODEL)
            linear(layer.ffn.linear_1, D_MODEL, FFN)
            if hasattr(layer, "attention"):
                cross = layer.attention
                norm(cross.layer_norm)
                linear(cross.linear[0], D_MODEL, D_MODEL)
                linear(cross.linear[1], 2 * D_MODEL, D_MODEL)
                linear(cross.linear[2], D_MODEL, D_MODEL)
    linear(decoder.projection, vocab_size, D_MODEL)


def build_package(directory: Path, source: str = "en", target: str = "zh", version: str = "1.0",
                  seed: int = 7) -> Path:
    """Write `translate-SOURCE_TARGET.argosmodel` into `directory` and return its path."""
    import ctranslate2
    import sentencepiece

    work = directory / f"translate-{source}_{target}"
    (work / "model").mkdir(parents=True, exist_ok=True)
    model = io.BytesIO()
    sentencepiece.SentencePieceTrainer.train(sentence_iterator=iter(CORPUS), model_writer=model, vocab_size=80,
                                             character_coverage=1.0, model_type="unigram", hard_vocab_limit=False,
                                             minloglevel=2)
    (work / "sentencepiece.model").write_bytes(model.getvalue())
    pieces = sentencepiece.SentencePieceProcessor(model_proto=model.getvalue())
    vocabulary = [pieces.id_to_piece(i) for i in range(pieces.get_piece_size())]

    spec = ctranslate2.specs.TransformerSpec.from_config(1, HEADS)
    _fill(spec, len(vocabulary), np.random.default_rng(seed))
    spec.register_source_vocabulary(vocabulary)
    spec.register_target_vocabulary(vocabulary)
    spec.validate()
    spec.save(str(work / "model"))
    (work / "metadata.json").write_text(json.dumps({
        "package_version": version, "argos_version": "1.9", "from_code": source, "to_code": target,
        "from_name": source, "to_name": target}))
    archive = directory / f"translate-{source}_{target}-{version}.argosmodel"
    with zipfile.ZipFile(archive, "w") as z:
        for path in sorted(work.rglob("*")):
            z.write(path, path.relative_to(directory))
    return archive
