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
# # Learning circles and the help graph
#
# The **help graph** links two members whenever one could mentor the other:
# they share a working language and the mentor is stronger on one of the
# other's needs. It shows how know-how could travel through the network.
#
# - **Learning circles** are groups of 4 to 8 members who learn one theme
#   together in one shared language, around at least one *anchor* who knows the
#   theme well. They are formed on the themes with the most unmet demand.
# - **Reciprocal exchanges** are pairs where each side can teach the other
#   something.
# - **Brokers** are members that many chains of help pass through — often
#   because they speak two languages or bridge two regions. They are good
#   people to ask for introductions, and a risk if they leave.
#
# In the picture, colours are the circle themes, thick lines the exchanges,
# and the named members the main brokers.
#
# **Which network?** The demo network by default; set `PEERMATCH_NETWORK` to a
# network JSON file, or `PEERMATCH_URL` and `PEERMATCH_API_KEY` (a hub key) to
# read from a running peermatch service (see `01_capacity_map`).
#
# **Which language?** `LANG` in the first cell translates the labels in the
# tables and figures (themes, reasons, legend); the notebook's own text and
# column headings stay in English.

# %%
# %matplotlib inline
import matplotlib.pyplot as plt
import networkx as nx
from IPython.display import HTML, display

from matcher import (
    capacity_map,
    default_taxonomy,
    exchange_pairs,
    form_circles,
    help_graph,
    louvain_circles,
    network_arrays,
    random_circles,
)
from service import report
from service.documents.encoding import reason_text
from service.usecases.notebook_source import load_network_for_notebook, network_source

LANG = "en"  # labels in en, fr, es, pt or ar; text and headings stay in English

network = load_network_for_notebook()
taxonomy = default_taxonomy()
arrays = network_arrays(network, taxonomy)
names = {m.id: m.name for m in network.members}
print(f"{len(network.members)} members, read from {network_source()}")

# %% [markdown]
# ## The help graph, circles, exchanges and brokers
#
# The same computations as `peermatch circles`, `peermatch exchanges` and
# `peermatch map` (for the brokers).

# %%
graph = help_graph(arrays)
cmap = capacity_map(arrays, graph=graph)
circles = form_circles(arrays)
exchanges = exchange_pairs(arrays)
print(
    f"help graph: {graph.number_of_nodes()} members, {graph.number_of_edges()} "
    f"who-can-help-whom links; {len(circles.circles)} circles; {len(exchanges.pairs)} exchanges"
)
report.help_graph_figure(
    graph, circles=circles, exchanges=exchanges, cmap=cmap, taxonomy=taxonomy, lang=LANG
)

# %% [markdown]
# ## The circles
#
# *need covered* adds, for each learner, its need on the theme times the level
# of the best anchor in its circle (out of 4).

# %%
display(
    HTML(
        report.html_table(
            ["#", "theme", "language", "anchors", "learners", "need covered"],
            [
                [k, taxonomy.label(c.theme, LANG), c.language,
                 ", ".join(m.id for m in c.members if m.role == "anchor"),
                 ", ".join(m.id for m in c.members if m.role == "learner"),
                 f"{c.need_covered:.2f}"]
                for k, c in enumerate(circles.circles, start=1)
            ],
        )
    )
)
print(
    f"need covered {circles.need_covered:.2f}; no set of circles can cover more than "
    f"{circles.bound:.2f} (gap {circles.gap:.1%}); {len(circles.left_out)} needs left out"
)

# %% [markdown]
# ### How good are they?
#
# The same themes grouped two simpler ways: at random, and by Louvain
# communities of similar members. The bar on the right is the most any set of
# circles could cover.

# %%
themes = list(circles.themes)
baselines = {
    "random": random_circles(arrays, themes=themes, seed=0),
    "Louvain": louvain_circles(arrays, themes=themes, seed=0),
    "peermatch": circles,
}
fig, ax = plt.subplots(figsize=(7, 3))
labels = [*baselines, "upper bound"]
values = [r.need_covered for r in baselines.values()] + [circles.bound]
ax.bar(labels, values, color=["#bababa", "#bababa", "#2166ac", "#f4a582"])
ax.set_ylabel("need covered")
fig.tight_layout()

# %% [markdown]
# ## Brokers up close
#
# The top broker and everyone it can help or be helped by (change `broker`
# to any member id to look at another one).

# %%
broker = cmap.brokers[0].member if cmap.brokers else network.ids[0]
near = nx.ego_graph(graph, broker, undirected=True)
fig, ax = plt.subplots(figsize=(8, 6))
position = nx.spring_layout(near, seed=report.LAYOUT_SEED)
nx.draw_networkx_edges(near, position, ax=ax, alpha=0.2, arrows=False)
nx.draw_networkx_nodes(
    near,
    position,
    ax=ax,
    node_size=60,
    node_color=["#b2182b" if m == broker else "#4393c3" for m in near.nodes],
)
nx.draw_networkx_labels(near, position, labels={broker: broker}, ax=ax, font_size=9)
ax.set_title(
    f"{names[broker]}: can help {graph.out_degree(broker)}, helped by {graph.in_degree(broker)}"
)
ax.set_axis_off()

display(
    HTML(
        report.html_table(
            ["#", "member", "name", "betweenness", "can help", "helped by"],
            [
                [k, b.member, names[b.member], f"{b.score:.4f}", b.can_help, b.helped_by]
                for k, b in enumerate(cmap.brokers, start=1)
            ],
        )
    )
)

# %% [markdown]
# ## The exchanges
#
# Each pair, and what each side teaches the other.

# %%
display(
    HTML(
        report.html_table(
            ["a", "b", "score", "a teaches b", "b teaches a"],
            [
                [e.a, e.b, f"{e.score:.2f}", reason_text(e.a_to_b_reasons, taxonomy, LANG),
                 reason_text(e.b_to_a_reasons, taxonomy, LANG)]
                for e in exchanges.pairs
            ],
        )
    )
)
