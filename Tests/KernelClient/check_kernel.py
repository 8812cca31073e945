"""Drives `loupe kernel` with jupyter_client, a real Jupyter client, and checks what it answers.

Run by Tests/LoupeCLITests/KernelClientTests.swift with the venv it makes; by hand:
    JUPYTER_DATA_DIR=/tmp/jd loupe kernel install --user && JUPYTER_DATA_DIR=/tmp/jd python check_kernel.py LOG
Prints one line per check; exits 1 on the first failure.
"""
import hashlib
import hmac
import json
import sys
import time
import uuid

import zmq
from jupyter_client import KernelManager

LOG = sys.argv[1]
TIMEOUT = 20


def check(condition, what, detail=""):
    if not condition:
        print(f"FAIL {what}: {detail}", flush=True)
        sys.exit(1)
    print(f"ok   {what}", flush=True)


def run(kc, code, allow_stdin=False, stdin_answer=None):
    """Executes code; returns (reply content, [iopub messages of this request in order])."""
    msg_id = kc.execute(code, allow_stdin=allow_stdin)
    if stdin_answer is not None:
        request = kc.get_stdin_msg(timeout=TIMEOUT)
        check(request["msg_type"] == "input_request", "stdin: input_request", request["msg_type"])
        check(request["content"]["prompt"] == "who? ", "stdin: the prompt", request["content"])
        kc.input(stdin_answer)
    reply = kc.get_shell_msg(timeout=TIMEOUT)
    while reply["parent_header"].get("msg_id") != msg_id:
        reply = kc.get_shell_msg(timeout=TIMEOUT)
    messages = []
    while True:
        msg = kc.get_iopub_msg(timeout=TIMEOUT)
        if msg["parent_header"].get("msg_id") != msg_id:
            continue
        messages.append(msg)
        if msg["msg_type"] == "status" and msg["content"]["execution_state"] == "idle":
            return reply["content"], messages


def of_type(messages, kind):
    return [m["content"] for m in messages if m["msg_type"] == kind]


def start(log):
    km = KernelManager(kernel_name="loupe")
    km.start_kernel(stderr=log)
    kc = km.client()
    kc.start_channels()
    kc.wait_for_ready(timeout=60)
    return km, kc


