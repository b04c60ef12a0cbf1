"""Reference values for RateRatioSequenceTests, computed with SciPy, independently of CanaryPilot's code.

Run: /usr/bin/python3 tests/CanaryPilot.Core.Tests/Analysis/Statistics/rate_ratio_reference.py
(Debian: apt-get install python3-scipy; SciPy 1.10.1 produced the values pinned in the tests.)

The definition it follows (docs/judgement.md): per interval, the canary's events given the interval's
events are Binomial(n, expit(log rho + log(Rc/Rs))). The grid is 1201 evenly spaced log ratios over
[-log 1000, log 1000], step h. The e-value for "rho above rho0" is sum_k w_k L(log rho0 + k h) / L(log rho0)
over k = 1..ceil(6 tau / h), w_k proportional to exp(-(k h)^2 / (2 tau^2)) and summing to one (tau = 0.5);
"below" mirrors it. The lower bound at level alpha is the highest grid point whose "above" e-value, from
the grid's likelihoods (offsets past the grid's end left out), reaches 1/alpha; the upper bound the lowest
whose "below" e-value does. Here every grid point is tried (no bisection).
"""
import numpy as np
from scipy import optimize, special, stats

intervals = [  # canary events, stable events, canary requests, stable requests
    (3, 12, 100, 900),
    (5, 20, 480, 520),
    (0, 7, 200, 800),
    (9, 11, 500, 500),
]
tau = 0.5


def loglik(x):
    total = 0.0
    for c, s, rc, rs in intervals:
        theta = special.expit(x + np.log(rc / rs))
        # the binomial coefficient is a constant in rho; it is left out, as CanaryPilot leaves it out
        total += stats.binom.logpmf(c, c + s, theta) - np.log(special.comb(c + s, c))
    return total


grid = np.linspace(-np.log(1000), np.log(1000), 1201)
h = grid[1] - grid[0]
offsets = np.arange(1, int(np.ceil(6 * tau / h)) + 1) * h
log_w = -0.5 * (offsets / tau) ** 2
log_w -= special.logsumexp(log_w)
grid_ll = np.array([loglik(x) for x in grid])


def e_value(x0, direction):
    return np.exp(special.logsumexp(log_w + np.array([loglik(x0 + direction * d) for d in offsets]) - loglik(x0)))


def e_value_at_grid(j, direction):
    k = np.arange(1, len(offsets) + 1)
    js = j + direction * k
    keep = (js >= 0) & (js < len(grid))
    if not keep.any():
        return 0.0
    return np.exp(special.logsumexp(log_w[keep] + grid_ll[js[keep]] - grid_ll[j]))


print("loglik(0) =", repr(loglik(0.0)))
print("loglik(log 2) =", repr(loglik(np.log(2))))
print("e-value above 1:", repr(e_value(0.0, +1)))
print("e-value below 1:", repr(e_value(0.0, -1)))
print("e-value above 1.2:", repr(e_value(np.log(1.2), +1)))
print("e-value below 0.3:", repr(e_value(np.log(0.3), -1)))
best = optimize.minimize_scalar(lambda x: -loglik(x), bounds=(-10, 10), method="bounded", options={"xatol": 1e-12}).x
print("estimate =", repr(np.exp(best)))
for alpha in (0.05, 0.01):
    above = [j for j in range(len(grid)) if e_value_at_grid(j, +1) >= 1 / alpha]
    below = [j for j in range(len(grid)) if e_value_at_grid(j, -1) >= 1 / alpha]
    print(f"alpha {alpha}: lower = {np.exp(grid[max(above)])!r}, upper = {np.exp(grid[min(below)])!r}")
