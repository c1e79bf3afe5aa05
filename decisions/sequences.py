"""Comparing two sequences within a budget of steps: Myers' O(ND) longest common
subsequence, which stops with `OverBudget` once its budget is spent, so the work is bounded
whatever the inputs."""

from __future__ import annotations


class OverBudget(Exception):
    pass


class Budget:
    """Comparison steps a page may spend; a field's share is charged to the page as well."""

    def __init__(self, limit: int, parent: Budget | None = None) -> None:
        self.limit = min(limit, parent.left) if parent else limit
        self.parent = parent
        self.spent = 0

    @property
    def left(self) -> int:
        return max(0, self.limit - self.spent)

    def share(self, limit: int) -> Budget:
        return Budget(limit, parent=self)

    def spend(self, steps: int) -> None:
        self.spent += steps
        if self.parent is not None:
            self.parent.spend(steps)
        if self.spent > self.limit:
            raise OverBudget


def common_head(a: list[int], b: list[int]) -> int:
    count = 0
    for x, y in zip(a, b, strict=False):
        if x != y:
            break
        count += 1
    return count


def longest_common(a: list, b: list, budget: Budget) -> list[tuple[int, int]]:
    """Index pairs of a longest common subsequence of `a` and `b` (Myers' O(ND) algorithm).

    Raises OverBudget once the steps spent exceed the budget, which bounds the work whatever
    the number of differences D.
    """
    n, m = len(a), len(b)
    if n == 0 or m == 0:
        return []
    limit = budget.left
    steps = 0
    frontier = {1: 0}
    trace = []
    for d in range(n + m + 1):
        trace.append(frontier.copy())
        steps += len(frontier)
        for k in range(-d, d + 1, 2):
            if k == -d or (k != d and frontier[k - 1] < frontier[k + 1]):
                x = frontier[k + 1]
            else:
                x = frontier[k - 1] + 1
            y = x - k
            steps += 1
            while x < n and y < m and a[x] == b[y]:
                x += 1
                y += 1
                steps += 1
            frontier[k] = x
            if steps > limit:
                budget.spend(steps)
            if x >= n and y >= m:
                budget.spend(steps)
                return _backtrack(trace, n, m)
    budget.spend(steps)
    return []


def _backtrack(trace: list[dict[int, int]], x: int, y: int) -> list[tuple[int, int]]:
    pairs = []
    for d in range(len(trace) - 1, -1, -1):
        frontier = trace[d]
        k = x - y
        if k == -d or (k != d and frontier.get(k - 1, -1) < frontier.get(k + 1, -1)):
            previous_k = k + 1
        else:
            previous_k = k - 1
        previous_x = frontier[previous_k]
        previous_y = previous_x - previous_k
        while x > previous_x and y > previous_y:
            x, y = x - 1, y - 1
            pairs.append((x, y))
        x, y = previous_x, previous_y
    pairs.reverse()
    return pairs
