# ---
# jupyter:
#   jupytext:
#     formats: py:percent
#     text_representation:
#       extension: .py
#       format_name: percent
#   kernelspec:
#     display_name: Python 3
#     language: python
#     name: python3
# ---

# %% [markdown]
# # What works, and how knowledge flowed
#
# Once rounds have been published and members have said how they went, two
# questions can be answered from evidence rather than from the help graph's
# *could*:
#
# - **What works?** For each format — mentoring pairs, reciprocal exchanges,
#   learning circles — how many relations there were, how many got an answer,
#   how often the goal was met and how useful members found it; then within
#   each format by direction (North → South, South → South …), region,
#   language community, theme and round.
# - **How did knowledge flow?** Who actually learned from whom, on what, round
#   after round: new and repeated ties, between which regions, which themes
#   reached many members, and where a need never met any know-how.
#
# **Reading the numbers.** A *relation* is a mentoring pair, an exchange, or
# one member of a circle. An *answer* is one member's feedback on it. "Goal
# met" is a share of the answers, shown with a 95% interval (Wilson): the
# range the true share most likely lies in — with few answers it is wide.
# Usefulness (1 to 5) is a mean with a bootstrap interval. A group with fewer
# than 5 answers is **too few to tell**: it has no figure, and is never ranked
# above or below another. Two formats differ clearly only when the interval of
# their difference leaves out zero.
#
# **Only aggregates.** A notebook sees what a Hub key sees: counts and shares,
# no member names, no comments, and groups small enough to point at a member
# (fewer than 5 relations, or 5 flows) left out — the tables say how many.
#
# **Which history?** With the demo network: its bundled history, which is
# **synthetic** — six invented past rounds with invented feedback, made with a
# seed so that there is something to look at; it says nothing about real
# members. Set `PEERMATCH_HISTORY` to your network's history document (with
# `PEERMATCH_NETWORK`), or `PEERMATCH_URL` and `PEERMATCH_API_KEY` (a hub key)
# to read the aggregates of a running peermatch service (see `01_capacity_map`).
#
# **Which language?** `LANG` in the first cell translates the labels and
# verdicts in the tables and figures; the notebook's own text and column
# headings stay in English.

# %%
# %matplotlib inline
import matplotlib.pyplot as plt
import numpy as np
import pandas as pd

from matcher import default_taxonomy
from matcher.flow import flow_map
from matcher.outcomes import outcome_analysis
from service.documents.flow import flow_document
from service.documents.outcomes import OutcomesDocument, outcomes_document
from service.report.outcome_figures import outcomes_figure
from service.usecases.history import to_history
from service.usecases.notebook_source import (
    history_source,
    load_aggregates,
    load_history_document,
    load_network_for_notebook,
    network_source,
)

LANG = "en"  # labels in en, fr, es, pt or ar; text and headings stay in English
pd.set_option("display.max_colwidth", None)  # verdicts are sentences: show them whole

network = load_network_for_notebook()
taxonomy = default_taxonomy()
source = history_source()
if source.kind == "service":
    # The service computes them; a hub key gets the aggregates only.
    aggregates = load_aggregates(LANG)
    outcomes = OutcomesDocument.model_validate(aggregates["outcomes"])
    flow = aggregates["flow"]
else:
    # The same functions the service calls, with the Hub's audience.
    history = to_history(network, load_history_document(network))
    outcomes = outcomes_document(outcome_analysis(history), lang=LANG, audience="hub")
    flow = flow_document(flow_map(history), lang=LANG, audience="hub")
print(f"{len(network.members)} members, read from {network_source()}")
print(f"history: {len(flow['rounds'])} published rounds, read from {source}")

# %% [markdown]
# ## What works: the formats side by side
#
# One row per format. *Response rate*: the share of relations on which at least
# one side answered. *Goal met* and *usefulness* are over the answers, with
# their interval in brackets. The verdict says it in words.


# %%
def share(value):
    return "—" if value is None else f"{value:.0%}"


def interval(point, bounds, fmt="{:.0%}"):
    if point is None or bounds is None:
        return "—"
    return f"{fmt.format(point)} [{fmt.format(bounds.low)}–{fmt.format(bounds.high)}]"


def outcome_row(group):
    return {
        "group": group.label,
        "relations": group.relations,
        "answered": group.answered,
        "answers": group.answers,
        "response rate": share(group.response_rate),
        "goal met": interval(group.share_met, group.share_met_interval),
        "usefulness (1–5)": interval(group.mean_usefulness, group.usefulness_interval, "{:.1f}"),
        "verdict": group.verdict,
    }


pd.DataFrame(
    [outcome_row(f.overall) | {"group": f.label} for f in outcomes.formats if f.overall]
).set_index("group")

# %% [markdown]
# The figure draws each estimate as a dot on its interval: first each format
# (bold), then its groups by direction. Rows that say *too few to tell* have
# too few answers for a figure.

# %%
outcomes_figure(outcomes)

# %% [markdown]
# ### Differences between formats
#
# The first format's figure minus the second's, with the interval of the
# difference: when it includes zero, the data do not show a difference.

# %%
differences = pd.DataFrame(
    [
        {
            "comparison": d.label,
            "goal met (difference)": interval(d.share_met, d.share_met_interval, "{:+.0%}"),
            "usefulness (difference)": interval(
                d.mean_usefulness, d.usefulness_interval, "{:+.1f}"
            ),
            "verdict": d.verdict,
        }
        for d in outcomes.differences
    ]
)
differences.set_index("comparison") if len(differences) else "no format to compare yet"

# %% [markdown]
# ### Within each format
#
# Every grouping of a format, in a fixed order (never sorted by result); a
# group with too few answers says so instead of giving a figure.
# Change `FORMAT` to `"exchange"` or `"circle"` to look at another format.

