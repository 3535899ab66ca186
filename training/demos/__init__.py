"""The demos, one module each; importing this package registers them all."""

from training.demos import (  # noqa: F401
    activation_functions,
    batch_normalisation,
    broadcasting,
    computation_graph,
    digit_recognition,
    gradient_updates,
    pixel_similarity,
    sgd_steps,
    softmax_cross_entropy,
    tensor_grid,
    train_3_vs_7,
)
