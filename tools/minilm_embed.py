"""Embed every training and test unit with the full all-MiniLM-L6-v2 transformer, for the ablation only
(development: needs torch and transformers, never part of the product or CI).

    python tools/minilm_embed.py MINILM_DIR TEXTS.json OUT.npz

TEXTS.json is a JSON list of strings, every text the ablation embeds:
`python -m agent.evals.ablation --texts TEXTS.json` writes it.
"""

from __future__ import annotations

import json
import sys

import numpy as np
import torch
from transformers import AutoModel, AutoTokenizer


def main(model_dir: str, texts_path: str, out: str) -> None:
    with open(texts_path, encoding="utf-8") as fh:
        texts = json.load(fh)
    tokenizer = AutoTokenizer.from_pretrained(model_dir)
    model = AutoModel.from_pretrained(model_dir).eval()
    vectors = []
    with torch.no_grad():
        for start in range(0, len(texts), 64):
            batch = tokenizer(texts[start : start + 64], padding=True, truncation=True, max_length=256,
                              return_tensors="pt")
            hidden = model(**batch).last_hidden_state
            mask = batch["attention_mask"].unsqueeze(-1).float()
            pooled = (hidden * mask).sum(1) / mask.sum(1)
            vectors.append(torch.nn.functional.normalize(pooled, dim=1).numpy())
    np.savez(out, texts=np.array(texts), vectors=np.vstack(vectors).astype(np.float32))


if __name__ == "__main__":
    main(*sys.argv[1:4])
