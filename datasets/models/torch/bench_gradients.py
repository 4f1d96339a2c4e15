"""The gradient benchmark's PyTorch side: the same digits CNN and maps in a plain PyTorch loop, one
thread, the algorithm Captum's IntegratedGradients (Gauss-Legendre, n_steps inputs per row in one
batch) and NoiseTunnel(Saliency) (SmoothGrad) use. Prints rows/s per method.

/usr/bin/python3 datasets/models/torch/bench_gradients.py [ROWS] [MODEL]   (Debian python3-torch)
MODEL: digits_cnn (default; 8x8) or shapes64_cnn (64x64; use about a fiftieth of the rows)."""
import os
import sys
import time

import numpy as np
import torch

torch.set_num_threads(1)
HERE = os.path.dirname(os.path.abspath(__file__))
name = sys.argv[2] if len(sys.argv) > 2 else "digits_cnn"
model = torch.jit.load(os.path.join(HERE, name + ".pt")).eval()
side = 64 if name == "shapes64_cnn" else 8
rows = int(sys.argv[1]) if len(sys.argv) > 1 else 2000
g = torch.Generator().manual_seed(5)
x = torch.floor(torch.rand(rows, 1, side, side, generator=g) * 17)


def grads(inputs, target):
    inputs = inputs.clone().requires_grad_(True)
    out = model(inputs)
    out.gather(1, target.view(-1, 1)).sum().backward()
    return inputs.grad


def saliency(batch):
    with torch.no_grad():
        t = model(batch).argmax(1)
    return grads(batch, t).abs()


def smoothgrad(batch, n=50, noise=0.15):
    with torch.no_grad():
        t = model(batch).argmax(1)
    total = torch.zeros_like(batch)
    for i in range(batch.shape[0]):  # Captum: each input's n noisy copies in one batch
        xi = batch[i : i + 1]
        sigma = noise * (xi.max() - xi.min())
        noisy = xi + sigma * torch.randn((n,) + xi.shape[1:])
        total[i] = grads(noisy, t[i].repeat(n)).mean(0)
    return total


nodes, weights = np.polynomial.legendre.leggauss(50)
alphas = torch.tensor((nodes + 1) / 2, dtype=torch.float32)
w = torch.tensor(weights / 2, dtype=torch.float32)


def integrated_gradients(batch):
    with torch.no_grad():
        t = model(batch).argmax(1)
    out = torch.zeros_like(batch)
    for i in range(batch.shape[0]):  # Captum: the n_steps path points of an input in one batch
        xi = batch[i]
        path = alphas.view(-1, 1, 1, 1) * xi
        g_ = grads(path, t[i].repeat(len(alphas)))
        out[i] = xi * (w.view(-1, 1, 1, 1) * g_).sum(0)
    return out


for method, fn, chunk in [("saliency", saliency, 1024), ("smoothgrad, 50 copies", smoothgrad, 64),
                          ("integrated gradients, 50 steps", integrated_gradients, 64)]:
    fn(x[:chunk])
    t0 = time.perf_counter()
    for s in range(0, rows, chunk):
        fn(x[s : s + chunk])
    dt = time.perf_counter() - t0
    print("pytorch 1 thread   %-32s %-14s %12.1f rows/s" % (method, name, rows / dt))
