"""Monte Carlo over the named futures: ``run`` (the analysis and its result),
``montecarlo`` (sampling and evaluating one batch), ``backends`` (in-process,
processes, Dask)."""
