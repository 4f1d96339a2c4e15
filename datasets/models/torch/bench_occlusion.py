"""The occlusion benchmark's PyTorch side: the same CNNs and maps in a plain PyTorch loop, one
thread, the algorithm Captum's Occlusion uses (each patch position an ablated copy filled with the
baseline 0, the drop of the target logit accumulated over the pixels the patch covers and divided
by how many patches cover each pixel), with every position of a batch of rows in one forward call
(Captum's perturbations_per_eval at its largest). Prints maps/s per model.

/usr/bin/python3 datasets/models/torch/bench_occlusion.py [ROWS]   (Debian python3-torch)"""
import os
import sys
import time

import torch

torch.set_num_threads(1)
HERE = os.path.dirname(os.path.abspath(__file__))
rows = int(sys.argv[1]) if len(sys.argv) > 1 else 2000


def starts(n, patch, stride):
    s = list(range(0, n - patch + 1, stride))
    if s[-1] != n - patch:
        s.append(n - patch)  # as TrustLens: a last patch flush with the edge
    return s


def occlusion(model, batch, patch, stride):
    n, c, h, w = batch.shape
    positions = [(y, x) for y in starts(h, patch, stride) for x in starts(w, patch, stride)]
    with torch.no_grad():
        out = model(batch)
        target = out.argmax(1)
        fx = out.gather(1, target.view(-1, 1)).view(-1)
        copies = batch.repeat_interleave(len(positions), 0).view(n, len(positions), c, h, w)
        for k, (y, x) in enumerate(positions):
            copies[:, k, :, y : y + patch, x : x + patch] = 0
        occluded = model(copies.view(-1, c, h, w)).view(n, len(positions), -1)
        drops = fx.view(-1, 1) - occluded.gather(2, target.view(-1, 1, 1).expand(n, len(positions), 1)).view(n, -1)
        total = torch.zeros(n, h, w)
        count = torch.zeros(h, w)
        for k, (y, x) in enumerate(positions):
            total[:, y : y + patch, x : x + patch] += drops[:, k].view(-1, 1, 1)
            count[y : y + patch, x : x + patch] += 1
        return total / count


g = torch.Generator().manual_seed(5)
for name, file, side, patch, stride, n, chunk in [
    ("digits CNN 8x8, patch 2/1", "digits_cnn.pt", 8, 2, 1, rows, 64),
    ("shapes CNN 64x64, patch 8/4", "shapes64_cnn.pt", 64, 8, 4, max(1, rows // 50), 4),
]:
    model = torch.jit.load(os.path.join(HERE, file)).eval()
    x = torch.rand(n, 1, side, side, generator=g)
    occlusion(model, x[:chunk], patch, stride)
    t0 = time.perf_counter()
    for s in range(0, n, chunk):
        occlusion(model, x[s : s + chunk], patch, stride)
    dt = time.perf_counter() - t0
    print("pytorch 1 thread   occlusion, %-28s %12.1f maps/s" % (name, n / dt))