# %%
FORMAT = "mentoring"
chosen = next(f for f in outcomes.formats if f.format == FORMAT)
rows = [
    outcome_row(g) | {"grouping": grouping.label}
    for grouping in chosen.groupings
    for g in grouping.groups
    if g.relations  # a group without relations has nothing to say
]
left_out = sum(g.left_out for g in chosen.groupings)
print(f"{chosen.label}: {left_out} small groups left out (fewer than 5 relations)")
pd.DataFrame(rows).set_index(["grouping", "group"]) if rows else "no relation yet"

# %% [markdown]
# ## How knowledge flowed
#
# A **flow** is one theme passed from a giver to a receiver (a mentor to a
# mentee, each side of an exchange, a circle's anchor to a member); a **tie** is
# a giver → receiver pair, *new* in the first round it appears, *repeated*
# when it comes back. Per round and for all rounds:
#
# - *both give and receive*: the share of the members in a relation who gave
#   know-how and also received some;
# - *South–South density*: the Southern → Southern ties there were, out of all
#   there could be between Southern members;
# - *across regions / languages*: the share of flows whose giver and receiver
#   differ in region, or in first language.

# %%
labels = flow["labels"]
indicators = [
    {"round": f"round {r['order'] + 1}", "format": labels["formats"][r["format"]]} | r["indicators"]
    for r in flow["rounds"]
]
indicators.append({"round": "all rounds", "format": ""} | flow["cumulative"]["indicators"])
table = pd.DataFrame(indicators).set_index("round")
table[
    ["format", "flows", "ties", "new_ties", "repeated_ties", "reciprocity",
     "south_south_density", "crossing_region_share", "crossing_language_share"]
].style.format(
    {"reciprocity": share, "south_south_density": lambda v: "—" if v is None else f"{v:.1%}",
     "crossing_region_share": share, "crossing_language_share": share},
    na_rep="—",
)  # fmt: skip

# %% [markdown]
# ### Between regions, round after round
#
# One small square per round and one for all rounds: rows are the giving
# region, columns the receiving region, the number the flows. Grey cells were
# left out (fewer than 5 flows: they could point at a member).

# %%
regions = [labels["regions"][r] for r in flow["regions"]]
panels = [(f"round {r['order'] + 1}", r["matrix"]) for r in flow["rounds"]]
panels.append(("all rounds", flow["cumulative"]["matrix"]))
columns = min(4, len(panels))
rows_ = -(-len(panels) // columns)
fig, axes = plt.subplots(rows_, columns, figsize=(3.2 * columns, 3.0 * rows_), squeeze=False)
for ax, (title, matrix) in zip(axes.ravel(), panels, strict=False):
    values = np.array([[np.nan if x is None else x for x in row] for row in matrix], dtype=float)
    ax.set_facecolor("#d9d9d9")  # left-out cells
    ax.imshow(np.ma.masked_invalid(values), cmap="Blues", vmin=0)
    for (r, c), x in np.ndenumerate(values):
        if not np.isnan(x) and x:
            dark = x > 0.6 * np.nanmax(values)
            ax.text(c, r, int(x), ha="center", va="center", fontsize=7,
                    color="white" if dark else "black")  # fmt: skip
    ax.set_title(title, fontsize=9)
    ax.set_xticks(range(len(regions)), regions, rotation=60, ha="right", fontsize=6)
    ax.set_yticks(range(len(regions)), regions, fontsize=6)
for ax in axes.ravel()[len(panels) :]:
    ax.set_axis_off()
fig.tight_layout()
print(f"{flow['suppressed']['matrix_cells']} cells left out across the matrices")

# %% [markdown]
# The graph of who learned from whom names members, so it is in the report
# (`peermatch report`) and the console's Flow page, not here.
#
# ### Who the flow did not reach
#
# Over all rounds: members in no published relation, members who only ever
# received or only ever gave, and members with a need that no flow ever met.

# %%
counts = flow["member_counts"]
pd.Series(
    {
        "never reached": counts["never_reached"],
        "only receiving": counts["only_receiving"],
        "only giving": counts["only_giving"],
        "giving and receiving": counts["both"],
        "in a relation without a flow": counts["no_flow"],
        "with a need never met": counts["needs_unmet"],
    },
    name="members",
).to_frame()

# %% [markdown]
# ### Reach of each theme, and knowledge deserts
#
# For each theme: how many members received it, from how many distinct
# givers, in how many flows, and how many members need it now (of them, how
# many never received it). A **knowledge desert** is a theme that members of a
# region need and that never reached anyone in that region.

# %%
themes = pd.DataFrame(
    [
        {
            "theme": labels["themes"][t["theme"]],
            "received by": t["receivers"],
            "from givers": t["sources"],
            "flows": t["flows"],
            "needed by": t["demand"],
            "never received": t["needs_unmet"],
        }
        for t in flow["themes"]
    ]
)
print(f"{flow['suppressed']['themes']} themes with fewer than 5 flows left out")
themes.sort_values(["flows", "needed by"], ascending=False).set_index("theme").head(15)

# %%
deserts = pd.DataFrame(
    [
        {
            "theme": labels["themes"][d["theme"]],
            "region": labels["regions"][d["region"]],
            "members who need it": d["demand"],
        }
        for d in flow["deserts"]
    ]
)
print(f"{len(deserts)} knowledge deserts; the 15 with the most members in need:")
(
    deserts.sort_values("members who need it", ascending=False).head(15).reset_index(drop=True)
    if len(deserts)
    else deserts
)

# %% [markdown]
# **Brokers** of realised flow (members through whom know-how travelled
# furthest) are members, so only their number is given here; the report and
# the console name them.

# %%
print(f"{flow['brokers_count']} brokers of realised flow")
