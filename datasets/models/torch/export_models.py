"""Trains and exports the two TorchScript demo models of TrustLens.

Run with Debian's python3-torch (1.13):  /usr/bin/python3 datasets/models/torch/export_models.py [NAME...]
(no NAME: every model). Writes, beside this script:
  digits_cnn.pt (+ .json card, + .reference.csv)   8x8 digits CNN with dropout and forward_mc(x, noise)
  breast_cancer_mlp.pt (+ .json, + .reference.csv) 30-feature MLP
  shapes_cnn.pt (+ .json, + .reference.csv)        16x16 shapes CNN (synthetic/shapes.json)
  digits_mlp_0..4.pt (+ .json, + .reference.csv)   a deep ensemble: five digits MLPs, seeds 100..104
  shapes64_cnn.pt (+ .json, + .reference.csv)      64x64 CNN on the shapes scaled up 4x (benchmarks)
  shapes_cnn_permuted.pt (+ .json, + .reference.csv) the shapes CNN trained on permuted labels (the
                                                   sanity checks' data randomization test)
  shapes_vit.pt (+ .json, + .reference.csv)        a small Vision Transformer for the shapes, with
                                                   attention(x): every layer's attention weights
  jobads_tokens.pt (+ .json, + .reference.csv)     salary from a job advert's token ids (the card
                                                   holds the vocabulary and how to tokenise)
  shapes_deep_cnn.pt (+ .json, + .reference.csv)   a four-convolution shapes CNN (the sanity checks'
                                                   cascading randomization test)
The reference files hold PyTorch's own eval outputs for the first rows of each table, which the
Java tests compare with DJL's outputs. Neither CI nor users need Python: the files are committed.
"""
import csv
import json
import os
import sys

import torch
import torch.nn as nn
import torch.nn.functional as F

HERE = os.path.dirname(os.path.abspath(__file__))
DATA = os.path.join(HERE, "..", "..")
torch.manual_seed(7)
torch.set_num_threads(1)


def read_csv(name, label):
    with open(os.path.join(DATA, name)) as f:
        rows = list(csv.DictReader(f))
    cols = [c for c in rows[0].keys() if c != label]
    x = torch.tensor([[float(r[c]) for c in cols] for r in rows], dtype=torch.float32)
    y = torch.tensor([int(float(r[label])) for r in rows], dtype=torch.long)
    return cols, x, y


class DigitsCnn(nn.Module):
    """Input (N, 1, 8, 8) raw pixels 0..16; output 10 logits."""

    def __init__(self, p: float = 0.25):
        super().__init__()
        self.p = p
        self.conv1 = nn.Conv2d(1, 16, 3, padding=1)
        self.conv2 = nn.Conv2d(16, 32, 3, padding=1)
        self.fc1 = nn.Linear(32 * 4 * 4, 64)
        self.fc2 = nn.Linear(64, 10)

    def features(self, x):
        h = F.relu(self.conv1(x / 16.0))
        h = F.max_pool2d(F.relu(self.conv2(h)), 2)
        return F.relu(self.fc1(torch.flatten(h, 1)))

    def forward(self, x):
        return self.fc2(F.dropout(self.features(x), self.p, self.training))

    @torch.jit.export
    def forward_mc(self, x, noise):
        """One Monte Carlo dropout draw per row (Gal and Ghahramani 2016), whatever the module's
        mode. noise (N, 64) holds uniform [0, 1) numbers drawn by the caller: a unit is kept where
        noise >= p and scaled by 1 / (1 - p), as F.dropout does in training. Noise from the caller
        (TrustLens draws it from the seed and the row's key) makes each row's draws reproducible
        and safe when several threads share the module: no global random generator is touched."""
        keep = (noise >= self.p).to(x.dtype) / (1.0 - self.p)
        return self.fc2(self.features(x) * keep)

    @torch.jit.export
    def embed(self, x):
        return self.features(x)


