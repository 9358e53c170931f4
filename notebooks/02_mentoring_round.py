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
# # Mentoring round: who is paired with whom, and why
#
# A mentoring round pairs members who need help on a theme (**mentees**) with
# members who are stronger on it (**mentors**), under simple rules: they share
# a working language, nobody takes more mentees (or mentors) than it offered,
# excluded pairs are never made and locked pairs always are.
#
# Every possible pair gets a **score**: what the mentor can teach on each of
# the mentee's needs (one point = an urgent need met by someone who can train
# others), plus small policy bonuses — for instance for South–South pairs — and
# a penalty for pairs that already met. Among all the ways of pairing members,
# the round first reaches as many mentees as possible, then takes the largest
# total score, and it *proves* that no other pairing does better.
#
# This notebook runs a round, shows why each pair was proposed and why some
# members got no mentor, compares the two ways of choosing pairs, and shows
# what happens when the South–South bonus is raised or lowered.
#
# **Which network?** The demo network by default; set `PEERMATCH_NETWORK` to a
# network JSON file, or `PEERMATCH_URL` and `PEERMATCH_API_KEY` (a hub key) to
# read from a running peermatch service (see `01_capacity_map`).
#
# **Which language?** `LANG` in the first cell translates the labels in the
# tables and figures (themes, reasons, directions); the notebook's own text
# and column headings stay in English.

# %%
# %matplotlib inline
from collections import Counter

import matplotlib.pyplot as plt
from IPython.display import HTML, display

from matcher import ScoringPolicy, default_taxonomy, mentoring_round, network_arrays
from service import report
from service.documents.encoding import reason_label, reason_text
from service.usecases.notebook_source import load_network_for_notebook, network_source

LANG = "en"  # labels in en, fr, es, pt or ar; text and headings stay in English

network = load_network_for_notebook()
taxonomy = default_taxonomy()
arrays = network_arrays(network, taxonomy)
names = {m.id: m.name for m in network.members}
print(f"{len(network.members)} members, read from {network_source()}")

# %% [markdown]
# ## The round
#
# The default round, exactly as `peermatch match` runs it.

# %%
result = mentoring_round(network, taxonomy=taxonomy, arrays=arrays)
print(
    f"{result.mentees_matched} of {result.mentees_with_needs} members seeking a mentor get one, "
    f"in {len(result.pairs)} pairs; total score {result.total_score:.3f} "
    f"({'proven optimal' if result.optimal else 'not proven optimal'})"
)
report.round_figure(result, network, lang=LANG)

# %% [markdown]
# ## The pairs and their reasons
#
# The reasons add up to the score, largest first.

# %%
display(
    HTML(
        report.html_table(
            ["mentee", "mentor", "score", "language", "why"],
            [
                [p.mentee, p.mentor, f"{p.score:.2f}", ", ".join(p.languages),
                 reason_text(p.reasons, taxonomy, LANG)]
                for p in result.pairs[:20]
            ],
        )
    )
)

# %% [markdown]
# ### Why this pair?
#
# Pick any mentee: every part of the score of its mentor(s).

# %%
mentee = result.pairs[0].mentee
for pair in (p for p in result.pairs if p.mentee == mentee):
    labels = [reason_label(r, taxonomy, LANG) for r in pair.reasons]
    fig, ax = plt.subplots(figsize=(8, 0.5 + 0.4 * len(labels)))
    ax.barh(labels, [r.contribution for r in pair.reasons], color="#2166ac")
    ax.invert_yaxis()
    ax.set_title(f"{names[pair.mentor]} → {names[pair.mentee]}: score {pair.score:.2f}")
    fig.tight_layout()

# %% [markdown]
# ## Who is left without a mentor, and why
#
# The first rule, from the hardest to lift, that kept each of them out: no
# mentor speaks any of its languages, nobody who shares a language is stronger
# on its needs, every mentor who could help is excluded for it, or every
# mentor who could help is full.

# %%
members = {m.id: m for m in network.members}
why = Counter(u.code for u in result.unmatched)
for code in report.UNMATCHED_CODES:
    if why[code]:
        print(f"{report.unmatched_label(code, LANG)}: {why[code]}")