def basics(km, kc):
    info = kc.kernel_info(reply=True, timeout=TIMEOUT)["content"]
    check(info["protocol_version"] == "5.3" and info["implementation"] == "loupe", "kernel_info", info)
    lang = info["language_info"]
    check(lang["name"] == "loupe" and lang["codemirror_mode"] == "python" and lang["pygments_lexer"] == "python",
          "language_info", lang)

    reply, msgs = run(kc, "x = 21\nprint('hello')\nprint('world')\nx * 2")
    check(reply["status"] == "ok" and reply["execution_count"] == 1, "execute: reply", reply)
    kinds = [m["msg_type"] for m in msgs]
    check(kinds[0] == "status" and msgs[0]["content"]["execution_state"] == "busy", "iopub: busy first", kinds)
    check(kinds[1] == "execute_input" and msgs[1]["content"]["execution_count"] == 1, "iopub: execute_input", kinds)
    check("".join(c["text"] for c in of_type(msgs, "stream")) == "hello\nworld\n", "iopub: stream", of_type(msgs, "stream"))
    result = of_type(msgs, "execute_result")
    check(len(result) == 1 and result[0]["data"]["text/plain"] == "42" and result[0]["execution_count"] == 1,
          "iopub: execute_result", result)

    reply, msgs = run(kc, "x + 1")
    check(of_type(msgs, "execute_result")[0]["data"]["text/plain"] == "22" and reply["execution_count"] == 2,
          "state persists across cells", msgs)

    reply, msgs = run(kc, "fig, ax = subplots(figsize=(3, 2))\nax.plot([1, 3, 2])\nfig")
    bundle = (of_type(msgs, "execute_result") + of_type(msgs, "display_data"))[-1]["data"]
    check(bundle.get("image/svg+xml", "").lstrip().startswith("<svg") and "text/plain" in bundle,
          "a figure as image/svg+xml", list(bundle))

    reply, msgs = run(kc, 'display(attention_heads([[[1, 0], [0.5, 0.5]]], tokens=["a", "b"]))')
    shown = of_type(msgs, "display_data")
    check(len(shown) == 1 and "<script" in shown[0]["data"].get("text/html", "")
          and "image/svg+xml" in shown[0]["data"], "an attention view as self-contained text/html", shown)

    reply, msgs = run(kc, "y = undefined_name + 1")
    errors = of_type(msgs, "error")
    check(reply["status"] == "error" and len(errors) == 1, "error: reply and iopub error", reply)
    trace = "\n".join(errors[0]["traceback"])
    check("In[" in trace and ":1:5" in trace and "undefined_name" in trace and errors[0]["ename"],
          "error: Loupe's located message in the traceback", errors[0])

    reply, msgs = run(kc, 'name = input("who? ")\nprint("hi " + name)', allow_stdin=True, stdin_answer="Ada")
    check("".join(c["text"] for c in of_type(msgs, "stream")) == "hi Ada\n", "stdin: input() returns the answer", msgs)

    failing = kc.execute("s = 0\nfor i in range(300000):\n    s += i\nundefined_x")
    queued = kc.execute("print('never')")
    replies = {}
    while len(replies) < 2:
        m = kc.get_shell_msg(timeout=TIMEOUT)
        replies[m["parent_header"]["msg_id"]] = m["content"]
    check(replies[failing]["status"] == "error" and replies[queued]["status"] == "aborted",
          "stop_on_error: a queued cell is aborted after an error", replies)

    zs = "zs = zeros(3)\n"
    run(kc, zs)
    comp = kc.complete("pri", 3, reply=True, timeout=TIMEOUT)["content"]
    check("print" in comp["matches"] and comp["cursor_start"] == 0 and comp["cursor_end"] == 3, "complete: a name", comp)
    comp = kc.complete("n = zs.sha", 10, reply=True, timeout=TIMEOUT)["content"]
    check("zs.shape" in comp["matches"] and comp["cursor_start"] == 4, "complete: a member", comp)
    comp = kc.complete("topk(zs, ", 9, reply=True, timeout=TIMEOUT)["content"]
    check(any(m.endswith("=") for m in comp["matches"]), "complete: keyword arguments in a call", comp)

    insp = kc.inspect("len(zs)", 2, reply=True, timeout=TIMEOUT)["content"]
    check(insp["found"] and "len" in insp["data"]["text/plain"], "inspect: help() text", insp)
    insp = kc.inspect("no_such_thing", 3, reply=True, timeout=TIMEOUT)["content"]
    check(insp["status"] == "ok" and not insp["found"], "inspect: an unknown name", insp)

    def is_complete(code):
        msg_id = kc.is_complete(code)
        reply = kc.get_shell_msg(timeout=TIMEOUT)
        check(reply["parent_header"]["msg_id"] == msg_id, "is_complete: the reply's parent")
        return reply["content"]
    check(is_complete("x = 1")["status"] == "complete", "is_complete: complete")
    got = is_complete("for i in range(3):")
    check(got["status"] == "incomplete" and got["indent"] == "    ", "is_complete: incomplete with indent", got)
    check(is_complete("x = )")["status"] == "invalid", "is_complete: invalid")

    hist = kc.history(hist_access_type="tail", n=2, reply=True, timeout=TIMEOUT)["content"]
    check(hist["status"] == "ok" and len(hist["history"]) == 2 and hist["history"][-1][2] == zs,
          "history: tail", hist)