class DigitsMlp(nn.Module):
    """Input (N, 64) raw pixels 0..16; output 10 logits. Members of a deep ensemble differ in their
    initial weights and their bootstrap resample of the training rows (Lakshminarayanan et al.
    2017)."""

    def __init__(self):
        super().__init__()
        self.net = nn.Sequential(nn.Linear(64, 64), nn.ReLU(), nn.Linear(64, 10))

    def forward(self, x):
        return self.net(x / 16.0)


class BreastCancerMlp(nn.Module):
    """Input (N, 30) raw features; standardised inside; output 2 logits (benign, malignant)."""

    def __init__(self, mean, std):
        super().__init__()
        self.register_buffer("mean", mean)
        self.register_buffer("std", std)
        self.net = nn.Sequential(nn.Linear(30, 32), nn.ReLU(), nn.Linear(32, 16), nn.ReLU(), nn.Linear(16, 2))

    def forward(self, x):
        return self.net((x - self.mean) / self.std)


def train(model, x, y, epochs):
    opt = torch.optim.Adam(model.parameters(), lr=1e-2, weight_decay=1e-2)
    for _ in range(epochs):
        model.train()
        opt.zero_grad()
        loss = F.cross_entropy(model(x), y)
        loss.backward()
        opt.step()
    model.eval()
    acc = (model(x).argmax(1) == y).float().mean().item()
    return loss.item(), acc


def export(model, name, x, card, rows=8):
    scripted = torch.jit.script(model)
    scripted.save(os.path.join(HERE, name + ".pt"))
    with open(os.path.join(HERE, name + ".json"), "w") as f:
        json.dump(card, f, indent=2)
        f.write("\n")
    with torch.no_grad():
        out = scripted(x[:rows].reshape([rows] + card["input_shape"]))
    with open(os.path.join(HERE, name + ".reference.csv"), "w") as f:
        f.write("row," + ",".join(card["outputs"]) + "\n")
        for i in range(rows):
            f.write(str(i) + "," + ",".join(repr(float(v)) for v in out[i]) + "\n")


class ShapesCnn(nn.Module):
    """Input (N, 1, 16, 16) pixels 0..1; output 2 logits (other, top_left).

    Exports what the gradient methods of TrustLens need beyond forward:
    conv2_activations / from_conv2 split the network at its last convolution (Grad-CAM), and
    guided_backprop(x, weights) returns the guided backpropagation map of the weighted logits
    (Springenberg et al. 2014): the backward pass written out, each ReLU passing only positive
    gradients where its input was positive. TorchScript cannot script custom autograd functions,
    hence the explicit pass; the export checks it against hooks on the ReLUs."""

    def __init__(self):
        super().__init__()
        self.conv1 = nn.Conv2d(1, 8, 3, padding=1)
        self.conv2 = nn.Conv2d(8, 16, 3, padding=1)
        self.fc1 = nn.Linear(16 * 8 * 8, 32)
        self.fc2 = nn.Linear(32, 2)

    def forward(self, x):
        return self.from_conv2(self.conv2_activations(x))

    @torch.jit.export
    def conv2_activations(self, x):
        return F.relu(self.conv2(F.relu(self.conv1(x))))

    @torch.jit.export
    def from_conv2(self, a):
        h = F.max_pool2d(a, 2)
        return self.fc2(F.relu(self.fc1(torch.flatten(h, 1))))

    @torch.jit.export
    def guided_backprop(self, x, weights):
        a1 = self.conv1(x)
        h1 = F.relu(a1)
        a2 = self.conv2(h1)
        h2 = F.relu(a2)
        p, idx = F.max_pool2d_with_indices(h2, 2)
        a3 = self.fc1(torch.flatten(p, 1))
        g = weights.matmul(self.fc2.weight)
        g = F.relu(g) * (a3 > 0).to(g.dtype)
        g = g.matmul(self.fc1.weight).reshape(p.shape)
        g = F.max_unpool2d(g, idx, [2, 2], [2, 2], [0, 0], [h2.shape[2], h2.shape[3]])
        g = F.relu(g) * (a2 > 0).to(g.dtype)
        g = F.conv_transpose2d(g, self.conv2.weight, padding=1)
        g = F.relu(g) * (a1 > 0).to(g.dtype)
        return F.conv_transpose2d(g, self.conv1.weight, padding=1)


