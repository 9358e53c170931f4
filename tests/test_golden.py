"""Every output kept: the documents and tables ``peermatch`` prints on the
demo network and a saved 1,000-member network hash as recorded in
``bench/golden/hashes.json`` (``python -m bench.golden check`` adds 10,000)."""

import json

import pytest

from bench import golden


@pytest.mark.slow
def test_outputs_are_byte_identical_to_the_recorded_ones():
    recorded = json.loads(golden.HASHES.read_text())
    assert golden.compare(golden.outputs(["demo", "net1000"]), recorded) == []
