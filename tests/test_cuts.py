"""Cluster cuts (coverage/optimize/cuts.py): every cut holds for every plan, and the root loop tightens the LP."""

from __future__ import annotations

import itertools
import time

import numpy as np
import pytest
import scipy.sparse as sp

from coverage.optimize import cuts
from coverage.optimize.problem import CoverageProblem


def model(near: np.ndarray, same: np.ndarray, g_same: np.ndarray, g_next: np.ndarray,
          costs: np.ndarray) -> CoverageProblem:
    """A problem straight from reach matrices (communities x sites) and weights."""
    return CoverageProblem(sp.csc_matrix(same.astype(float)), sp.csc_matrix(near.astype(float)), g_same, g_next,
                           costs, np.arange(near.shape[1]), 0.0)


def plans(n: int):
    """Every plan of n sites, as 0/1 vectors."""
    return (np.array(bits, dtype=float) for bits in itertools.product((0, 1), repeat=n))


def value_of(problem: CoverageProblem, x: np.ndarray) -> float:
    z = np.minimum(1.0, problem.near_rows @ x)
    y = np.minimum(1.0, problem.same_rows @ x)
    return float(problem.g_next @ z + problem.g_extra @ y)


def brute_force(problem: CoverageProblem, budget: float) -> float:
    return max(value_of(problem, x) for x in plans(problem.near.shape[1]) if problem.costs @ x <= budget + 1e-9)


def random_instance(rng: np.random.Generator, m: int, n: int) -> CoverageProblem:
    near = rng.random((m, n)) < 0.35
    same = near & (rng.random((m, n)) < 0.6)
    population = rng.integers(1, 100, m).astype(float)
    weight = rng.choice([0.0, 0.5, 1.0])
    return model(near, same, population, weight * population, rng.choice([1.0, 2.0], n))


def test_best_cover_and_its_envelope():
    # a triangle: three sites, each reaching two of three communities of weight 1
    best = cuts.best_cover(np.array([0b011, 0b110, 0b101]), np.ones(3), 3)
    assert best.tolist() == [0.0, 2.0, 3.0]
    assert cuts.envelope_line(best, 1.5) == (1.0, 1.0)     # v1 + v2 + v3 <= 1 + x1 + x2 + x3
    assert cuts.envelope_line(best, 0.5) == (0.0, 2.0)
    assert cuts.envelope_line(best, 2.5) == (3.0, 0.0)


def test_every_cut_holds_for_every_plan_of_random_instances():
    rng = np.random.default_rng(7)
    checked = 0
    for _ in range(200):
        problem = random_instance(rng, m=9, n=8)
        x = rng.choice([0.0, 1 / 3, 0.5], problem.near.shape[1])     # where an LP shares sites
        z = np.minimum(1.0, problem.near_rows @ x)
        y = np.minimum(1.0, problem.same_rows @ x)
        found = cuts.separate(problem.near_rows, problem.same_rows, problem.g_next, problem.g_extra, x, z, y,
                              time.monotonic() + 10)
        for cut in found:
            assert cut.violation(x, y if cut.tier == "same" else z) > 0     # it cuts off the point it was made for
            for plan in plans(problem.near.shape[1]):
                level = np.minimum(1.0, (problem.same_rows if cut.tier == "same" else problem.near_rows) @ plan)
                assert cut.violation(plan, level) <= 1e-9, (cut, plan)
            checked += 1
    assert checked >= 20    # the separator found enough cuts for the check to mean something


def test_the_root_loop_cuts_off_the_triangle_and_stays_above_the_optimum():
    # three sites (cost 1) reach a triangle of communities pairwise; a cheap fourth site (cost 0.5) reaches
    # a small one, so the count cut allows three sites.  The LP opens each triangle site by half (value 3);
    # any plan within 1.5 reaches at most two of the triangle plus the small one (2.1).
    near = np.array([[1, 0, 1, 0], [1, 1, 0, 0], [0, 1, 1, 0], [0, 0, 0, 1]], dtype=bool)
    weights = np.array([1.0, 1.0, 1.0, 0.1])
    problem = model(near, near, weights, np.zeros(4), np.array([1.0, 1.0, 1.0, 0.5]))
    plain = problem.lp_relaxation(1.5, [], time.monotonic() + 30)
    assert plain["value"] == pytest.approx(3.0)
    cut = problem.lp_relaxation(1.5, [], time.monotonic() + 30, cut_seconds=5)
    assert cut["value_before_cuts"] == pytest.approx(3.0)
    assert cut["cuts"] and cut["cut_rounds"] >= 1
    assert brute_force(problem, 1.5) == pytest.approx(2.1)
    assert 2.1 - 1e-9 <= cut["value"] <= 2.6 + 1e-9 and cut["bound"] == pytest.approx(cut["value"])


def test_the_lp_with_cuts_is_still_a_bound_on_random_instances():
    rng = np.random.default_rng(11)
    tightened = 0
    for _ in range(25):
        problem = random_instance(rng, m=10, n=9)
        budget = float(rng.choice([2.0, 3.0, 4.0]))
        lp = problem.lp_relaxation(budget, [], time.monotonic() + 30, cut_seconds=5)
        optimum = brute_force(problem, budget)
        assert lp["value"] <= lp["value_before_cuts"] + 1e-7
        assert lp["bound"] >= optimum - 1e-6 and lp["value"] >= optimum - 1e-6
        tightened += lp["value"] < lp["value_before_cuts"] - 1e-6
    assert tightened >= 1
