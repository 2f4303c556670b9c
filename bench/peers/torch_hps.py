"""PyTorch peer of bench/nn-step.bench.ts: the identical HPS MLP (64 -> 256 -> 256 trunk, 8 linear
heads, MSE per task, summed, Adam), from polytask's exported initial weights and batches.
Prints one JSON line: the first `steps` per-step losses and the median ms/step at 1 and 2 threads."""
import json
import sys
import time

import torch

cfg = json.load(open(sys.argv[1]))
D, H, T, B, NB = cfg["D"], cfg["H"], cfg["T"], cfg["B"], cfg["NB"]
X = torch.tensor(cfg["X"], dtype=torch.float32).reshape(NB * B, D)
Y = torch.tensor(cfg["Y"], dtype=torch.float32)  # T x (NB*B)
order = cfg["order"]
init = {p["name"]: torch.tensor(p["data"], dtype=torch.float32).reshape(p["shape"]) for p in cfg["params"]}


class HPS(torch.nn.Module):
    def __init__(self):
        super().__init__()
        self.l0 = torch.nn.Linear(D, H)
        self.l1 = torch.nn.Linear(H, H)
        self.heads = torch.nn.ModuleList([torch.nn.Linear(H, 1) for _ in range(T)])

    def forward(self, x):
        f = torch.relu(self.l1(torch.relu(self.l0(x))))
        return [h(f) for h in self.heads]


def build():
    m = HPS()
    with torch.no_grad():
        # polytask stores W as [in, out]; nn.Linear as [out, in]
        m.l0.weight.copy_(init["trunk.0.weight"].t()); m.l0.bias.copy_(init["trunk.0.bias"])
        m.l1.weight.copy_(init["trunk.1.weight"].t()); m.l1.bias.copy_(init["trunk.1.bias"])
        for t in range(T):
            m.heads[t].weight.copy_(init[f"head{t}.weight"].t()); m.heads[t].bias.copy_(init[f"head{t}.bias"])
    return m, torch.optim.Adam(m.parameters(), lr=cfg["LR"])


def step(m, opt, k):
    b = order[k % NB]
    x = X[b * B:(b + 1) * B]
    outs = m(x)
    losses = [torch.mean((outs[t][:, 0] - Y[t, b * B:(b + 1) * B]) ** 2) for t in range(T)]
    total = sum(losses)
    opt.zero_grad(set_to_none=False)
    total.backward()
    opt.step()
    return float(sum(float(l) for l in losses))


torch.set_num_threads(1)
m, opt = build()
losses = [step(m, opt, k) for k in range(cfg["steps"])]


def timed(threads):
    torch.set_num_threads(threads)
    m, opt = build()
    for k in range(20):
        step(m, opt, k)
    times = []
    for _ in range(cfg["repeats"]):
        t0 = time.perf_counter()
        for k in range(cfg["per"]):
            step(m, opt, k)
        times.append((time.perf_counter() - t0) / cfg["per"] * 1000)
    times.sort()
    return times[len(times) // 2]


ms1 = timed(1)
ms2 = timed(2)
print(json.dumps({"losses": losses, "ms1": ms1, "ms2": ms2}))