class ShapesDeepCnn(nn.Module):
    """Input (N, 1, 16, 16) pixels 0..1; output 2 logits (other, top_left). Four convolutions
    (16, 16, 32, 32 channels; max pooling after the second and the fourth), then two dense layers:
    the sanity checks' network, deep enough for Adebayo et al.'s finding that guided backpropagation
    barely changes while the top layers are randomized (Nie et al. 2018, arXiv 1805.07039: it
    mostly reconstructs the image). Exports conv4_activations / from_conv4 (Grad-CAM) and the
    explicit guided_backprop(x, weights) pass, as ShapesCnn does."""

    def __init__(self):
        super().__init__()
        self.conv1 = nn.Conv2d(1, 16, 3, padding=1)
        self.conv2 = nn.Conv2d(16, 16, 3, padding=1)
        self.conv3 = nn.Conv2d(16, 32, 3, padding=1)
        self.conv4 = nn.Conv2d(32, 32, 3, padding=1)
        self.fc1 = nn.Linear(32 * 4 * 4, 32)
        self.fc2 = nn.Linear(32, 2)

    def forward(self, x):
        return self.from_conv4(self.conv4_activations(x))

    @torch.jit.export
    def conv4_activations(self, x):
        h = F.max_pool2d(F.relu(self.conv2(F.relu(self.conv1(x)))), 2)
        return F.relu(self.conv4(F.relu(self.conv3(h))))

    @torch.jit.export
    def from_conv4(self, a):
        h = F.max_pool2d(a, 2)
        return self.fc2(F.relu(self.fc1(torch.flatten(h, 1))))

    @torch.jit.export
    def guided_backprop(self, x, weights):
        a1 = self.conv1(x)
        a2 = self.conv2(F.relu(a1))
        h2 = F.relu(a2)
        p2, i2 = F.max_pool2d_with_indices(h2, 2)
        a3 = self.conv3(p2)
        a4 = self.conv4(F.relu(a3))
        h4 = F.relu(a4)
        p4, i4 = F.max_pool2d_with_indices(h4, 2)
        a5 = self.fc1(torch.flatten(p4, 1))
        g = weights.matmul(self.fc2.weight)
        g = F.relu(g) * (a5 > 0).to(g.dtype)
        g = g.matmul(self.fc1.weight).reshape(p4.shape)
        g = F.max_unpool2d(g, i4, [2, 2], [2, 2], [0, 0], [h4.shape[2], h4.shape[3]])
        g = F.relu(g) * (a4 > 0).to(g.dtype)
        g = F.conv_transpose2d(g, self.conv4.weight, padding=1)
        g = F.relu(g) * (a3 > 0).to(g.dtype)
        g = F.conv_transpose2d(g, self.conv3.weight, padding=1)
        g = F.max_unpool2d(g, i2, [2, 2], [2, 2], [0, 0], [h2.shape[2], h2.shape[3]])
        g = F.relu(g) * (a2 > 0).to(g.dtype)
        g = F.conv_transpose2d(g, self.conv2.weight, padding=1)
        g = F.relu(g) * (a1 > 0).to(g.dtype)
        return F.conv_transpose2d(g, self.conv1.weight, padding=1)


