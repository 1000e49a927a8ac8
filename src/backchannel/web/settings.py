"""The limits a web workbench puts on what one request may ask for."""

from __future__ import annotations

from dataclasses import dataclass

__all__ = ["Limits"]


@dataclass(frozen=True)
class Limits:
    """What the workbench allows a request, a case and a job.

    ``max_body``: bytes in a request body (413 past it); ``max_states``:
    feasible states of a case analysed on the web (422 past it; the command
    line has no such limit); ``analysis_timeout``: seconds an analysis may take
    (504 past it, the server goes on serving); ``analysis_workers``: analyses
    run at once (more wait for a worker, within their time limit);
    ``heavy_processes``: expensive analyses (large texts, many states) run
    in worker processes that are stopped when their time is up (else in
    threads, which cannot be stopped); ``max_jobs``: background jobs at once
    (429 past it); ``max_samples``:
    Monte Carlo samples of one job; ``max_graph_nodes``: states drawn in full
    before the graph keeps only the equilibria, the status quo and the
    reachable states; ``max_rounds``: rounds of the dynamic bargaining model.
    """

    max_body: int = 2 * 1024 * 1024
    max_states: int = 100_000
    analysis_timeout: float = 30.0
    analysis_workers: int = 4
    heavy_processes: bool = True
    max_jobs: int = 2
    max_samples: int = 20_000
    max_graph_nodes: int = 300
    max_rounds: int = 200

    def __post_init__(self) -> None:
        for name in ("max_body", "max_states", "analysis_workers", "max_jobs", "max_samples"):
            if getattr(self, name) < 1:
                raise ValueError(f"Limits.{name} must be at least 1")
        if self.analysis_timeout <= 0:
            raise ValueError("Limits.analysis_timeout must be positive")
