"""The flow map's document on the hand-built history of tests/test_flow.py:
what an admin sees, what a hub sees (no member, counts under 5 flows left
out and counted), labels in the language asked for."""

from __future__ import annotations

import json

import pytest

from matcher.flow import flow_map
from service.documents.flow import flow_document, member_rows
from tests.test_flow import HISTORY, MEMBERS

NAMES = {p.id: f"Name of {p.id}" for p in MEMBERS}


def test_an_admin_sees_the_members_and_brokers():
    doc = flow_document(flow_map(HISTORY), lang="en", audience="admin", names=NAMES)
    assert doc["member_counts"] == {
        "never_reached": 1,
        "only_receiving": 4,
        "only_giving": 1,
        "both": 3,
        "no_flow": 1,
        "needs_unmet": 3,
    }
    assert [(b["member"], b["name"]) for b in doc["brokers"]] == [
        ("b", "Name of b"),
        ("a", "Name of a"),
        ("d", "Name of d"),
    ]
    assert doc["cumulative"]["matrix"][3] == [3, 0, 0, 1, 1] and doc["suppressed"]["themes"] == 0
    assert member_rows(flow_map(HISTORY), "only_receiving", NAMES)[0] == {
        "member": "c",
        "name": "Name of c",
        "themes": [],
    }


def test_a_hub_sees_aggregates_only():
    doc = flow_document(flow_map(HISTORY), lang="en", audience="hub")
    text = json.dumps(doc)
    assert not [p.id for p in MEMBERS if f'"{p.id}"' in text]
    assert "brokers" not in doc and doc["brokers_count"] == 3
    # Every cell of this small history has 1 to 4 flows: all left out, zeros stay.
    assert doc["cumulative"]["matrix"][3] == [None, 0, 0, None, None]
    # Round cells: 2 + 2 + 3 non-zero; overall: 6.
    assert [r["suppressed_cells"] for r in doc["rounds"]] == [2, 2, 3]
    assert doc["cumulative"]["suppressed_cells"] == 6 and doc["suppressed"]["matrix_cells"] == 13
    # Only legal_action reached 5 flows.
    assert [t["theme"] for t in doc["themes"]] == ["legal_action"]
    # Every knowledge desert here has fewer than 5 members in need.
    assert doc["deserts"] == []
    assert doc["suppressed"] == {"min_flows": 5, "matrix_cells": 13, "themes": 3, "deserts": 3}
    assert doc["cumulative"]["indicators"]["flows"] == 11  # aggregates stay whole


def test_labels_in_the_language_asked_for():
    doc = flow_document(flow_map(HISTORY), lang="ar", audience="admin")
    assert doc["labels"]["regions"]["africa"] == "أفريقيا"
    assert doc["labels"]["formats"]["mentoring"] != "Mentoring"
    with pytest.raises(ValueError, match="audience"):
        flow_document(flow_map(HISTORY), lang="en", audience="member")
