"""On fewer images than full MNIST the batch-norm demo shows the full-data figure beside its own
and says why they differ, so the sample card quoting ~11% / ~97% and its demo agree."""

from __future__ import annotations

from training.demos.batch_norm_experiment import SETTINGS
from training.demos.batch_norm_figures import full_data_comparison
from training.registry import get_demo
from training.sample_demos import NETWORKS, SAMPLE_DEMOS


def test_a_subset_run_shows_the_lectures_full_data_figure_and_why_it_differs():
    output = get_demo("batch-normalisation").run(
        {"setting": "no_scaling", "epochs": 1, "train_images": 300}
    )
    names = [figure.name for figure in output.figures]
    assert names == ["accuracy", "full-data", "loss"]
    full = output.figures[1]
    assert full.columns[2] == "full MNIST, without BN"
    assert full.rows[0][2:5:2] == [0.113, 0.977]  # what the card quotes: ~11% and ~97%
    (why,) = [note for note in output.notes if note.startswith("Why the numbers differ")]
    assert "300 images" in why
    assert "3 gradient updates each" in why
    assert "4,690 (60,000 images, 10 epochs)" in why


def test_a_full_data_run_needs_no_comparison():
    results = {"no_scaling": {"with_bn": {"accuracy": 0.97}, "without_bn": {"accuracy": 0.11}}}
    assert full_data_comparison([SETTINGS["no_scaling"]], results, 60_000, 10) is None


def test_the_card_that_quotes_the_figures_has_the_demo_that_shows_them():
    (sample,) = SAMPLE_DEMOS[(NETWORKS, "Batch norm rescue")]
    assert sample.demo == "batch-normalisation"
    assert sample.params == {"setting": "no_scaling"}
