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
# # Capacity map: where are the strengths, where are the gaps?
#
# Every member says which themes it is good at (**expertise**, 0–4) and which it
# needs help with (**needs**, 0–3). This notebook adds those up across the
# network:
#
# - an **expert** on a theme is a member at level 3 or 4; a member **in need**
#   is one at need level 2 or 3;
# - the heatmap shows, for each theme and region, experts / members in need:
#   blue where experts outnumber needs, red where needs outnumber experts;
# - **unserved** members are those no expert sharing one of their working
#   languages could take, even if every expert gave that theme all its time:
#   that expertise has to come from outside the network;
# - a **single point of failure** is a theme and language where one expert
#   only can help: if it leaves, the members who depend on it have nobody.
#
# You do not need to change anything to run it: *Run → Run All Cells*.
#
# **Which network?** By default the demo network bundled with peermatch (126
# fictional members). To use your own, set the environment variable
# `PEERMATCH_NETWORK` to the path of a network JSON file before starting
# Jupyter (`PEERMATCH_NETWORK=~/network.json jupyter lab`), or set
# `PEERMATCH_URL` and `PEERMATCH_API_KEY` to read it from a running peermatch
# service: a *hub* key is enough (ask the secretariat for one; it reads the
# network without contact persons, and changes nothing). The first cell below
# says which one it read.
#
# **Which language?** `LANG` in the first cell translates the labels in the
# tables and figures (themes, regions, reasons); the notebook's own text and
# column headings stay in English.

# %%
# %matplotlib inline
import matplotlib.pyplot as plt
import numpy as np
from IPython.display import HTML, display

from matcher import capacity_map, default_taxonomy, network_arrays
from matcher.capacity_map import NORTH_SOUTH
from service import report
from service.documents.capacity_map import group_label, unmet_reason
from service.usecases.notebook_source import load_network_for_notebook, network_source

LANG = "en"  # labels in en, fr, es, pt or ar; text and headings stay in English

network = load_network_for_notebook()
taxonomy = default_taxonomy()
arrays = network_arrays(network, taxonomy)
print(f"{len(network.members)} members, read from {network_source()}")

# %% [markdown]
# ## Supply and demand by theme and region
#
# One row per theme somebody needs, the most needed at the top. The numbers in
# a cell are *experts / members in need* in that region. These are the same
# figures as `peermatch map --format json`.

# %%
cmap = capacity_map(arrays, by="region")
report.capacity_heatmap(cmap, taxonomy, lang=LANG)

# %% [markdown]
# ## Global South and Global North
#
# The same counts split by side: where would Southern members find help from
# Southern experts, and where does the South rely on the North?

# %%
themes = report.heatmap_rows(cmap)[:15]
rows = [cmap.theme(key) for key in themes]
y = np.arange(len(rows))
fig, axes = plt.subplots(1, 2, figsize=(12, 1.5 + 0.35 * len(rows)), sharey=True, sharex=True)
for side, ax in enumerate(axes):
    ax.barh(y - 0.2, [r.north_south[side].supply_members for r in rows], 0.4, label="experts")
    ax.barh(y + 0.2, [r.north_south[side].demand_members for r in rows], 0.4, label="in need")
    ax.set_title(group_label(NORTH_SOUTH[side], LANG))
axes[0].set_yticks(y, [taxonomy.label(key, LANG) for key in themes])
axes[0].invert_yaxis()
axes[1].legend(loc="lower right")
fig.tight_layout()

south = cmap.south_south
share = "—" if south.share is None else f"{south.share:.0%}"
print(
    f"South–South potential: {south.met} of {south.needs} Southern needs ({share}) "
    "could be met by a Southern expert sharing a language."
)

# %% [markdown]
# ## Unmet needs: expertise to bring in from outside
#
# Per theme and working language: `no_expert` means no expert speaks the
# language at all; `not_enough_capacity` means the experts who speak it cannot
# take everyone (an estimate: members and experts may work in several languages).

# %%
display(
    HTML(
        report.html_table(
            ["theme", "language", "why", "members", "in need", "experts", "mentor capacity"],
            [
                [taxonomy.label(g.theme, LANG), g.language, unmet_reason(g.code, LANG), g.members,
                 g.demand, g.experts, g.capacity]
                for g in cmap.unmet[:15]
            ],
        )
    )
)
print(f"{len(cmap.unmet)} (theme, language) gaps in all")

# %% [markdown]
# ## Single points of failure
#
# *dependents*: members in need who speak the language; *stranded*: those of
# them with no other expert in any of their languages.

# %%
names = {m.id: m.name for m in network.members}
display(
    HTML(
        report.html_table(
            ["theme", "language", "only expert", "name", "dependents", "stranded"],
            [
                [taxonomy.label(s.theme, LANG), s.language, s.expert, names[s.expert],
                 s.dependents, s.stranded]
                for s in cmap.single_points_of_failure[:15]
            ],
        )
    )
)
print(f"{len(cmap.single_points_of_failure)} single points of failure in all")

# %% [markdown]
# ## Try it yourself
#
# - `capacity_map(arrays, by="kind")` splits supply and demand by national
#   coalitions, regional networks and international NGOs instead of regions;
# - `cmap.theme("budget_tracking")` gives every count for one theme;
# - change `LANG` in the first cell to `"fr"`, `"es"`, `"pt"` or `"ar"` (theme,
#   region and reason labels only: the rest of the notebook stays in English).