def guided_by_hooks(model, x, weights):
    """Guided backpropagation by PyTorch's autograd with the ReLUs' gradients clamped."""

    class GuidedRelu(torch.autograd.Function):
        @staticmethod
        def forward(ctx, i):
            ctx.save_for_backward(i)
            return i.clamp(min=0)

        @staticmethod
        def backward(ctx, g):
            (i,) = ctx.saved_tensors
            return g.clamp(min=0) * (i > 0).to(g.dtype)

    x = x.clone().requires_grad_(True)
    r = GuidedRelu.apply
    h = r(model.conv2(r(model.conv1(x))))
    if isinstance(model, ShapesDeepCnn):
        h = F.max_pool2d(h, 2)
        h = r(model.conv4(r(model.conv3(h))))
    h = F.max_pool2d(h, 2)
    y = model.fc2(r(model.fc1(torch.flatten(h, 1))))
    (y * weights).sum().backward()
    return x.grad


class Shapes64Cnn(nn.Module):
    """Input (N, 1, 64, 64): the shapes images scaled up four times (each pixel a 4x4 block);
    output 2 logits (other, top_left). Three convolutions with pooling: the benchmarks' larger
    image model."""

    def __init__(self):
        super().__init__()
        self.conv1 = nn.Conv2d(1, 8, 3, padding=1)
        self.conv2 = nn.Conv2d(8, 16, 3, padding=1)
        self.conv3 = nn.Conv2d(16, 32, 3, padding=1)
        self.fc1 = nn.Linear(32 * 8 * 8, 32)
        self.fc2 = nn.Linear(32, 2)

    def forward(self, x):
        h = F.max_pool2d(F.relu(self.conv1(x)), 2)
        h = F.max_pool2d(F.relu(self.conv2(h)), 2)
        h = F.max_pool2d(F.relu(self.conv3(h)), 2)
        return self.fc2(F.relu(self.fc1(torch.flatten(h, 1))))


def read_shapes():
    with open(os.path.join(DATA, "synthetic", "shapes.json")) as f:
        rows = [json.loads(line) for line in f]
    x = torch.tensor([r["image"] for r in rows], dtype=torch.float32).reshape(-1, 1, 16, 16)
    y = torch.tensor([r["label"] for r in rows], dtype=torch.long)
    return x, y


wanted = set(sys.argv[1:]) or {"digits_cnn", "breast_cancer_mlp", "shapes_cnn", "digits_ensemble",
                               "shapes64_cnn", "shapes_cnn_permuted", "shapes_vit",
                               "jobads_tokens", "shapes_deep_cnn"}

if "digits_cnn" in wanted:
    cols, x, y = read_csv("digits.csv", "digit")
    cnn = DigitsCnn()
    loss, acc = train(cnn, x.reshape(-1, 1, 8, 8), y, 40)
    print("digits_cnn: loss %.4f train accuracy %.4f" % (loss, acc))
    export(cnn, "digits_cnn", x, {
        "input_shape": [1, 8, 8], "output": "logit", "outputs": ["digit_%d" % i for i in range(10)],
        "methods": ["forward", "forward_mc", "embed"], "mc_noise": 64, "features": cols,
        "label": "digit", "train_accuracy": round(acc, 4)})

if "breast_cancer_mlp" in wanted:
    cols, x, y = read_csv("breast_cancer.csv", "malignant")
    mlp = BreastCancerMlp(x.mean(0), x.std(0))
    loss, acc = train(mlp, x, y, 40)
    print("breast_cancer_mlp: loss %.4f train accuracy %.4f" % (loss, acc))
    export(mlp, "breast_cancer_mlp", x, {
        "input_shape": [30], "output": "logit", "outputs": ["benign", "malignant"],
        "methods": ["forward"], "features": cols, "label": "malignant", "train_accuracy": round(acc, 4)})

if "shapes_cnn" in wanted:
    torch.manual_seed(11)
    x, y = read_shapes()
    shapes = ShapesCnn()
    loss, acc = train(shapes, x, y, 150)
    print("shapes_cnn: loss %.4f train accuracy %.4f" % (loss, acc))
    w = torch.zeros(16, 2)
    w[:, 1] = 1
    scripted = torch.jit.script(shapes)
    gap = (scripted.guided_backprop(x[:16], w) - guided_by_hooks(shapes, x[:16], w)).abs().max()
    print("shapes_cnn: guided_backprop vs autograd with guided ReLUs, max |difference| %.2e" % gap)
    assert gap < 1e-5
    export(shapes, "shapes_cnn", x.reshape(len(x), -1), {
        "input_shape": [1, 16, 16], "output": "logit", "outputs": ["other", "top_left"],
        "methods": ["forward", "conv2_activations", "from_conv2", "guided_backprop"],
        "image": "image", "label": "label",
        "train_accuracy": round(acc, 4)})

