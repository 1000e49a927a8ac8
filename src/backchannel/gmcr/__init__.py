"""The graph model's analyses, pure functions of a compiled conflict.

``statespace`` compiles a conflict once (feasible states, moves, preference
ranks); ``engine`` and ``batch`` hold the stability and reachability kernels;
``analysis`` is the stability analysis itself; ``coalitions``, ``evolution``,
``inverse``, ``limited_move`` and ``hypergame`` build on them.
"""
