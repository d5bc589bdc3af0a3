"""Agreement statistics for ordinal scores and labels, in plain Python (no numpy on the offline path)."""

from __future__ import annotations

from collections.abc import Sequence


def exact(pred: Sequence[int], gold: Sequence[int]) -> float:
    return sum(p == g for p, g in zip(pred, gold, strict=True)) / len(gold) if gold else 0.0


def within_one(pred: Sequence[int], gold: Sequence[int]) -> float:
    return sum(abs(p - g) <= 1 for p, g in zip(pred, gold, strict=True)) / len(gold) if gold else 0.0


def mae(pred: Sequence[int], gold: Sequence[int]) -> float:
    return sum(abs(p - g) for p, g in zip(pred, gold, strict=True)) / len(gold) if gold else 0.0


def quadratic_kappa(pred: Sequence[int], gold: Sequence[int], low: int = 1, high: int = 5) -> float:
    """Cohen's kappa with quadratic weights: the standard agreement figure for an ordinal 1-5 scale."""
    k = high - low + 1
    n = len(gold)
    if n == 0:
        return 0.0
    observed = [[0.0] * k for _ in range(k)]
    for p, g in zip(pred, gold, strict=True):
        observed[g - low][p - low] += 1
    gold_hist = [sum(row) for row in observed]
    pred_hist = [sum(observed[i][j] for i in range(k)) for j in range(k)]
    num = den = 0.0
    for i in range(k):
        for j in range(k):
            weight = (i - j) ** 2 / (k - 1) ** 2
            num += weight * observed[i][j]
            den += weight * gold_hist[i] * pred_hist[j] / n
    return 1.0 - num / den if den else 1.0


def _ranks(values: Sequence[float]) -> list[float]:
    order = sorted(range(len(values)), key=lambda i: values[i])
    ranks = [0.0] * len(values)
    i = 0
    while i < len(order):
        j = i
        while j + 1 < len(order) and values[order[j + 1]] == values[order[i]]:
            j += 1
        for m in range(i, j + 1):
            ranks[order[m]] = (i + j) / 2 + 1
        i = j + 1
    return ranks


def spearman(pred: Sequence[float], gold: Sequence[float]) -> float:
    """Rank correlation with ties averaged; 0 when either side is constant."""
    if len(gold) < 2:
        return 0.0
    rp, rg = _ranks(pred), _ranks(gold)
    mp, mg = sum(rp) / len(rp), sum(rg) / len(rg)
    cov = sum((a - mp) * (b - mg) for a, b in zip(rp, rg, strict=True))
    vp = sum((a - mp) ** 2 for a in rp) ** 0.5
    vg = sum((b - mg) ** 2 for b in rg) ** 0.5
    return cov / (vp * vg) if vp and vg else 0.0


def confusion(pred: Sequence[str], gold: Sequence[str], labels: Sequence[str]) -> list[list[int]]:
    """Rows are the gold label, columns the prediction, in `labels` order."""
    index = {label: i for i, label in enumerate(labels)}
    table = [[0] * len(labels) for _ in labels]
    for p, g in zip(pred, gold, strict=True):
        table[index[g]][index[p]] += 1
    return table


def precision_recall_f1(tp: int, fp: int, fn: int) -> tuple[float, float, float]:
    """With nothing to find and nothing found, all three are 1: no error was made."""
    precision = tp / (tp + fp) if tp + fp else (1.0 if fn == 0 else 0.0)
    recall = tp / (tp + fn) if tp + fn else (1.0 if fp == 0 else 0.0)
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return precision, recall, f1
