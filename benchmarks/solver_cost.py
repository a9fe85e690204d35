"""The block solver's cost per GD step and per run, against a pure-NumPy loop.

    python benchmarks/solver_cost.py [--seeds 1000 10000 50000] [--json OUT]

For ``sharp_wide`` and ``lsq_gd`` at a few step sizes and block sizes, times

* ``gdlab``: ``numerics.run(settings, value, seeds, traced=N)``, the call ``python -m
  gdlab.solve`` makes (drawing each seed's data, the descent with its stopping
  rule, orbit test and rate windows, every recorded row of the first N seeds and
  the first and last of the others, N the problem's ``SPEC.trajectories``, and the
  result's columns), on the default study's settings (``config/config.yaml``);
* ``draw``: the part of it that draws the seeds' data (and, for ``lsq_gd``, the
  least-squares solution and spectrum of each seed), timed on its own;
* ``numpy``: a plain NumPy loop over the same starting points with the same
  arithmetic (the same update and gradient, the same stopping test at every
  step) and nothing else: no recording, no orbit test, no columns.

It reports ns per run-step (wall seconds ÷ the sum over runs of their steps),
seconds per 10⁶ runs and the ratio gdlab ÷ numpy, and counts the runs the loop
stops at another step or with another outcome than gdlab (``cycle`` counts as
``max_steps``: the loop has no orbit test): 0 for ``sharp_wide``; for ``lsq_gd``
a rare run whose gradient norm lands within a rounding of the tolerance can stop
one step apart, as ``numpy.einsum`` may sum a row's products in another order in
the loop's call than in gdlab's.  Each time is the best of
``--repeat`` (other load on the machine only ever adds time).
"""

from __future__ import annotations

import argparse
import json
import platform
import sys
import time
from pathlib import Path

import numpy as np
import yaml

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO / "src"))

from gdlab import grid, problems  # noqa: E402
from gdlab.problems.lsq_gd import numerics as lsq  # noqa: E402
from gdlab.problems.sharp_wide import numerics as sw  # noqa: E402

# step sizes: sharp_wide's α (1e-3: thousands of steps per run, 4.0: most diverge);
# lsq_gd's c, α in units of 2/ρ(XᵀX)
CASES = {"sharp_wide": (1e-3, 1e-2, 0.3, 4.0), "lsq_gd": (0.5, 0.99, 1.5)}
DIVERGED, CONVERGED, MAX_STEPS = 0, 1, 2
OUTCOMES = {
    "diverged": DIVERGED,
    "converged": CONVERGED,
    "max_steps": MAX_STEPS,
    "cycle": MAX_STEPS,
}


# -- the pure-NumPy loop -------------------------------------------------------------


def sw_fprime(x):
    """sharp_wide's f'(x), the same operations as gdlab's, written out."""
    z = 3.0 * (np.minimum(np.maximum(x, -1e6), 1e6) - 3.0)
    e = np.exp(-np.abs(z))
    one_plus_e = 1.0 + e
    ratio, inverse = e / one_plus_e, 1.0 / one_plus_e
    positive = z > 0
    s = np.where(positive, ratio, inverse)
    one_minus_s = np.where(positive, inverse, ratio)
    ds = -3.0 * e / one_plus_e**2
    xc = np.minimum(np.maximum(x, -300.0), 300.0)
    wide = 0.5 * (xc - 10.0) ** 2 + 50.0
    return ds * (10.0 * xc**2 - wide) + s * 20.0 * x + one_minus_s * (x - 10.0)


def sw_dist(x):
    cp = sw.critical_points()
    return np.minimum(np.abs(x - cp["sharp"][0]), np.abs(x - cp["wide"][0]))


