"""Executes a seed notebook through `loupe kernel` with papermill (parameters injected papermill's way)
and checks that every code cell's outputs match those `loupe run` recorded for the same parameters.

    python check_papermill.py LOUPE NOTEBOOK.loupe WORKDIR name=value...
Run by Tests/LoupeCLITests/KernelClientTests.swift; the `loupe` kernelspec must be installed where this
venv's Jupyter looks (the test sets JUPYTER_DATA_DIR). Exits 1 on the first difference.
"""
import ast
import json
import os
import subprocess
import sys

import papermill

loupe, notebook, work = sys.argv[1:4]
parameters = {k: ast.literal_eval(v) for k, v in (a.split("=", 1) for a in sys.argv[4:])}
flags = [f for k, v in parameters.items() for f in ("-p", f"{k}={v!r}")]
name = os.path.splitext(os.path.basename(notebook))[0]
as_ipynb = os.path.join(work, name + ".ipynb")
executed = os.path.join(work, name + ".papermill.ipynb")
subprocess.run([loupe, "convert", notebook, "--output", as_ipynb], check=True)
subprocess.run([loupe, "run", notebook, "-q", "--out", os.path.join(work, "run")] + flags, check=True)
# Loupe is Python-flavoured: papermill's Python translator writes the parameters cell.
papermill.execute_notebook(as_ipynb, executed, parameters=parameters, kernel_name="loupe", language="python",
                           cwd=os.path.dirname(os.path.abspath(notebook)), progress_bar=False)


def text(value):
    return "".join(value) if isinstance(value, list) else value


def outputs(cell):
    """(kind, payload) per output, consecutive stdout streams merged as `loupe run` records them."""
    out = []
    for o in cell.get("outputs", []):
        if o["output_type"] == "stream":
            if out and out[-1][0] == "stream":
                out[-1] = ("stream", out[-1][1] + text(o["text"]))
            else:
                out.append(("stream", text(o["text"])))
        elif o["output_type"] == "error":
            out.append(("error", o["ename"], o["evalue"]))
        else:
            out.append(("data", {k: text(v) for k, v in sorted(o["data"].items())}))
    return out


def code_cells(path):
    with open(path) as f:
        cells = json.load(f)["cells"]
    return [c for c in cells if c["cell_type"] == "code" and "injected-parameters" not in c["metadata"].get("tags", [])]


ran = code_cells(os.path.join(work, "run", "notebook.ipynb"))
kernel = code_cells(executed)
if len(ran) != len(kernel):
    print(f"FAIL: {len(ran)} code cells from loupe run, {len(kernel)} through the kernel")
    sys.exit(1)
figures = 0
for i, (a, b) in enumerate(zip(ran, kernel)):
    if outputs(a) != outputs(b):
        print(f"FAIL: code cell {i + 1} differs\n  loupe run: {str(outputs(a))[:600]}\n  kernel:    {str(outputs(b))[:600]}")
        sys.exit(1)
    figures += sum(1 for o in outputs(a) if o[0] == "data" and "image/svg+xml" in o[1])
print(f"ok   papermill through the kernel: {len(ran)} code cells, {figures} figures, outputs identical to loupe run's")