def signatures(km, kc):
    """Every iopub message carries a valid HMAC-SHA256; bad messages are dropped and logged."""
    info = km.get_connection_info()
    key = info["key"]
    key = key if isinstance(key, bytes) else key.encode()
    ctx = zmq.Context.instance()
    sub = ctx.socket(zmq.SUB)
    sub.setsockopt(zmq.SUBSCRIBE, b"")
    sub.connect(f"tcp://{info['ip']}:{info['iopub_port']}")
    time.sleep(0.3)
    run(kc, "print(1)")
    seen = 0
    while sub.poll(500):
        frames = sub.recv_multipart()
        i = frames.index(b"<IDS|MSG>")
        mac = hmac.new(key, digestmod=hashlib.sha256)
        for f in frames[i + 2:i + 6]:
            mac.update(f)
        check(frames[i + 1].decode() == mac.hexdigest(), f"iopub signature {seen + 1}")
        seen += 1
    check(seen >= 4, "iopub messages seen raw", seen)

    shell = ctx.socket(zmq.DEALER)
    shell.connect(f"tcp://{info['ip']}:{info['shell_port']}")

    def raw(msg_type, content=b"{}", sign=True, header=None):
        header = header or json.dumps({"msg_id": uuid.uuid4().hex, "msg_type": msg_type, "session": "raw",
                                       "username": "t", "date": "2026-01-01T00:00:00Z", "version": "5.3"}).encode()
        parts = [header, b"{}", b"{}", content]
        mac = hmac.new(key, digestmod=hashlib.sha256)
        for p in parts:
            mac.update(p)
        signature = mac.hexdigest().encode() if sign else b"0" * 64
        shell.send_multipart([b"<IDS|MSG>", signature] + parts)

    raw("execute_request", json.dumps({"code": "print('forged')"}).encode(), sign=False)
    raw("execute_request", b"{not json")
    raw("no_such_request")
    raw("execute_request", header=b"[1, 2]")
    check(not shell.poll(1500), "bad messages get no reply")
    raw("kernel_info_request")
    check(shell.poll(TIMEOUT * 1000) and b"kernel_info_reply" in b"".join(shell.recv_multipart()),
          "the kernel still answers after bad messages")
    with open(LOG.name) as f:
        log = f.read()
    for what in ["invalid signature", "malformed JSON in content", "unknown message type on shell: no_such_request",
                 "header must be a JSON object, not array"]:
        check(what in log, f"logged: {what}", log)
    sub.close()
    shell.close()


def interrupts(km, kc):
    loop = "i = 0\nwhile True:\n    i += 1\n"
    for how in ["signal", "message"]:
        msg_id = kc.execute(loop)
        time.sleep(0.5)
        started = time.time()
        if how == "signal":
            km.interrupt_kernel()
        else:
            kc.control_channel.send(kc.session.msg("interrupt_request", {}))
        reply = kc.get_shell_msg(timeout=TIMEOUT)
        check(reply["parent_header"]["msg_id"] == msg_id and reply["content"]["status"] == "error"
              and "interrupted" in reply["content"]["evalue"], f"interrupt ({how}) stops a long loop", reply["content"])
        check(time.time() - started < 5, f"interrupt ({how}) within 5 s", time.time() - started)
        _, msgs = run(kc, "i > 0")
        check(of_type(msgs, "execute_result")[0]["data"]["text/plain"] == "True", f"state kept after interrupt ({how})")


def restart(km, kc):
    km.restart_kernel(now=False)
    kc.wait_for_ready(timeout=60)
    reply, msgs = run(kc, "x")
    check(reply["status"] == "error" and reply["execution_count"] == 1, "restart: a fresh interpreter", reply)
    km.shutdown_kernel(now=False)
    check(not km.is_alive(), "shutdown: the kernel exits")


def main():
    global LOG
    LOG = open(LOG, "w")
    km, kc = start(LOG)
    try:
        basics(km, kc)
        signatures(km, kc)
        interrupts(km, kc)
        restart(km, kc)
    finally:
        kc.stop_channels()
        if km.is_alive():
            km.shutdown_kernel(now=True)
    print("all kernel checks passed")


main()