def loop(theta, alpha, gradient, dist, take, *, max_steps, tolerance, divergence_factor):
    """Plain GD with gdlab's stopping test at every step: (steps, outcome) per run.

    ``theta``: (runs, d); ``gradient(theta, rows)``, ``dist(theta, rows)`` on the
    active rows; the active set is compacted whenever a run stops."""
    runs = theta.shape[0]
    steps = np.zeros(runs, dtype=np.int64)
    outcome = np.full(runs, MAX_STEPS)
    rows = np.arange(runs)
    alpha = np.broadcast_to(np.asarray(alpha, dtype=float), (runs,))[:, None]
    bound = None
    with np.errstate(all="ignore"):
        for k in range(max_steps + 1):
            g = gradient(theta, rows)
            d = dist(theta, rows)
            gnorm = np.abs(g[:, 0]) if g.shape[1] == 1 else np.sqrt(np.einsum("ij,ij->i", g, g))
            if bound is None:
                bound = divergence_factor * np.maximum(d, 1.0)
            diverged = ~(np.isfinite(gnorm) & np.isfinite(d) & np.isfinite(theta).all(axis=1))
            diverged |= d > bound
            converged = ~diverged & (gnorm <= tolerance)
            stop = diverged | converged
            if k == max_steps:
                stop[:] = True
            if stop.any():
                done = rows[stop]
                steps[done] = k
                outcome[done] = np.where(
                    diverged[stop], DIVERGED, np.where(converged[stop], CONVERGED, MAX_STEPS)
                )
                live = ~stop
                rows, theta, g, bound, alpha = (
                    rows[live],
                    theta[live],
                    g[live],
                    bound[live],
                    alpha[live],
                )
                take(live)
                if not rows.size:
                    break
            theta = theta - alpha * g
    return steps, outcome


def sw_problem(settings, alpha, seeds):
    """(the loop's inputs, the untimed set-up) for one sharp_wide block."""
    x0 = sw.initial_points(settings, seeds)[:, None]

    def run():
        return loop(
            x0.copy(),
            alpha,
            lambda t, _rows: sw_fprime(t),
            lambda t, _rows: sw_dist(t[:, 0]),
            lambda _live: None,
            **stopping(settings),
        )

    return run


def lsq_problem(settings, c, seeds):
    n_samples, n_features = settings["shape"]
    draws = [lsq.draw(s, settings["root_seed"], n_samples, n_features) for s in seeds]
    X = np.stack([d[0] for d in draws])
    Y = np.stack([d[1] for d in draws])
    theta0 = np.stack([d[2] for d in draws])
    star = np.stack([np.linalg.lstsq(x, y, rcond=None)[0] for x, y in zip(X, Y, strict=True)])
    alpha = c * 2.0 / np.stack([lsq.spectrum(x)[0] for x in X])
    H0 = np.einsum("rni,rnj->rij", X, X)
    XtY0 = np.einsum("rni,rn->ri", X, Y)

    def run():
        state = {"H": H0, "XtY": XtY0, "star": star}

        def take(live):
            for key in state:
                state[key] = state[key][live]

        def gradient(t, _rows):
            return np.einsum("rij,rj->ri", state["H"], t) - state["XtY"]

        def dist(t, _rows):
            z = t - state["star"]
            return np.sqrt(np.einsum("ij,ij->i", z, z))

        return loop(theta0.copy(), alpha, gradient, dist, take, **stopping(settings))

    return run


def stopping(settings):
    return {k: settings[k] for k in ("max_steps", "tolerance", "divergence_factor")}


def draw_only(problem, settings, value, seeds):
    if problem == "sharp_wide":
        return sw.initial_points(settings, seeds)
    n_samples, n_features = settings["shape"]
    draws = [lsq.draw(s, settings["root_seed"], n_samples, n_features) for s in seeds]
    for X, Y, _ in draws:
        np.linalg.lstsq(X, Y, rcond=None)
        lsq.spectrum(X)
    return draws


# -- measuring -----------------------------------------------------------------------


def best_of(fn, repeat: int):
    best, cpu, result = float("inf"), float("inf"), None
    for _ in range(repeat):
        w, c = time.perf_counter(), time.process_time()
        result = fn()
        w, c = time.perf_counter() - w, time.process_time() - c
        best, cpu = min(best, w), min(cpu, c)
    return best, cpu, result


def per_run(cols, runs: int):
    """(steps, outcome) per run of gdlab's columns, in seed order."""
    seed = np.asarray(cols["seed"])
    first = np.unique(seed, return_index=True)[1]
    assert first.size == runs
    steps = np.asarray(cols["steps"])[first]
    outcome = np.array([OUTCOMES[cols["outcome"][i]] for i in first])
    return steps, outcome