if "digits_ensemble" in wanted:
    cols, x, y = read_csv("digits.csv", "digit")
    for k in range(5):
        torch.manual_seed(100 + k)
        member = DigitsMlp()
        rows = torch.randint(0, 1200, (1200,))  # a bootstrap resample; rows 1200.. stay unseen
        loss, acc = train(member, x[rows], y[rows], 150)
        print("digits_mlp_%d: loss %.4f train accuracy %.4f" % (k, loss, acc))
        export(member, "digits_mlp_%d" % k, x, {
            "input_shape": [64], "output": "logit", "outputs": ["digit_%d" % i for i in range(10)],
            "methods": ["forward"], "features": cols, "label": "digit", "trained_on_rows": 1200,
            "train_accuracy": round(acc, 4)})

if "shapes64_cnn" in wanted:
    torch.manual_seed(13)
    x, y = read_shapes()
    x64 = x.repeat_interleave(4, dim=2).repeat_interleave(4, dim=3)
    big = Shapes64Cnn()
    loss, acc = train(big, x64, y, 60)
    print("shapes64_cnn: loss %.4f train accuracy %.4f" % (loss, acc))
    export(big, "shapes64_cnn", x64.reshape(len(x64), -1), {
        "input_shape": [1, 64, 64], "output": "logit", "outputs": ["other", "top_left"],
        "methods": ["forward"], "label": "label", "train_accuracy": round(acc, 4)})

if "shapes_cnn_permuted" in wanted:
    # Adebayo et al. 2018 (arXiv 1810.03292), data randomization: the same network trained on the
    # same images with their labels permuted, so that it can only memorise; an explanation method
    # whose maps stay alike on this model does not depend on the relation between images and labels.
    torch.manual_seed(12)
    x, y = read_shapes()
    permuted = y[torch.randperm(len(y))]
    memoriser = ShapesCnn()
    opt = torch.optim.Adam(memoriser.parameters(), lr=3e-3)
    for _ in range(600):
        memoriser.train()
        opt.zero_grad()
        loss = F.cross_entropy(memoriser(x), permuted)
        loss.backward()
        opt.step()
    memoriser.eval()
    acc = (memoriser(x).argmax(1) == permuted).float().mean().item()
    true_acc = (memoriser(x).argmax(1) == y).float().mean().item()
    print("shapes_cnn_permuted: loss %.4f accuracy on permuted labels %.4f, on true labels %.4f"
          % (loss.item(), acc, true_acc))
    export(memoriser, "shapes_cnn_permuted", x.reshape(len(x), -1), {
        "input_shape": [1, 16, 16], "output": "logit", "outputs": ["other", "top_left"],
        "methods": ["forward", "conv2_activations", "from_conv2", "guided_backprop"],
        "image": "image", "label": "label", "labels": "permuted (torch.randperm, seed 12)",
        "train_accuracy_permuted": round(acc, 4), "accuracy_true_labels": round(true_acc, 4)})

