"""penultimate_features: the classifier's input, hook removed, mode restored."""

import pytest
import torch
from torch import nn

from torchloupe.demo.model import DemoCNN
from torchloupe.errors import LoupeValueError
from torchloupe.panels.projector.features import penultimate_features


def test_demo_cnn_features_match_the_classifier_input():
    model = DemoCNN().train()
    x = torch.randn(7, 1, 28, 28)
    feats, logits = penultimate_features(model, x, batch_size=3)
    assert feats.shape == (7, 64) and logits.shape == (7, 10)
    assert model.training and not model.head[1]._forward_pre_hooks
    model.eval()
    with torch.no_grad():
        assert torch.allclose(model.head[1](feats), logits, atol=1e-5)
        assert torch.allclose(model.features(x), feats, atol=1e-5)


def test_model_without_linear_needs_a_layer():
    with pytest.raises(LoupeValueError, match="layer="):
        penultimate_features(nn.Conv2d(1, 2, 3), torch.zeros(1, 1, 5, 5))
