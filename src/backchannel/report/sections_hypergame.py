"""The report's hypergame section: who sees what, and who is surprised."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from ..words import CONCEPT_LABELS
from .html import _e, _state_list, _table

if TYPE_CHECKING:
    from ..gmcr.statespace import StateSpace


#: Rows of the surprise table shown at most.
SURPRISE_LIMIT = 60


SURPRISE_ORDER = ("anticipated", "stealthy", "preference surprise", "unexpected", "strategic surprise")


def _kind_order(kind: str) -> int:
    return SURPRISE_ORDER.index(kind) if kind in SURPRISE_ORDER else len(SURPRISE_ORDER)


_KIND_CLASS = {
    "anticipated": "k-anticipated",
    "stealthy": "k-stealthy",
    "strategic surprise": "k-strategic",
    "preference surprise": "k-preference",
    "unexpected": "k-unexpected",
}


def _hypergame_section(space: StateSpace, located: Callable[[], Any]) -> str:
    from ..errors import AnalysisRefused
    from ..gmcr.hypergame import hypergame, summary

    conflict = space.conflict
    try:
        with located():
            result = hypergame(space)
    except AnalysisRefused as e:
        return f"<p>The hypergame was not analysed: {_e(e)}.</p>"
    data = result.to_dict()
    conflict = result.space.conflict  # with a timeline: the first phase's perceptions
    label = {o.name: o.text for _, o in conflict.options}
    text = {dm.name: dm.text for dm in conflict.decision_makers}
    concepts = data["concepts"]
    out = [
        "<p>Each decision maker acts on its own picture of the conflict: options it does not know "
        "of read as not taken, and it may misjudge others' preferences (Bennett 1980; Wang, Hipel "
        "&amp; Fraser 1988). States are numbered as in the full game.</p>"
    ]
    rows = []
    for dm in conflict.decision_makers:
        per = conflict.perceptions.get(dm.name)
        unaware = ", ".join(label.get(o, o) for o in data["unaware_of"].get(dm.name, [])) or "—"
        beliefs = ", ".join(text.get(j, j) for j in per.preferences) if per and per.preferences else "—"
        nested = (
            "; ".join(
                f"{text.get(j, j)}: {', '.join(label.get(o, o) for o in n.unaware_of) or 'nothing'}"
                for j, n in per.about.items()
            )
            if per and per.about
            else "—"
        )
        rows.append([f"<strong>{_e(dm.text)}</strong>", _e(unaware), _e(beliefs), _e(nested)])
    out.append(
        _table(
            [
                "Decision maker",
                "Does not know of",
                "Own beliefs about the preferences of",
                "Believes unaware",
            ],
            rows,
            caption="What each decision maker sees",
        )
    )
    rows = [
        [
            f"<strong>{_e(dm.text)}</strong>",
            *(_e(_state_list(data["perceived_equilibria"][dm.name][c], 8)) for c in concepts),
        ]
        for dm in conflict.decision_makers
    ]
    out.append(
        _table(
            ["Decision maker", *(CONCEPT_LABELS[c] for c in concepts)],
            rows,
            caption="Equilibria each anticipates in its own picture",
        )
    )
    rows = [
        [_e(CONCEPT_LABELS[c]), _e(_state_list(data["h1"][c], 8)), _e(_state_list(data["h2"][c], 8))]
        for c in concepts
    ]
    out.append(
        _table(
            [
                "Concept",
                "H1: each carries out its part of what it anticipates",
                "H2: stable for each in its own game",
            ],
            rows,
            caption="Hypergame outcomes",
        )
    )
    lines = summary(result)
    if lines:
        out.append("<h3>In words</h3><ul>" + "".join(f"<li>{_e(x)}</li>" for x in lines) + "</ul>")
    surprise = data["surprise"]
    if surprise:
        out.append("<h3>Who is surprised</h3>")
        out.append(
            '<p class="note">For each H1 and H2 outcome (and the observed outcome), per decision maker: '
            "<em>anticipated</em> — one of its anticipated equilibria; <em>preference surprise</em> — it "
            "would have been, had it known the others' true preferences; <em>unexpected</em> — neither; "
            "<em>strategic surprise</em> — the outcome rests on an option it did not know of; "
            "<em>stealthy</em> — hidden options are taken while it sees what it expected.</p>"
        )
        dms = conflict.decision_makers
        rows = []
        for c in concepts:
            of_c = [r for r in surprise if r["concept"] == c]
            if not of_c:
                continue
            cells = []
            for dm in dms:
                counts: dict[str, int] = {}
                for r in of_c:
                    counts[r["kinds"][dm.name]] = counts.get(r["kinds"][dm.name], 0) + 1
                cells.append(
                    "<br>".join(
                        f'<span class="{_KIND_CLASS.get(k, "")}">{_e(k)}</span>: {n}'
                        for k, n in sorted(counts.items(), key=lambda kv: _kind_order(kv[0]))
                    )
                )
            rows.append([_e(CONCEPT_LABELS[c]), str(len(of_c)), *cells])
        out.append(
            _table(
                ["Concept", "Outcomes", *(dm.text for dm in dms)],
                rows,
                caption="Outcomes classified, per concept",
                num=(1,),
            )
        )
        selective = [c for c in concepts if c in ("nash", "seq")] or list(concepts[:1])
        shown = [
            r for r in surprise if r["concept"] in selective or {"observed", "given"} & set(r["source"])
        ][:SURPRISE_LIMIT]
        rows = []
        for r in shown:
            kinds = [
                f'<span class="{_KIND_CLASS.get(r["kinds"][dm.name], "")}">{_e(r["kinds"][dm.name])}</span>'
                for dm in dms
            ]
            rows.append(
                [
                    str(r["state"]),
                    f'<span class="pattern">{_e(r["pattern"])}</span>',
                    f'<code class="taken">{_e(space.describe(r["state"] - 1))}</code>',
                    _e(CONCEPT_LABELS[r["concept"]]),
                    _e(", ".join(r["source"])),
                    *kinds,
                ]
            )
        labels = "/".join(CONCEPT_LABELS[c] for c in selective)
        out.append(
            _table(
                ["State", "Pattern", "Options taken", "Concept", "From", *(dm.name for dm in dms)],
                rows,
                caption=f"The {labels} outcomes and the observed outcome, state by state",
            )
        )
        if len(shown) < len(surprise):
            out.append(
                f'<p class="note">{len(surprise) - len(shown)} rows for the other concepts are counted above '
                "and not listed (<code>backchannel hypergame --format json</code> gives all).</p>"
            )
    if space.conflict.timeline:  # the tables above are the first phase's; the story runs through all
        from ..gmcr.timeline import story, timeline_hypergame

        with located():
            lines = story(timeline_hypergame(space, ("nash",)))
        out.append("<h3>Through the phases</h3><ul>" + "".join(f"<li>{_e(x)}</li>" for x in lines) + "</ul>")
    return "".join(out)
