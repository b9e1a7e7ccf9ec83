"""Models for the model-insight tests: a ResNet built here (torchvision is not a dependency) and
a zoo of awkward models for the summary and the graph."""

from __future__ import annotations

import torch
from torch import nn


class Bottleneck(nn.Module):
    def __init__(self, cin: int, width: int, stride: int = 1) -> None:
        super().__init__()
        cout = width * 4
        self.conv1 = nn.Conv2d(cin, width, 1, bias=False)
        self.bn1 = nn.BatchNorm2d(width)
        self.conv2 = nn.Conv2d(width, width, 3, stride, 1, bias=False)
        self.bn2 = nn.BatchNorm2d(width)
        self.conv3 = nn.Conv2d(width, cout, 1, bias=False)
        self.bn3 = nn.BatchNorm2d(cout)
        self.relu = nn.ReLU(inplace=True)
        self.downsample = None
        if stride != 1 or cin != cout:
            self.downsample = nn.Sequential(nn.Conv2d(cin, cout, 1, stride, bias=False),
                                            nn.BatchNorm2d(cout))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        out = self.relu(self.bn1(self.conv1(x)))
        out = self.relu(self.bn2(self.conv2(out)))
        out = self.bn3(self.conv3(out))
        identity = x if self.downsample is None else self.downsample(x)
        return self.relu(out + identity)


class Basic(nn.Module):
    def __init__(self, cin: int, cout: int, stride: int = 1) -> None:
        super().__init__()
        self.conv1 = nn.Conv2d(cin, cout, 3, stride, 1, bias=False)
        self.bn1 = nn.BatchNorm2d(cout)
        self.conv2 = nn.Conv2d(cout, cout, 3, 1, 1, bias=False)
        self.bn2 = nn.BatchNorm2d(cout)
        self.relu = nn.ReLU(inplace=True)
        self.downsample = None
        if stride != 1 or cin != cout:
            self.downsample = nn.Sequential(nn.Conv2d(cin, cout, 1, stride, bias=False),
                                            nn.BatchNorm2d(cout))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        out = self.relu(self.bn1(self.conv1(x)))
        out = self.bn2(self.conv2(out))
        identity = x if self.downsample is None else self.downsample(x)
        return self.relu(out + identity)


class ResNet(nn.Module):
    """ResNet-18 (``blocks=(2, 2, 2, 2), bottleneck=False``) or ResNet-50 (``(3, 4, 6, 3)``,
    bottleneck), with ``base`` channels in the stem (64 in the papers)."""

    def __init__(self, blocks=(3, 4, 6, 3), bottleneck=True, base=64, classes=1000, in_ch=3) -> None:
        super().__init__()
        self.conv1 = nn.Conv2d(in_ch, base, 7, 2, 3, bias=False)
        self.bn1 = nn.BatchNorm2d(base)
        self.relu = nn.ReLU(inplace=True)
        self.maxpool = nn.MaxPool2d(3, 2, 1)
        cin = base
        for i, n in enumerate(blocks):
            width = base * 2 ** i
            layer = []
            for j in range(n):
                stride = 2 if j == 0 and i > 0 else 1
                if bottleneck:
                    layer.append(Bottleneck(cin, width, stride))
                    cin = width * 4
                else:
                    layer.append(Basic(cin, width, stride))
                    cin = width
            setattr(self, f"layer{i + 1}", nn.Sequential(*layer))
        self.avgpool = nn.AdaptiveAvgPool2d(1)
        self.fc = nn.Linear(cin, classes)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        x = self.maxpool(self.relu(self.bn1(self.conv1(x))))
        for i in range(1, 5):
            x = getattr(self, f"layer{i}")(x)
        return self.fc(torch.flatten(self.avgpool(x), 1))


def resnet50(**kw) -> ResNet:
    return ResNet((3, 4, 6, 3), True, **kw)


def resnet18(**kw) -> ResNet:
    return ResNet((2, 2, 2, 2), False, **kw)


class ControlFlow(nn.Module):
    """Data-dependent branching: fx cannot trace it."""

    def __init__(self) -> None:
        super().__init__()
        self.a, self.b = nn.Linear(4, 4), nn.Linear(4, 2)

    def forward(self, x):
        if x.sum() > 0:
            x = torch.relu(self.a(x))
        return self.b(x)


