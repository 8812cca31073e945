"""JupyterLab in headless Chromium runs a Loupe cell with an attention view; saves a screenshot.

By hand, never in CI (JupyterLab and Playwright are large). From the repository root, after
`swift build`:
    python3 -m venv .build/lab-venv && .build/lab-venv/bin/pip install jupyterlab playwright
    export JUPYTER_DATA_DIR=/tmp/loupe-lab/jupyter
    .build/debug/loupe kernel install --user
    .build/lab-venv/bin/python tools/kernel_jupyterlab_check.py /tmp/loupe-lab
Uses Debian's /usr/bin/chromium (Playwright downloads no browser). Prints how many elements the view's
script drew and writes /tmp/loupe-lab/jupyterlab-attention-view.png; exits 1 if the view did not draw.
"""
import json
import os
import subprocess
import sys
import time
import urllib.request

from playwright.sync_api import sync_playwright

work = sys.argv[1] if len(sys.argv) > 1 else "/tmp/loupe-lab"
root = os.path.join(work, "notebooks")
os.makedirs(root, exist_ok=True)
models = os.path.join(root, "models")
if not os.path.exists(models):
    os.symlink(os.path.abspath("models"), models)
prompt = "The cat sat on the mat because it was warm"
code = (f'model = load("smollm2")\nstr_tokens = model.to_str_tokens("{prompt}")\n'
        f'logits, cache = model.run_with_cache("{prompt}", remove_batch_dim=True)\n'
        'attention_heads(cache["pattern", 3], tokens=str_tokens, title="Attention heads, layer 3")')
notebook = {"cells": [{"cell_type": "code", "execution_count": None, "id": "view", "metadata": {}, "outputs": [],
                       "source": code}],
            "metadata": {"kernelspec": {"display_name": "Loupe", "language": "loupe", "name": "loupe"}},
            "nbformat": 4, "nbformat_minor": 5}
with open(os.path.join(root, "view.ipynb"), "w") as f:
    json.dump(notebook, f)

port = "8899"
lab = subprocess.Popen([sys.executable, "-m", "jupyterlab", "--no-browser", f"--port={port}", "--ServerApp.token=t",
                        f"--ServerApp.root_dir={root}", "--ServerApp.ip=127.0.0.1", "--allow-root",
                        "--LabApp.expose_app_in_browser=True"],
                       stdout=open(os.path.join(work, "lab.log"), "w"), stderr=subprocess.STDOUT)
drawn = 0
try:
    for _ in range(120):
        try:
            urllib.request.urlopen(f"http://127.0.0.1:{port}/api?token=t")
            break
        except OSError:
            time.sleep(0.5)
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path="/usr/bin/chromium", args=["--no-sandbox"])
        page = browser.new_page(viewport={"width": 1300, "height": 1000})
        page.goto(f"http://127.0.0.1:{port}/lab/tree/view.ipynb?token=t")
        page.wait_for_selector(".jp-Notebook-ExecutionIndicator[data-status='idle']", timeout=90000)
        page.wait_for_function("window.jupyterapp !== undefined", timeout=60000)
        page.evaluate("window.jupyterapp.commands.execute('notebook:run-all-cells')")
        try:
            page.wait_for_selector(".jp-OutputArea-output .loupe-view[data-loupe-state='ready']", timeout=150000)
            time.sleep(1)
            drawn = page.evaluate("document.querySelectorAll('.jp-OutputArea-output .loupe-view-root *').length")
        finally:
            page.screenshot(path=os.path.join(work, "jupyterlab-attention-view.png"))
        browser.close()
finally:
    lab.terminate()
    lab.wait(10)
print(f"elements drawn by the attention view's script in JupyterLab: {drawn}")
sys.exit(0 if drawn > 0 else 1)
