"""Reference values for RateRatioSequenceTests, computed with SciPy, independently of CanaryPilot's code.

Run: /usr/bin/python3 tests/CanaryPilot.Core.Tests/Analysis/Statistics/rate_ratio_reference.py
(Debian: apt-get install python3-scipy; SciPy 1.10.1 produced the values pinned in the tests.)

The definition it follows (docs/judgement.md): per interval, the canary's events given the interval's
events are Binomial(n, expit(log rho + log(Rc/Rs))); the mixture is a N(0, 1) prior on log rho,
discretized on 601 evenly spaced points over [-log 1000, log 1000] and normalized; the confidence
sequence at level 1 - alpha is {rho : L(rho) > alpha * mixture}.
"""
import numpy as np
from scipy import optimize, special, stats

intervals = [  # canary events, stable events, canary requests, stable requests
    (3, 12, 100, 900),
    (5, 20, 480, 520),
    (0, 7, 200, 800),
    (9, 11, 500, 500),
]


def loglik(x):
    total = 0.0
    for c, s, rc, rs in intervals:
        theta = special.expit(x + np.log(rc / rs))
        # the binomial coefficient is a constant in rho; it is left out, as CanaryPilot leaves it out
        total += stats.binom.logpmf(c, c + s, theta) - np.log(special.comb(c + s, c))
    return total


grid = np.linspace(-np.log(1000), np.log(1000), 601)
log_w = stats.norm.logpdf(grid, scale=1.0)
log_w -= special.logsumexp(log_w)
log_mixture = special.logsumexp(log_w + np.array([loglik(x) for x in grid]))
print("loglik(0) =", repr(loglik(0.0)))
print("loglik(log 2) =", repr(loglik(np.log(2))))
print("log mixture =", repr(log_mixture))
print("e-value against rho = 1:", repr(np.exp(log_mixture - loglik(0.0))))
best = optimize.minimize_scalar(lambda x: -loglik(x), bounds=(-10, 10), method="bounded", options={"xatol": 1e-12}).x
print("estimate =", repr(np.exp(best)))
for alpha in (0.05, 0.01):
    f = lambda x: loglik(x) - (np.log(alpha) + log_mixture)
    lower = optimize.brentq(f, -14, best, xtol=1e-13)
    upper = optimize.brentq(f, best, 14, xtol=1e-13)
    print(f"alpha {alpha}: lower = {np.exp(lower)!r}, upper = {np.exp(upper)!r}")
