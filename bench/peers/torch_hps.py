"""PyTorch peer of bench/nn-step.bench.ts: the identical networks from polytask's exported initial
weights and batches, MSE (hps, mmoe) or cross-entropy (lenet) per task, summed, Adam.
  hps:   trunk 64 -> 256 -> 256 (ReLU), T linear heads.
  mmoe:  E experts 64 -> 256 (ReLU), per task gate softmax(x W_g) (no bias), mix = sum_e g_e f_e(x),
         T linear towers (src/nn/arch/mmoe.ts).
  lenet: HPS-LeNet (src/nn/arch/common.ts): conv 5x5 c1 -> max-pool 2 -> ReLU -> conv 5x5 c2 ->
         max-pool 2 -> ReLU -> flatten -> linear fc -> ReLU, one linear 10-class head per task.
Prints one JSON line: the first `steps` per-step losses and the median ms/step at 1 and 2 threads."""
import json
import sys
import time

import torch

cfg = json.load(open(sys.argv[1]))
KIND = cfg["kind"]
T, B, NB = cfg["T"], cfg["B"], cfg["NB"]
D, H, E = cfg.get("D"), cfg.get("H"), cfg.get("E")
X = torch.tensor(cfg["X"], dtype=torch.float32).reshape(NB * B, -1)
# T x (NB*B): regression targets, or class labels for lenet
Y = torch.tensor(cfg["Y"], dtype=torch.long if KIND == "lenet" else torch.float32)
order = cfg["order"]
init = {p["name"]: torch.tensor(p["data"], dtype=torch.float32).reshape(p["shape"]) for p in cfg["params"]}


def linear(name, fan_in, fan_out, bias=True):
    """nn.Linear loaded from polytask's [in, out] weight (nn.Linear stores [out, in])."""
    m = torch.nn.Linear(fan_in, fan_out, bias=bias)
    with torch.no_grad():
        m.weight.copy_(init[name + ".weight"].t())
        if bias:
            m.bias.copy_(init[name + ".bias"])
    return m


class HPS(torch.nn.Module):
    def __init__(self):
        super().__init__()
        self.l0 = linear("trunk.0", D, H)
        self.l1 = linear("trunk.1", H, H)
        self.heads = torch.nn.ModuleList([linear(f"head{t}", H, 1) for t in range(T)])

    def forward(self, x):
        f = torch.relu(self.l1(torch.relu(self.l0(x))))
        return [h(f) for h in self.heads]


class MMoE(torch.nn.Module):
    def __init__(self):
        super().__init__()
        self.experts = torch.nn.ModuleList([linear(f"expert{e}.0", D, H) for e in range(E)])
        self.gates = torch.nn.ModuleList([linear(f"gate.t{t}", D, E, bias=False) for t in range(T)])
        self.towers = torch.nn.ModuleList([linear(f"tower.t{t}.0", H, 1) for t in range(T)])

    def forward(self, x):
        ex = torch.stack([torch.relu(e(x)) for e in self.experts], dim=1)  # [B, E, H]
        outs = []
        for t in range(T):
            g = torch.softmax(self.gates[t](x), dim=1)  # [B, E]
            outs.append(self.towers[t]((ex * g.unsqueeze(2)).sum(1)))
        return outs


def conv(name, cin, cout):
    m = torch.nn.Conv2d(cin, cout, 5)
    with torch.no_grad():
        m.weight.copy_(init[name + ".weight"])  # [O, C, kh, kw] in both
        m.bias.copy_(init[name + ".bias"])
    return m


class LeNetHPS(torch.nn.Module):
    def __init__(self):
        super().__init__()
        C, c1, c2, fc = cfg["C"], cfg["c1"], cfg["c2"], cfg["fc"]
        self.c1 = conv("trunk.0", C, c1)
        self.c2 = conv("trunk.1", c1, c2)
        h = ((cfg["height"] - 4) // 2 - 4) // 2
        w = ((cfg["width"] - 4) // 2 - 4) // 2
        self.fc = linear("trunk.2", c2 * h * w, fc)
        self.heads = torch.nn.ModuleList([linear(f"head.{t}.0", fc, cfg["classes"]) for t in cfg["taskNames"]])

    def forward(self, x):
        F = torch.nn.functional
        x = x.reshape(x.shape[0], cfg["C"], cfg["height"], cfg["width"])
        x = torch.relu(F.max_pool2d(self.c1(x), 2))
        x = torch.relu(F.max_pool2d(self.c2(x), 2))
        f = torch.relu(self.fc(x.flatten(1)))
        return [h(f) for h in self.heads]


def build():
    m = {"hps": HPS, "mmoe": MMoE, "lenet": LeNetHPS}[KIND]()
    return m, torch.optim.Adam(m.parameters(), lr=cfg["LR"])


def step(m, opt, k):
    b = order[k % NB]
    x = X[b * B:(b + 1) * B]
    outs = m(x)
    if KIND == "lenet":
        losses = [torch.nn.functional.cross_entropy(outs[t], Y[t, b * B:(b + 1) * B]) for t in range(T)]
    else:
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
    for k in range(5):
        step(m, opt, k)
    times, cpu = [], []
    for _ in range(cfg["repeats"]):
        t0, c0 = time.perf_counter(), time.process_time()
        for k in range(cfg["per"]):
            step(m, opt, k)
        times.append((time.perf_counter() - t0) / cfg["per"] * 1000)
        cpu.append((time.process_time() - c0) / cfg["per"] * 1000)
    times.sort()
    cpu.sort()
    return times[len(times) // 2], cpu[len(cpu) // 2]


# wall ms/step at 1 and 2 threads; process CPU ms/step at 1 thread (less sensitive to a loaded machine)
(ms1, cpu1), (ms2, _) = timed(1), timed(2)
print(json.dumps({"losses": losses, "ms1": ms1, "ms2": ms2, "cpu1": cpu1}))
