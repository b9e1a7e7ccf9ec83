"""Recording from a training process never imports the server or Matplotlib."""

import subprocess
import sys
import textwrap

HEAVY = ("fastapi", "starlette", "uvicorn", "matplotlib")

TRAINING = textwrap.dedent("""
    import sys, torch, torchloupe as tl
    from torch import nn

    torch.manual_seed(0)
    model = nn.Sequential(nn.Flatten(), nn.Linear(16, 8), nn.ReLU(), nn.Linear(8, 3))
    x, y = torch.rand(12, 1, 4, 4), torch.arange(12) % 3
    with tl.init("p", dir=sys.argv[1]) as run:
        run.log_model(model, x[:2])
        run.watch(model, every=1)
        for step in range(3):
            loss = nn.functional.cross_entropy(model(x), y)
            loss.backward()
            run.log({"train/loss": loss.detach()}, step=step)
        run.unwatch(model)
        run.log_dataset((x, y), "train", class_names=["a", "b", "c"], progress=False)
        run.log_predictions(y, model(x).detach(), "test", inputs=x, ids=list(range(12)))
        run.log_embedding("features", model[1](model[0](x)).detach(), labels=y, images=x)
        run.save_checkpoint(model)
        run.event("note", "a note", severity="info")
    print(sorted(m for m in HEAVY if m in sys.modules))
""")


def test_recording_imports_no_server_and_no_matplotlib(tmp_path):
    code = f"HEAVY = {HEAVY!r}\n{TRAINING}"
    out = subprocess.run([sys.executable, "-c", code, str(tmp_path / "loupe")],
                         capture_output=True, text=True, timeout=120)
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip().splitlines()[-1] == "[]", out.stdout