display(
    HTML(
        report.html_table(
            ["member", "name", "why"],
            [
                [u.member, names[u.member],
                 report.unmatched_reason(u.code, members[u.member], taxonomy, LANG)]
                for u in result.unmatched
            ],
        )
    )
)

# %% [markdown]
# ## Welfare or stable?
#
# *welfare* (the default) takes the largest total score. *stable* makes sure
# no mentor and mentee would both rather be together than with the partners
# they were given. To do so it may leave some mentees without a mentor (a
# welfare round first reaches as many mentees as it can; a stable one does
# not) and take a lower total score: the cell below prints both differences.

# %%
stable = mentoring_round(network, taxonomy=taxonomy, arrays=arrays, objective="stable")
welfare_pairs = {(p.mentee, p.mentor) for p in result.pairs}
stable_pairs = {(p.mentee, p.mentor) for p in stable.pairs}
display(
    HTML(
        report.html_table(
            ["objective", "mentees matched", "pairs", "total score"],
            [
                [r.objective, r.mentees_matched, len(r.pairs), f"{r.total_score:.3f}"]
                for r in (result, stable)
            ],
        )
    )
)
print(
    f"stable reaches {stable.mentees_matched} of the {stable.mentees_with_needs} members "
    f"seeking a mentor, welfare {result.mentees_matched}: "
    f"{result.mentees_matched - stable.mentees_matched} more left without a mentor; "
    f"total score {stable.total_score:.3f} instead of {result.total_score:.3f}; "
    f"{len(welfare_pairs & stable_pairs)} pairs are in both rounds"
)

# %% [markdown]
# ## What if we favour South–South exchanges more?
#
# The South–South bonus is added to the score of every pair where both members
# are in the Global South (default 0.15 — a sixth of a full theme point). The
# sweep below runs one round per value and counts the pairs by direction
# (mentor → mentee), the mentees reached and the *theme score*: what is
# actually taught, bonuses left out.

# %%
bonuses = [0.0, 0.05, 0.15, 0.3, 0.5, 1.0]
sweep = []
for bonus in bonuses:
    policy = ScoringPolicy(south_south_bonus=bonus)
    r = mentoring_round(network, taxonomy=taxonomy, arrays=arrays, policy=policy)
    taught = sum(x.contribution for p in r.pairs for x in p.reasons if x.kind == "theme")
    moved = len({(p.mentee, p.mentor) for p in r.pairs} - welfare_pairs)
    sweep.append((bonus, r, taught, moved, report.pair_directions(r, network)))

display(
    HTML(
        report.html_table(
            ["South–South bonus", "mentees matched", "coverage", "pairs", "South→South",
             "North→South", "theme score", "pairs not in the default round"],
            [
                [bonus, r.mentees_matched, f"{r.mentees_matched / r.mentees_with_needs:.0%}",
                 len(r.pairs), d["south_south"], d["north_south"], f"{taught:.2f}", moved]
                for bonus, r, taught, moved, d in sweep
            ],
        )
    )
)

fig, (left, right) = plt.subplots(1, 2, figsize=(12, 4), layout="constrained")
for direction in report.DIRECTIONS:
    left.plot(
        bonuses, [d[direction] for *_, d in sweep], marker="o", label=report.direction_label(direction, LANG)
    )
left.set_xlabel("South–South bonus")
left.set_ylabel("pairs")
# Outside the axes: inside, it covered the last bonus's points.
left.legend(loc="upper left", bbox_to_anchor=(1.0, 1.0), frameon=False)
right.plot(bonuses, [taught for _, _, taught, _, _ in sweep], marker="o", color="#b2182b")
right.set_xlabel("South–South bonus")
right.set_ylabel("theme score (what is taught)")

# %% [markdown]
# Reading it, on the demo network: a larger bonus turns North→South pairs into South→South ones
# while the number of mentees reached stays the same (the round always
# reaches as many as it can first); the price is a little theme score, as a
# Southern mentor is sometimes slightly less strong on the need. The same
# knob is `peermatch match --south-south-bonus 0.3` on the command line.