class ShapesVit(nn.Module):
    """A small Vision Transformer (Dosovitskiy et al. 2020, arXiv 2010.11929) for the 16x16 shapes:
    4x4 patches (a 4x4 grid of 16 tokens) plus a class token, 2 pre-norm encoder layers of 4 heads,
    width 32. attention(x) returns every layer's attention weights, (N, layers, heads, 17, 17), the
    class token first: what TrustLens's attention rollout and class-token maps read."""

    def __init__(self, dim: int = 32, heads: int = 4, layers: int = 2, patch: int = 4):
        super().__init__()
        self.patch = patch
        self.heads = heads
        self.dim = dim
        tokens = (16 // patch) ** 2
        self.embed = nn.Linear(patch * patch, dim)
        self.cls = nn.Parameter(torch.zeros(1, 1, dim))
        self.pos = nn.Parameter(torch.randn(1, tokens + 1, dim) * 0.02)
        self.norm1 = nn.ModuleList([nn.LayerNorm(dim) for _ in range(layers)])
        self.qkv = nn.ModuleList([nn.Linear(dim, 3 * dim) for _ in range(layers)])
        self.proj = nn.ModuleList([nn.Linear(dim, dim) for _ in range(layers)])
        self.norm2 = nn.ModuleList([nn.LayerNorm(dim) for _ in range(layers)])
        self.mlp1 = nn.ModuleList([nn.Linear(dim, 2 * dim) for _ in range(layers)])
        self.mlp2 = nn.ModuleList([nn.Linear(2 * dim, dim) for _ in range(layers)])
        self.norm = nn.LayerNorm(dim)
        self.head = nn.Linear(dim, 2)

    def tokens(self, x):
        n = x.shape[0]
        p = self.patch
        g = 16 // p
        patches = x.reshape(n, 1, g, p, g, p).permute(0, 2, 4, 1, 3, 5).reshape(n, g * g, p * p)
        h = self.embed(patches)
        return torch.cat([self.cls.expand(n, 1, self.dim), h], 1) + self.pos

    def run(self, x):
        h = self.tokens(x)
        n, t, d = h.shape
        k = self.heads
        maps = []
        for norm1, qkv, proj, norm2, mlp1, mlp2 in zip(
                self.norm1, self.qkv, self.proj, self.norm2, self.mlp1, self.mlp2):
            qkv3 = qkv(norm1(h)).reshape(n, t, 3, k, d // k).permute(2, 0, 3, 1, 4)
            q = qkv3[0]
            kk = qkv3[1]
            v = qkv3[2]
            a = torch.softmax(q.matmul(kk.transpose(-1, -2)) / (d // k) ** 0.5, -1)
            maps.append(a)
            h = h + proj(a.matmul(v).transpose(1, 2).reshape(n, t, d))
            h = h + mlp2(F.gelu(mlp1(norm2(h))))
        return self.head(self.norm(h[:, 0])), torch.stack(maps, 1)

    def forward(self, x):
        return self.run(x)[0]

    @torch.jit.export
    def attention(self, x):
        return self.run(x)[1]


if "shapes_vit" in wanted:
    torch.manual_seed(14)
    x, y = read_shapes()
    vit = ShapesVit()
    opt = torch.optim.Adam(vit.parameters(), lr=3e-3)
    for _ in range(300):
        vit.train()
        opt.zero_grad()
        loss = F.cross_entropy(vit(x), y)
        loss.backward()
        opt.step()
    vit.eval()
    acc = (vit(x).argmax(1) == y).float().mean().item()
    print("shapes_vit: loss %.4f train accuracy %.4f" % (loss.item(), acc))
    scripted = torch.jit.script(vit)
    a = scripted.attention(x[:4])
    assert tuple(a.shape) == (4, 2, 4, 17, 17), a.shape
    assert (a.sum(-1) - 1).abs().max() < 1e-5
    export(vit, "shapes_vit", x.reshape(len(x), -1), {
        "input_shape": [1, 16, 16], "output": "logit", "outputs": ["other", "top_left"],
        "methods": ["forward", "attention"], "attention_grid": [4, 4], "attention_heads": 4,
        "image": "image", "label": "label", "train_accuracy": round(acc, 4)})

class JobadsTokens(nn.Module):
    """Salary from a job advert's token ids: input (N, 32) ids as floats (0 pads, 1 an unknown word,
    2.. the card's vocabulary), the words present (each once, as jobads.truth.json's rule counts
    them) through one linear layer; output the salary. The card's "text" key tells TrustLens how
    to turn a text column into these ids: lower-case, split on anything but letters and digits."""

    def __init__(self, vocabulary: int, mean: float, scale: float):
        super().__init__()
        self.vocabulary = vocabulary
        self.linear = nn.Linear(vocabulary, 1)
        self.mean = mean
        self.scale = scale

    def forward(self, x):
        ids = x.long().clamp(0, self.vocabulary - 1)
        present = torch.zeros(x.shape[0], self.vocabulary).scatter(1, ids, 1.0)
        present[:, 0] = 0.0
        return self.linear(present) * self.scale + self.mean


if "jobads_tokens" in wanted:
    import re
    torch.manual_seed(15)
    with open(os.path.join(DATA, "synthetic", "jobads.csv")) as f:
        rows = list(csv.DictReader(f))
    split = "[^a-z0-9]+"
    texts = [[w for w in re.split(split, r["text"].lower()) if w] for r in rows]
    counts = {}
    for t in texts:
        for w in t:
            counts[w] = counts.get(w, 0) + 1
    vocabulary = sorted(w for w, c in counts.items() if c >= 2)
    index = {w: i + 2 for i, w in enumerate(vocabulary)}
    max_tokens = 32
    x = torch.zeros(len(rows), max_tokens)
    for i, t in enumerate(texts):
        for j, w in enumerate(t[:max_tokens]):
            x[i, j] = index.get(w, 1)
    y = torch.tensor([float(r["salary"]) for r in rows])
    model = JobadsTokens(len(vocabulary) + 2, float(y.mean()), float(y.std()))
    opt = torch.optim.Adam(model.parameters(), lr=0.05)
    for _ in range(400):
        opt.zero_grad()
        loss = ((model(x).squeeze(1) - y) / model.scale).pow(2).mean()
        loss.backward()
        opt.step()
    rmse = (model(x).squeeze(1) - y).pow(2).mean().sqrt().item()
    print("jobads_tokens: vocabulary %d, train RMSE %.0f" % (len(vocabulary), rmse))
    export(model, "jobads_tokens", x, {
        "input_shape": [max_tokens], "output": "regression", "outputs": ["salary"],
        "methods": ["forward"], "label": "salary",
        "text": {"column": "text", "lowercase": True, "split": split, "max_tokens": max_tokens,
                 "padding_id": 0, "unknown_id": 1, "first_id": 2, "vocabulary": vocabulary},
        "train_rmse": round(rmse, 1)})

if "shapes_deep_cnn" in wanted:
    torch.manual_seed(16)
    x, y = read_shapes()
    deep = ShapesDeepCnn()
    opt = torch.optim.Adam(deep.parameters(), lr=3e-3)
    for _ in range(30):  # minibatches of 64: full batches leave this depth under-trained
        deep.train()
        order = torch.randperm(len(x))
        for i in range(0, len(x), 64):
            batch = order[i:i + 64]
            opt.zero_grad()
            loss = F.cross_entropy(deep(x[batch]), y[batch])
            loss.backward()
            opt.step()
    deep.eval()
    acc = (deep(x).argmax(1) == y).float().mean().item()
    print("shapes_deep_cnn: loss %.4f train accuracy %.4f" % (loss.item(), acc))
    w = torch.zeros(16, 2)
    w[:, 1] = 1
    scripted = torch.jit.script(deep)
    gap = (scripted.guided_backprop(x[:16], w) - guided_by_hooks(deep, x[:16], w)).abs().max()
    print("shapes_deep_cnn: guided_backprop vs autograd with guided ReLUs, max |difference| %.2e"
          % gap)
    assert gap < 1e-5
    export(deep, "shapes_deep_cnn", x.reshape(len(x), -1), {
        "input_shape": [1, 16, 16], "output": "logit", "outputs": ["other", "top_left"],
        "methods": ["forward", "conv4_activations", "from_conv4", "guided_backprop"],
        "image": "image", "label": "label", "train_accuracy": round(acc, 4)})
