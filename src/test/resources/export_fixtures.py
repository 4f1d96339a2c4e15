"""Exports the small TorchScript fixtures of the tests (Debian's python3-torch):
/usr/bin/python3 src/test/resources/export_fixtures.py
two_feature_logistic.pt: logits [0.5 r - 0.1 t - 7, -(0.5 r - 0.1 t - 7)] of two features."""
import json
import os

import torch

HERE = os.path.dirname(os.path.abspath(__file__))


class TwoFeatureLogistic(torch.nn.Module):
    def __init__(self):
        super().__init__()
        self.lin = torch.nn.Linear(2, 2)
        with torch.no_grad():
            self.lin.weight.copy_(torch.tensor([[0.5, -0.1], [-0.5, 0.1]]))
            self.lin.bias.copy_(torch.tensor([-7.0, 7.0]))

    def forward(self, x):
        return self.lin(x)


torch.jit.script(TwoFeatureLogistic()).save(os.path.join(HERE, "two_feature_logistic.pt"))
with open(os.path.join(HERE, "two_feature_logistic.json"), "w") as f:
    json.dump({"input_shape": [2], "output": "logit", "outputs": ["benign", "malignant"]}, f)
    f.write("\n")


class SmoothNet(torch.nn.Module):
    """4 inputs -> tanh(8) -> 3 outputs: smooth everywhere, for finite-difference checks."""

    def __init__(self):
        super().__init__()
        torch.manual_seed(3)
        self.a = torch.nn.Linear(4, 8)
        self.b = torch.nn.Linear(8, 3)

    def forward(self, x):
        return self.b(torch.tanh(self.a(x)))


torch.jit.script(SmoothNet()).save(os.path.join(HERE, "smooth_net.pt"))
with open(os.path.join(HERE, "smooth_net.json"), "w") as f:
    json.dump({"input_shape": [4], "output": "regression", "outputs": ["y0", "y1", "y2"]}, f)
    f.write("\n")