def measure(problem, value, runs, settings, repeat):
    seeds = list(range(runs))
    numerics = sw if problem == "sharp_wide" else lsq
    traced = problems.spec(problem).trajectories  # as a solver job runs it
    gd_s, gd_cpu, cols = best_of(
        lambda: numerics.run(settings, value, seeds, traced=traced), repeat
    )
    draw_s, _, _ = best_of(lambda: draw_only(problem, settings, value, seeds), repeat)
    make = sw_problem if problem == "sharp_wide" else lsq_problem
    reference = make(settings, value, seeds)
    np_s, np_cpu, (np_steps, np_outcome) = best_of(reference, repeat)
    steps, outcome = per_run(cols, runs)
    run_steps = int(steps.sum())
    return {
        "problem": problem,
        "value": value,
        "runs": runs,
        "run_steps": run_steps,
        "mean_steps": run_steps / runs,
        "rows": len(cols["step"]),
        "stops_differ": int(((steps != np_steps) | (outcome != np_outcome)).sum()),
        "gdlab_s": gd_s,
        "gdlab_cpu_s": gd_cpu,
        "draw_s": draw_s,
        "numpy_s": np_s,
        "numpy_cpu_s": np_cpu,
        "gdlab_ns_per_step": 1e9 * gd_s / max(run_steps, 1),
        "solver_ns_per_step": 1e9 * (gd_s - draw_s) / max(run_steps, 1),
        "numpy_ns_per_step": 1e9 * np_s / max(run_steps, 1),
        "gdlab_s_per_1e6_runs": gd_s * 1e6 / runs,
        "draw_s_per_1e6_runs": draw_s * 1e6 / runs,
        "numpy_s_per_1e6_runs": np_s * 1e6 / runs,
        "ratio": gd_s / np_s,
        "ratio_without_draw": (gd_s - draw_s) / np_s,
    }


def table(results) -> str:
    head = (
        "| problem | value | runs | mean steps | ns/run-step gdlab | ns/run-step numpy "
        "| s per 10⁶ runs gdlab (of which draw) | s per 10⁶ runs numpy | gdlab ÷ numpy "
        "| without draw | stops differ |"
    )
    lines = [head, "|" + "---|" * (head.count("|") - 1)]
    for r in results:
        name = "α" if r["problem"] == "sharp_wide" else "c"
        lines.append(
            f"| {r['problem']} | {name}={r['value']:g} | {r['runs']:,} | {r['mean_steps']:,.0f} "
            f"| {r['gdlab_ns_per_step']:.1f} | {r['numpy_ns_per_step']:.1f} "
            f"| {r['gdlab_s_per_1e6_runs']:,.1f} ({r['draw_s_per_1e6_runs']:,.1f}) "
            f"| {r['numpy_s_per_1e6_runs']:,.1f} | {r['ratio']:.2f} "
            f"| {r['ratio_without_draw']:.2f} | {r['stops_differ']} |"
        )
    return "\n".join(lines)


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--seeds", type=int, nargs="+", default=[1000, 10000, 50000])
    ap.add_argument("--problems", nargs="+", default=list(CASES), choices=list(CASES))
    ap.add_argument("--values", type=float, nargs="+", help="step sizes (default: per problem)")
    ap.add_argument("--repeat", type=int, default=2, help="best of this many runs (default 2)")
    ap.add_argument("--config", default=str(REPO / "config/config.yaml"))
    ap.add_argument("--json", help="write every number here")
    args = ap.parse_args(argv)
    config = yaml.safe_load(Path(args.config).read_text())
    results = []
    for problem in args.problems:
        settings = grid.solver_settings(config, problem)
        for value in args.values or CASES[problem]:
            for runs in args.seeds:
                r = measure(problem, value, runs, settings, args.repeat)
                results.append(r)
                print(
                    f"{problem} {value:g} x{runs}: gdlab {r['gdlab_s']:.2f} s, "
                    f"numpy {r['numpy_s']:.2f} s, ratio {r['ratio']:.2f}",
                    file=sys.stderr,
                    flush=True,
                )
    print(table(results))
    if args.json:
        meta = {
            "python": platform.python_version(),
            "numpy": np.__version__,
            "machine": platform.machine(),
            "load_average": list(__import__("os").getloadavg()),
            "repeat": args.repeat,
        }
        Path(args.json).write_text(json.dumps({"meta": meta, "results": results}, indent=1))
    return 0


if __name__ == "__main__":
    sys.exit(main())
