"""``analyze``'s JSON, streamed with orjson a chunk of states at a time, is
the text ``json.dumps(result.to_dict(), indent=2, ensure_ascii=False)`` gives
(and the compact form parses to the same data), whatever the chunk size."""

from __future__ import annotations

import io
import json
from typing import Any

import pytest

from backchannel.gmcr import results
from backchannel.gmcr.analysis import stability


@pytest.mark.parametrize("case", ["elmira", "ukraine-backchannel", "prisoners-dilemma"])
@pytest.mark.parametrize("chunk", [1, 7, 1 << 15])
def test_streamed_json_is_the_plain_json(case: str, chunk: int, monkeypatch: pytest.MonkeyPatch) -> None:
    r = stability(case)
    want = json.dumps(r.to_dict(), indent=2, ensure_ascii=False)
    real = results.state_rows_text
    calls: list[tuple[int, int]] = []

    def rows(space: Any, start: int, stop: int, indent: int | None) -> Any:
        calls.append((start, stop))
        return real(space, start, stop, indent)

    monkeypatch.setattr(results, "state_rows_text", rows)
    buf = io.BytesIO()
    r.write_json(buf, chunk=chunk)
    assert buf.getvalue().decode() == want
    assert len(calls) == -(-r.space.n_states // chunk)
    assert json.loads(r.to_json(indent=None)) == json.loads(want)
    compact = io.BytesIO()
    r.write_json(compact, indent=None, chunk=chunk)
    assert compact.getvalue().decode() == json.dumps(r.to_dict(), ensure_ascii=False, separators=(",", ":"))
