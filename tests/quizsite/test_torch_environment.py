"""The environment has torch and torchvision as a matched pair (see the README's trap)."""

import torch
from PIL import Image
from torchvision import transforms


def test_torchvision_transforms_turn_a_digit_image_into_a_normalised_tensor():
    image = Image.new("L", (28, 28), color=0)
    image.putpixel((14, 14), 255)
    to_tensor = transforms.Compose(
        [transforms.ToTensor(), transforms.Normalize((0.1307,), (0.3081,))]
    )

    tensor = to_tensor(image)

    assert tensor.shape == (1, 28, 28)
    assert torch.isclose(tensor[0, 0, 0], torch.tensor(-0.1307 / 0.3081), atol=1e-5)
    assert torch.isclose(tensor[0, 14, 14], torch.tensor((1 - 0.1307) / 0.3081), atol=1e-5)


def test_torch_and_torchvision_come_from_the_same_release():
    import torchvision

    # torchvision's C++ ops are compiled against one torch release; a mismatch fails here.
    assert torch.ops.torchvision.nms is not None
    assert torchvision.__version__.split("+")[1:] == torch.__version__.split("+")[1:]
