"""Fitted tree ensembles as flat node arrays, walked together for a few rows.

sklearn predicts a forest tree by tree, with a Python-level call per tree,
and each XGBoost call carries a fixed cost: for the three rows of a
pre-trade request that is 25 ms (3 × 150 sklearn trees) or 0.3 ms (three
boosters), while the comparisons themselves are a few thousand. Here every
tree of the three targets' models is one set of node arrays (leaves point to
themselves) and all trees step down one level per numpy operation, with each
library's own rule:

- sklearn: the input cast to float32, left when ``x <= threshold``; a forest
  predicts the mean of its trees' leaf values;
- XGBoost (read from its JSON model, float32 splits and leaves): left when
  ``x < split``, a missing value takes the tree's default direction; a booster
  predicts its base score plus the sum of its leaves.

Meant for small batches: the walk holds trees × rows node indices.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

import numpy as np


@dataclass(frozen=True)
class _Tree:
    feature: np.ndarray
    threshold: np.ndarray
    left: np.ndarray  # -1 at a leaf
    right: np.ndarray
    missing: np.ndarray  # the child a NaN goes to
    value: np.ndarray  # leaf values (anything at inner nodes)


def _sklearn_trees(forest: Any) -> list[_Tree]:
    out = []
    for estimator in forest.estimators_:
        t = estimator.tree_
        out.append(
            _Tree(
                t.feature,
                t.threshold,
                t.children_left,
                t.children_right,
                t.children_right,
                t.value[:, 0, 0],
            )
        )
    return out


def _xgboost_trees(booster: Any) -> tuple[list[_Tree], float]:
    model = json.loads(booster.save_raw("json"))["learner"]
    out = []
    for t in model["gradient_booster"]["model"]["trees"]:
        left, right = np.array(t["left_children"]), np.array(t["right_children"])
        split = np.array(t["split_conditions"], dtype=np.float32)
        out.append(
            _Tree(
                np.array(t["split_indices"]),
                split,
                left,
                right,
                np.where(np.array(t["default_left"]) == 1, left, right),
                split,
            )
        )
    base = float(str(model["learner_model_param"]["base_score"]).strip("[]"))
    return out, base


class TreeStack:
    """The trees of one model per target, walked together."""

    def __init__(self, trees: dict[str, list[_Tree]], *, strict: bool, mean: bool,
                 base: dict[str, float] | None = None) -> None:  # fmt: skip
        parts: dict[str, list[np.ndarray]] = {k: [] for k in _Tree.__dataclass_fields__}
        roots, self.bounds, offset = [], [0], 0
        for per_target in trees.values():
            for tree in per_target:
                nodes = np.arange(tree.left.size)
                leaf = tree.left < 0
                parts["feature"].append(np.where(leaf, 0, tree.feature))
                parts["threshold"].append(np.asarray(tree.threshold))
                for name in ("left", "right", "missing"):
                    parts[name].append(np.where(leaf, nodes, getattr(tree, name)) + offset)
                parts["value"].append(np.asarray(tree.value, dtype=float))
                roots.append(offset)
                offset += nodes.size
            self.bounds.append(len(roots))
        self.feature, self.threshold, self.left, self.right, self.missing, self.value = (
            np.concatenate(parts[k]) for k in _Tree.__dataclass_fields__
        )
        self.roots = np.array(roots)
        # children[node] = (left, right): one gather per level instead of two
        self.children = np.stack([self.left, self.right], axis=1)
        self.depth = self._depth()
        self.targets, self.strict, self.mean = list(trees), strict, mean
        self.base = base or {}

    def _depth(self) -> int:
        """Levels to the deepest leaf: the walk runs exactly that many steps."""
        inner = self.left != np.arange(self.left.size)
        frontier, depth = self.roots, 0
        while inner[frontier].any():
            frontier = frontier[inner[frontier]]
            frontier = np.concatenate([self.left[frontier], self.right[frontier]])
            depth += 1
        return depth

    @classmethod
    def from_forests(cls, forests: dict[str, Any]) -> TreeStack:
        return cls({k: _sklearn_trees(f) for k, f in forests.items()}, strict=False, mean=True)

    @classmethod
    def from_boosters(cls, boosters: dict[str, Any]) -> TreeStack:
        parsed = {k: _xgboost_trees(b) for k, b in boosters.items()}
        return cls({k: p[0] for k, p in parsed.items()}, strict=True, mean=False,
                   base={k: p[1] for k, p in parsed.items()})  # fmt: skip

    def predict(self, x: np.ndarray) -> dict[str, np.ndarray]:
        x32 = np.asarray(x, dtype=np.float32)
        rows = np.arange(x32.shape[0])[None, :]
        node = np.repeat(self.roots[:, None], x32.shape[0], axis=1)
        missing = bool(np.isnan(x32).any())
        for _ in range(self.depth):  # leaves point to themselves: extra steps stay put
            value = x32[rows, self.feature[node]]
            threshold = self.threshold[node]
            right = value >= threshold if self.strict else value > threshold
            step = self.children[node, right.view(np.int8)]
            node = np.where(np.isnan(value), self.missing[node], step) if missing else step
        leaves = self.value[node]
        out = {}
        for i, target in enumerate(self.targets):
            part = leaves[self.bounds[i] : self.bounds[i + 1]]
            if self.mean:
                out[target] = part.mean(axis=0)
            else:  # XGBoost's float32 running sum from the base score, tree by tree
                start = np.full((1, part.shape[1]), self.base[target])
                out[target] = np.vstack([start, part]).astype(np.float32).sum(axis=0)
                out[target] = out[target].astype(float)
        return out
