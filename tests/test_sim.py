"""SIM readings beyond the engine-versus-brute-force property test
(``tests/test_properties.py``): pairwise ⊆ joint, the limit on joint replies,
the witness the workbench shows, the ``--sim`` option and the batch engine.

The hand-built case ``TOGETHER`` (A's move from NNN is sanctioned only by B
and C replying together) is from ``tests/test_properties.py``.
"""

from __future__ import annotations

import json
import pathlib
import sys

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings

sys.path.insert(0, str(pathlib.Path(__file__).parent))

from backchannel.case.model import Conflict
from backchannel.errors import AnalysisRefused
from backchannel.gmcr import sim
from backchannel.gmcr.batch import batch_stability
from backchannel.gmcr.engine import improvements, stability_matrix
from backchannel.gmcr.statespace import compile_conflict
from backchannel.web.explain import explain_state
from conftest import RunCli
from strategies import conflicts
from test_properties import TOGETHER


@settings(deadline=None, max_examples=100, suppress_health_check=[HealthCheck.too_slow])
@given(conflicts())
def test_pairwise_stable_is_joint_stable(conflict: Conflict) -> None:
    space = compile_conflict(conflict)
    joint = stability_matrix(space, ["sim"])["sim"]
    pairwise = stability_matrix(space, ["sim"], sim_mode="pairwise")["sim"]
    assert not (pairwise & ~joint).any()
    batch = batch_stability(space, np.stack([space.payoffs] * 2), ["sim"], sim_mode="pairwise")["sim"]
    assert np.array_equal(batch[1], pairwise)


def test_joint_replies_beyond_the_limit_are_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    space = compile_conflict(Conflict.model_validate(TOGETHER))
    monkeypatch.setattr(sim, "MAX_JOINT_REPLIES", 2)
    with pytest.raises(AnalysisRefused, match=r"SIM with joint replies is too large here: at state 1") as e:
        stability_matrix(space, ["sim"])
    assert "--sim pairwise" in str(e.value)
    # the pairwise reading has no such limit
    assert stability_matrix(space, ["sim"], sim_mode="pairwise")["sim"].shape == (3, 8)


def test_sim_reply_is_the_joint_witness() -> None:
    space = compile_conflict(Conflict.model_validate(TOGETHER))
    ui = [improvements(space, d) for d in range(space.n_dms)]
    # A: NNN (state 1) → YNN (state 2); B → NYN (3) and C → NNY (5) together give YYY (8)
    assert sim.sim_reply(space, 0, 0, 1, ui) == ([(1, 2), (2, 4)], 7)
    assert sim.sim_reply(space, 0, 0, 1, ui, "pairwise") is None
    r = explain_state(space, 1, "sim")
    move = r["decision_makers"][0]["explanation"]["improvements"][0]
    assert move["deterred"] and move["sanction"]["by"] == ["B", "C"]
    assert move["sanction"]["result"]["number"] == 8
    assert "B moves to state 3 and C to state 5 at the same time" in move["reason"]


def test_cli_sim_option(tmp_path: pathlib.Path, run_cli: RunCli) -> None:
    case = tmp_path / "together.json"
    case.write_text(json.dumps(TOGETHER))
    code, out, _ = run_cli(["analyze", str(case), "-c", "sim", "-f", "json"])
    assert code == 0
    j = json.loads(out)
    code, out, _ = run_cli(["analyze", str(case), "-c", "sim", "-f", "json", "--sim", "pairwise"])
    assert code == 0
    p = json.loads(out)
    assert j["stability"]["A"]["sim"] == [1, 2, 3, 4, 5, 6, 8]
    assert p["stability"]["A"]["sim"] == [2, 3, 4, 5, 6, 8]
    assert j["meta"]["parameters"]["sim_mode"] == "joint"
    assert p["meta"]["parameters"]["sim_mode"] == "pairwise"
    code, _, err = run_cli(["analyze", str(case), "--sim", "coalition"])
    assert code == 2
    assert "unknown --sim 'coalition': choose from joint, pairwise" in err
    code, out, _ = run_cli(
        ["evolve", str(case), "--from", "1", "-c", "sim", "--sim", "pairwise", "-f", "json"]
    )
    assert code == 0
    assert json.loads(out)["concepts"] == ["sim"]