class DictOut(nn.Module):
    def __init__(self) -> None:
        super().__init__()
        self.enc, self.head = nn.Linear(4, 8), nn.Linear(8, 3)

    def forward(self, x):
        h = self.enc(x)
        return {"features": h, "logits": self.head(h)}


class Nested(nn.Module):
    def __init__(self) -> None:
        super().__init__()
        self.body = nn.Sequential(nn.Sequential(nn.Linear(4, 4), nn.ReLU()),
                                  nn.Sequential(nn.Sequential(nn.Linear(4, 4)), nn.Tanh()))

    def forward(self, x):
        return self.body(x)


class Shared(nn.Module):
    """One module used twice."""

    def __init__(self) -> None:
        super().__init__()
        self.block = nn.Linear(4, 4)

    def forward(self, x):
        return self.block(torch.relu(self.block(x)))


class TwoInputs(nn.Module):
    def __init__(self) -> None:
        super().__init__()
        self.img, self.txt, self.out = nn.Linear(4, 8), nn.Embedding(10, 8), nn.Linear(8, 2)

    def forward(self, image, tokens):
        return self.out(self.img(image) + self.txt(tokens).mean(1))


class Attention(nn.Module):
    """Functional attention: FLOPs come from matmuls outside any nn.Linear."""

    def __init__(self, d=16) -> None:
        super().__init__()
        self.qkv = nn.Linear(d, 3 * d)

    def forward(self, x):
        q, k, v = self.qkv(x).chunk(3, dim=-1)
        return torch.softmax(q @ k.transpose(-2, -1) / 4.0, dim=-1) @ v


ZOO = {
    "control_flow": (ControlFlow, lambda: torch.randn(2, 4)),
    "dict_output": (DictOut, lambda: torch.randn(2, 4)),
    "nested": (Nested, lambda: torch.randn(2, 4)),
    "shared": (Shared, lambda: torch.randn(2, 4)),
    "two_inputs": (TwoInputs, lambda: (torch.randn(2, 4), torch.randint(0, 10, (2, 5)))),
    "two_inputs_kwargs": (TwoInputs, lambda: {"image": torch.randn(2, 4),
                                              "tokens": torch.randint(0, 10, (2, 5))}),
    "attention": (Attention, lambda: torch.randn(2, 6, 16)),
}


def seed_store(store_dir, steps: int = 24) -> dict[str, str]:
    """Two runs: a healthy ResNet-18-shaped CNN (its ResNet-50-sized sibling's graph logged too)
    and an MLP with a dead ReLU layer and a tiny learning rate. Returns name -> run id."""
    threads = torch.get_num_threads()
    torch.set_num_threads(1)  # small ops: extra threads only contend with the other tests
    try:
        return _seed(store_dir, steps)
    finally:
        torch.set_num_threads(threads)


def _seed(store_dir, steps: int) -> dict[str, str]:
    import torchloupe as tl

    torch.manual_seed(0)
    x = torch.randn(16, 1, 16, 16)
    y = torch.randint(0, 4, (16,))
    ids = {}
    with tl.init("insight", name="healthy-resnet", dir=store_dir, flush_interval=0.05) as run:
        model = resnet18(base=4, classes=4, in_ch=1)
        run.log_model(model, x[:2])
        run.log_model(resnet50(base=8, classes=10), torch.randn(1, 3, 64, 64), name="ResNet50")
        run.watch(model, every=3)
        opt = torch.optim.SGD(model.parameters(), lr=0.05, momentum=0.9)
        for step in range(steps):
            loss = nn.functional.cross_entropy(model(x), y)
            opt.zero_grad()
            loss.backward()
            opt.step()
            run.log({"train/loss": loss.detach()}, step=step)
        ids["healthy"] = run.id
    with tl.init("insight", name="dead-mlp", dir=store_dir, flush_interval=0.05) as run:
        mlp = nn.Sequential(nn.Flatten(), nn.Linear(256, 32), nn.ReLU(), nn.Linear(32, 32), nn.ReLU(),
                            nn.Linear(32, 4))
        with torch.no_grad():
            mlp[3].bias.fill_(-50.0)
        run.log_model(mlp, x[:2])
        run.watch(mlp, every=2)
        opt = torch.optim.SGD(mlp.parameters(), lr=1e-9)
        for step in range(8):
            loss = nn.functional.cross_entropy(mlp(x), y)
            opt.zero_grad()
            loss.backward()
            opt.step()
            run.log({"train/loss": loss.detach()}, step=step)
        ids["dead"] = run.id
    return ids
