"""Back-of-the-envelope estimates that make a risk concrete.

Tail latency of a synchronous chain
    Each hop's latency is modelled as log-normal, fitted to its median (p50) and 99th
    percentile (p99). The end-to-end latency is the sum of the hops; the sum of log-normals
    is approximated by a log-normal with the same mean and variance (Fenton-Wilkinson), a
    closed form, so the estimate is exact to repeat and costs nothing. The share of requests
    that meet at least one hop's slow tail is 1 - 0.99^n.

Backlog drain time
    backlog / (processing rate - arrival rate); when arrivals keep up with processing the
    backlog never drains.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

Z_99 = 2.3263478740408408  # the standard normal's 99th percentile


@dataclass(frozen=True)
class TailLatency:
    hops: int
    p_hit_any_p99: float
    p50_ms: float
    p99_ms: float

    def as_dict(self) -> dict:
        return {
            "hops": self.hops,
            "p_hit_any_p99": self.p_hit_any_p99,
            "p50_ms": self.p50_ms,
            "p99_ms": self.p99_ms,
        }


@dataclass(frozen=True)
class Backlog:
    drains: bool
    drain_seconds: float | None
    # Processing minus arrivals: how fast the backlog shrinks (0 or less: it never does).
    net_rate_per_s: float = 0.0

    def as_dict(self) -> dict:
        return {"drains": self.drains, "drain_seconds": self.drain_seconds}


def estimate_tail_latency(hops: int, hop_p50_ms: float, hop_p99_ms: float) -> TailLatency:
    """End-to-end p50/p99 of `hops` sequential calls with the given per-hop p50/p99."""
    if hops < 1:
        raise ValueError("a chain has at least one hop")
    if hop_p50_ms <= 0 or hop_p99_ms < hop_p50_ms:
        raise ValueError("per-hop latencies need 0 < p50 <= p99")
    mu = math.log(hop_p50_ms)
    sigma = (math.log(hop_p99_ms) - mu) / Z_99
    hop_mean = math.exp(mu + sigma**2 / 2)
    hop_variance = (math.exp(sigma**2) - 1) * math.exp(2 * mu + sigma**2)
    mean = hops * hop_mean
    variance = hops * hop_variance
    sum_sigma2 = math.log(1 + variance / mean**2)
    sum_mu = math.log(mean) - sum_sigma2 / 2
    return TailLatency(
        hops=hops,
        p_hit_any_p99=round(1 - 0.99**hops, 4),
        p50_ms=round(math.exp(sum_mu), 1),
        p99_ms=round(math.exp(sum_mu + Z_99 * math.sqrt(sum_sigma2)), 1),
    )


def estimate_backlog(
    backlog_messages: float, processing_rate_per_s: float, arrival_rate_per_s: float = 0.0
) -> Backlog:
    """How long a queue of `backlog_messages` takes to empty, or that it never does."""
    net_rate = processing_rate_per_s - arrival_rate_per_s
    if backlog_messages <= 0:
        return Backlog(drains=True, drain_seconds=0.0, net_rate_per_s=net_rate)
    if net_rate <= 0:
        return Backlog(drains=False, drain_seconds=None, net_rate_per_s=net_rate)
    return Backlog(
        drains=True, drain_seconds=round(backlog_messages / net_rate, 1), net_rate_per_s=net_rate
    )
