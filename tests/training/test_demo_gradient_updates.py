"""Counting gradient updates, checked against iterating a real DataLoader."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st
from torch.utils.data import DataLoader

from tests.demo_checks import assert_well_formed
from training.registry import get_demo

DEMO = get_demo("gradient-updates")


def test_sixty_thousand_images_in_batches_of_128_for_five_epochs_are_2345_updates():
    output = DEMO.run({"samples": 60000, "batch_size": 128, "epochs": 5})

    assert output.data["updates"] == 2345
    assert output.data["batches_per_epoch"] == 469
    assert output.data["last_batch_size"] == 60000 - 468 * 128 == 96
    assert "2,345 updates" in output.summary
    assert_well_formed(output)


def test_drop_last_drops_the_partial_batch_of_every_epoch():
    output = DEMO.run({"samples": 60000, "batch_size": 128, "epochs": 5, "drop_last": True})

    assert output.data["updates"] == 468 * 5
    assert output.data["dropped_per_epoch"] == 96


@settings(max_examples=60, deadline=None)
@given(st.integers(1, 300), st.integers(1, 64), st.integers(1, 4), st.booleans())
def test_the_count_equals_the_batches_a_dataloader_yields(samples, batch_size, epochs, drop_last):
    loader = DataLoader(range(samples), batch_size=batch_size, drop_last=drop_last)
    yielded = [len(batch) for _ in range(epochs) for batch in loader]

    output = DEMO.run(
        {"samples": samples, "batch_size": batch_size, "epochs": epochs, "drop_last": drop_last}
    )

    assert output.data["updates"] == len(yielded)
    if yielded:
        assert output.data["last_batch_size"] == yielded[-1]


def test_fewer_samples_than_a_batch_with_drop_last_trains_nothing_and_says_so():
    output = DEMO.run({"samples": 50, "batch_size": 64, "drop_last": True})

    assert output.data["updates"] == 0
    assert "nothing is ever trained" in output.summary
