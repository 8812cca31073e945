import Foundation
import XCTest
import LoupeReport
@testable import LoupeInterpreter
@testable import LoupeLibrary
import LoupeNotebook

/// The model-taking analysis builtins on the tiny GPT-2 fixture, each checked against an independent
/// computation: plain tensor code in Loupe, or Hugging Face's greedy generation (the fixture's greedy0).
final class AnalysisModelTests: XCTestCase {
    static let fixtures = modelFixtures

    func run(_ code: String) throws -> (Interpreter, CollectingSink) { try runWithFixtures(code) }

    func testLogitLensMatchesTensorComputation() throws {
        let (interp, _) = try run("""
        model = load(FIXTURES + "/gpt2-tiny")
        logits, cache = model.run_with_cache("When Mary and John went to the store,", remove_batch_dim=True)
        lens = logit_lens(model, cache, k=5, pos=None, recompute_ln=True)
        resid, labels = cache.accumulated_resid(incl_mid=True, return_labels=True)
        direct = cache.apply_ln_to_stack(resid, recompute_ln=True) @ model.W_U
        top = direct.topk(5, dim=-1)
        ref_ids = top[1].tolist()
        ref_probs = direct.softmax(dim=-1).topk(5, dim=-1)[0]
        """)
        XCTAssertEqual(try value(interp, "lens.top_ids == ref_ids"), "True")
        XCTAssertEqual(try value(interp, "lens.labels == labels"), "True")
        XCTAssertEqual(try value(interp, "(lens.top_probs - ref_probs).abs().max().item() < 1e-5"), "True")
        // The final component's top-1 is the model's own prediction.
        XCTAssertEqual(try value(interp, "lens.top_ids[-1][-1][0] == (logits[0, -1] - model.b_U).argmax().item()"), "True")
        let t = try value(interp, "len(logit_lens(model, cache, k=3).table())")
        XCTAssertEqual(t, String(5 * 3)) // 5 components (0_pre, 0_mid, 1_pre, 1_mid, final_post) × 1 position × 3
        XCTAssertEqual(try value(interp, "type(lens.grid())"), "Figure")
        let cached = try value(interp, "logit_lens(model, cache).top_ids[-1] == logit_lens(model, cache, recompute_ln=True).top_ids[-1]")
        XCTAssertEqual(cached, "True") // the final component is normalised by its own scale either way
    }

    func testGenerationTraceMatchesHuggingFaceGreedy() throws {
        let (interp, sink) = try run("""
        model = load(FIXTURES + "/gpt2-tiny", processing=False)
        trace = generation_trace(model, "When Mary and John went to the store,", max_new_tokens=12, top_k=3, pattern_layers=[1], every=2)
        """)
        // An independent greedy loop over full forward passes; its first tokens are Hugging Face's greedy0.
        _ = try interp.execute("""
        ids = model.to_tokens("When Mary and John went to the store,")[0].tolist()
        for _ in range(12):
            ids.append(model(ids)[0, -1].argmax().item())
        """, file: "greedy.loupe")
        XCTAssertEqual(try value(interp, "trace.tokens.tolist() == ids[-12:]"), "True")
        XCTAssertEqual(try value(interp, "trace.tokens.tolist()[:3]"), "[212, 212, 212]")
        let lines = sink.text.split(separator: "\n").map(String.init)
        XCTAssertEqual(lines.first, "step = 1")
        XCTAssertTrue(lines[1].hasPrefix("token: '") && lines[1].hasSuffix("' (id: 212)"), lines[1])
        XCTAssertTrue(lines.last?.hasPrefix("full text: ") ?? false)
        // The last component's top token is the generated token at every step.
        XCTAssertEqual(try value(interp, "all(trace.top_tokens[s][-1][0] == model.to_string([int(trace.tokens[s].item())]) for s in range(12))"), "True")
        XCTAssertEqual(try value(interp, "type(trace.grid())"), "Figure")
        _ = try interp.execute("trace.views(step=-1)\ntrace.views(step=0, last=4)", file: "v.loupe")
        let views = sink.outputs.filter { if case .view = $0 { return true } else { return false } }
        XCTAssertEqual(views.count, 2)
        if case let .view(html, _, _) = views[1] { XCTAssertTrue(html.contains("Step 1, layer 1")) }
    }

    /// model.generate with the KV cache: greedy equals a loop of full forward passes (whose first tokens are
    /// Hugging Face's greedy fixture), text in gives text out, keep= returns per-step caches whose attention
    /// rows equal a full run's, sampling is repeatable by seed, and bad arguments are errors.
    func testGenerateMatchesFullPassesAndKeepsStepCaches() throws {
        let (interp, _) = try run("""
        model = load(FIXTURES + "/llama3-tiny", processing=False)
        prompt = "When Mary and John went to the store,"
        ids = model.to_tokens(prompt)[0].tolist()
        for _ in range(8):
            ids.append(model(ids)[0, -1].argmax().item())
        out = model.generate(model.to_tokens(prompt), max_new_tokens=8, do_sample=False, stop_at_eos=False)
        text = model.generate(prompt, max_new_tokens=8, do_sample=False, stop_at_eos=False)
        toks, caches = model.generate(model.to_tokens(prompt), max_new_tokens=3, do_sample=False, stop_at_eos=False, keep="blocks.*.attn.hook_pattern")
        logits, full = model.run_with_cache(toks[:, :-1])
        a = model.generate(prompt, max_new_tokens=6, seed=3, stop_at_eos=False, return_type="tokens")
        b = model.generate(prompt, max_new_tokens=6, seed=3, stop_at_eos=False, return_type="tokens")
        """)
        XCTAssertEqual(try value(interp, "out.tolist() == [ids]"), "True")
        XCTAssertEqual(try value(interp, "text == model.to_string(ids[1:])"), "True")
        XCTAssertEqual(try value(interp, "len(caches)"), "3")
        XCTAssertEqual(try value(interp, "caches[2][\"pattern\", 1].shape"), try value(interp, "(1, model.n_heads, 1, toks.shape[1] - 1)"))
        XCTAssertEqual(try value(interp, "(caches[2][\"pattern\", 1][0, :, 0, :] - full[\"pattern\", 1][0, :, -1, :]).abs().max().item() < 1e-4"), "True")
        XCTAssertEqual(try value(interp, "a.tolist() == b.tolist()"), "True")
        for bad in ["model.generate([\"a\", \"b\"])", "model.generate(prompt, top_p=1.5)", "model.generate(prompt, return_type=\"x\")",
                    "model.generate(prompt, max_new_tokens=-1)"] {
            XCTAssertThrowsError(try interp.execute(bad, file: "bad.loupe"), bad)
        }
    }

    func testAttentionTokensMatchDirectProjection() throws {
        let (interp, _) = try run("""
        model = load(FIXTURES + "/gpt2-tiny")
        text = "The next sentence is false. The previous sentence is true."
        logits, cache = model.run_with_cache(text, remove_batch_dim=True)
        data = attention_tokens(model, cache, 1, 2)
        q = cache["q", 1][:, 2, :]
        k = cache["k", 1][:, 2, :]
        v = cache["v", 1][:, 2, :]
        WQ = model.W_Q[1, 2]
        WK = model.W_K[1, 2]
        WO = model.W_O[1, 2]
        ref_q = ((q @ WQ.T) @ model.W_U).argmax(dim=-1).tolist()
        ref_k = ((k @ WK.T) @ model.W_U).argmax(dim=-1).tolist()
        ref_v = ((v @ WO) @ model.W_U).argmax(dim=-1).tolist()
        n = q.shape[0]
        ref_qk = [[((q[i] * k[j]) @ WQ.T @ model.W_U).argmax().item() if j <= i else -1 for j in range(n)] for i in range(n)]
        """)
        for (got, ref) in [("data.q", "ref_q"), ("data.k", "ref_k"), ("data.v", "ref_v"), ("data.qk", "ref_qk"),
                           ("data.input", "model.to_tokens(text)[0].tolist()")] {
            XCTAssertEqual(try value(interp, "\(got) == \(ref)"), "True", got)
        }
        XCTAssertEqual(try value(interp, "(data.attn - cache[\"pattern\", 1][2]).abs().max().item()"), "0.0")
        XCTAssertEqual(try value(interp, "type(plot_attn(model, data, title=\"x\"))"), "Figure")
        XCTAssertEqual(try value(interp, "type(plot_attn_layer(model, cache, 0))"), "Figure")
        _ = try interp.execute("fig, axs = subplots(1, 2)\nr = plot_attn(cache, data, ax=axs[1], hide_labels=True, title=\"Head 2\")", file: "ax.loupe")
        XCTAssertEqual(try value(interp, "r"), "None")
        // The dataset holds the same rows for that head.
        _ = try interp.execute("df = attention_token_dataset(model, [text, \"A second prompt here\"], max_tokens=8)", file: "ds.loupe")
        let cfg = try value(interp, "(model.cfg[\"n_layers\"], model.cfg[\"n_heads\"])")
        XCTAssertEqual(try value(interp, "len(df) == 2 * model.cfg[\"n_layers\"] * model.cfg[\"n_heads\"] * 36"), "True", cfg)
        XCTAssertEqual(try value(interp, "df.columns"), "['prompt', 'layer', 'head', 'input_token', 'key_pos', 'attn', 'hp', 'q', 'k', 'v']")
        _ = try interp.execute("""
        logits8, cache8 = model.run_with_cache(model.to_tokens(text)[:, :8])
        mine = df.where("prompt", "==", 0).where("layer", "==", 1).where("head", "==", 2)
        ref = attention_tokens(model, cache8, 1, 2).rows()
        """, file: "cmp.loupe")
        XCTAssertEqual(try value(interp, "mine[\"hp\"].tolist() == ref[\"hp\"].tolist() and mine[\"v\"].tolist() == ref[\"v\"].tolist()"), "True")
    }

    /// Under GQA the dataset shares one key map per key/value head; every query head's rows must still be
    /// exactly what attention_tokens gives for that head alone, for every prompt.
    func testAttentionTokenDatasetMatchesPerHeadUnderGQA() throws {
        let (interp, _) = try run("""
        model = load(FIXTURES + "/llama3-tiny")
        prompts = ["The next sentence is false.", "When Mary and John went to the store"]
        df = attention_token_dataset(model, prompts, max_tokens=6)
        same = True
        for p in range(2):
            logits, c = model.run_with_cache(model.to_tokens(prompts[p])[:, :6])
            for layer in range(model.n_layers):
                for h in range(model.n_heads):
                    mine = df.where("prompt", "==", p).where("layer", "==", layer).where("head", "==", h)
                    ref = attention_tokens(model, c, layer, h).rows(prompt=p)
                    for col in ["hp", "q", "k", "v", "attn", "input_token"]:
                        same = same and mine[col].tolist() == ref[col].tolist()
        """)
        XCTAssertEqual(try value(interp, "model.n_heads > model.n_key_value_heads"), "True")
        XCTAssertEqual(try value(interp, "same"), "True")
        XCTAssertEqual(try value(interp, "df[\"prompt\"].tolist()[0] == 0 and df[\"prompt\"].tolist()[-1] == 1"), "True")
    }

    func testTokenFrequencyAndSharedTokensMatchCounting() throws {
        let (interp, _) = try run("""
        model = load(FIXTURES + "/gpt2-tiny")
        df = attention_token_dataset(model, ["The next sentence is false.", "When Mary and John went"], max_tokens=8)
        freq = token_freq(model, df, "hp")
        nh = model.cfg["n_heads"]
        counts = {}
        for row in df:
            key = (row["layer"] * nh + row["head"], row["hp"])
            counts[key] = counts.get(key, 0) + 1
        mine = {(r["Head"], r["Token"]): r["Frequency"] for r in freq}
        sets = {}
        for (h, t) in counts:
            sets[h] = sets.get(h, []) + [t]
        shared = shared_tokens(df)
        ref_shared = {}
        for a in sets:
            for b in sets:
                if a < b:
                    common = [t for t in sets[a] if t in sets[b]]
                    if len(common) > 0:
                        ref_shared[(a, b)] = len(common)
        got_shared = {(r["Head 1"], r["Head 2"]): r["Shared Tokens"] for r in shared}
        """)
        XCTAssertEqual(try value(interp, "mine == counts"), "True")
        XCTAssertEqual(try value(interp, "got_shared == ref_shared"), "True")
        XCTAssertEqual(try value(interp, "freq.columns"), "['Head', 'Layer', 'Token', 'Frequency', 'Token str', 'Rank']")
        XCTAssertEqual(try value(interp, "token_freq(model, df, 6)[\"Frequency\"].sum() == len(df)"), "True") // column index 6 = hp
        for call in ["plot_token_frequencies(model, freq)", "plot_unique_tokens_by_head(model, freq)",
                     "plot_unique_tokens_by_layer_head(model, freq)", "plot_token_embeddings(model, freq, \"PCA\")",
                     "plot_token_embeddings(model, freq.head(40), \"TSNE\", perplexity=5, iterations=300)", "visualize_shared_tokens(shared, heads_per_layer=nh)", "visualize_shared_tokens(model, shared)"] {
            XCTAssertEqual(try value(interp, "type(\(call))"), "Figure", call)
        }
        _ = try interp.execute("fig, axs = subplots(1, 3)\nr = plot_unique_tokens_by_head(model, freq, ax=axs[1])", file: "ax.loupe")
        XCTAssertEqual(try value(interp, "r"), "None")
    }

    func testSweepsMatchHandWrittenHooks() throws {
        let (interp, _) = try run("""
        model = load(FIXTURES + "/gpt2-tiny")
        ids = model.to_tokens("When Mary and John went to the store,")
        sweep = ablation_sweep(model, ids, head=1, position=-2)
        target = ids[0, -1].item()
        def zero(z, hook):
            z[:, -2, 1, :] = 0
        ref = [model.run_with_hooks(ids, fwd_hooks=[(f"blocks.{l}.attn.hook_z", zero)])[0, -2].log_softmax(dim=-1)[target].item() for l in range(model.cfg["n_layers"])]
        clean = model(ids)[0, -2].log_softmax(dim=-1)[target].item()
        means = ablation_sweep(model, ids, head=1, position=-2, mode="mean")
        def mean_ablate(z, hook):
            z[:, -2, 1, :] = z[:, :, 1, :].mean(dim=1)
        ref_mean = model.run_with_hooks(ids, fwd_hooks=[("blocks.1.attn.hook_z", mean_ablate)])[0, -2].log_softmax(dim=-1)[target].item()
        a = model.to_tokens("When Mary and John went to the store, John gave")
        b = model.to_tokens("When Mary and John went to the store, Mary gave")
        patch = patching_sweep(model, a, b, 12)
        _, cache_a = model.run_with_cache(a)
        def put(resid, hook):
            resid[:, 5, :] = cache_a["resid_pre", 1][:, 5, :]
        ref_patch = model.run_with_hooks(b, fwd_hooks=[("blocks.1.hook_resid_pre", put)])[0, -1].log_softmax(dim=-1)[12].item()
        heads = patching_sweep(model, a, b, 12, over="layers×heads")
        def put_head(z, hook):
            z[:, :, 0, :] = cache_a["z", 0][:, :, 0, :]
        ref_head = model.run_with_hooks(b, fwd_hooks=[("blocks.0.attn.hook_z", put_head)])[0, -1].log_softmax(dim=-1)[12].item()
        """)
        XCTAssertEqual(try value(interp, "max(abs(x - y) for x, y in zip(sweep[\"logprob\"].tolist(), ref)) < 1e-4"), "True")
        XCTAssertEqual(try value(interp, "abs(sweep[\"clean\"][0] - clean) < 1e-4"), "True")
        XCTAssertEqual(try value(interp, "abs(means[\"logprob\"][1] - ref_mean) < 1e-4"), "True")
        XCTAssertEqual(try value(interp, "abs(patch.where(\"layer\", \"==\", 1).where(\"position\", \"==\", 5)[\"logprob\"][0] - ref_patch) < 1e-4"), "True")
        XCTAssertEqual(try value(interp, "abs(heads.where(\"layer\", \"==\", 0).where(\"head\", \"==\", 0)[\"logprob\"][0] - ref_head) < 1e-4"), "True")
        XCTAssertEqual(try value(interp, "patch.pivot(\"layer\", \"position\", \"logprob\").shape == (model.cfg[\"n_layers\"], a.shape[1])"), "True")
        // One row per (layer, position).
        XCTAssertEqual(try value(interp, "len(patch) == model.cfg[\"n_layers\"] * a.shape[1]"), "True")
    }

    /// GPT-2 (LayerNorm, b_U): each map against a full run_with_cache of the same tokens.
    func testAttentionMapsMatchCacheAndWriteWindows() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("loupe-maps-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: dir) }
        let (interp, _) = try run("""
        model = load(FIXTURES + "/gpt2-tiny")
        text = "When Mary and John went to the store,"
        maps = attention_maps(model, text, max_gen_len=3, temperature=0, heads="mean", window=8, stride=5, out_dir="\(dir.path)")
        prompt = model.to_tokens(text)[0].tolist()
        L = model.cfg["n_layers"]
        attn_ok, labels_ok, final_ok = [], [], []
        for i in range(maps.steps):
            ids = prompt + maps.tokens.tolist()[:i + 1]
            logits, cache = model.run_with_cache(tensor([ids]), remove_batch_dim=True)
            ref_attn = stack([cache["pattern", l][:, -1, :].mean(dim=0) for l in range(L)])
            resid = stack([cache["resid_post", l] for l in range(L)])
            ref_lens = (cache.apply_ln_to_stack(resid, recompute_ln=True) @ model.W_U + model.b_U).argmax(dim=-1).tolist()
            attn_ok.append((maps.attention(i) - ref_attn).abs().max().item() < 1e-5)
            labels_ok.append(maps.label_ids(i) == [ids] + ref_lens)
            final_ok.append(maps.label_ids(i)[-1] == logits[0].argmax(dim=-1).tolist())
        """)
        XCTAssertEqual(try value(interp, "(maps.steps, len(prompt))"), "(2, 17)")
        XCTAssertEqual(try value(interp, "attn_ok + labels_ok + final_ok"), "[True, True, True, True, True, True]")
        // 18 positions (map 0): windows start 0, 5, 10; 19 positions: 0, 5, 10, 11 (the last ends at the end).
        XCTAssertEqual(try value(interp, "[f.split(\"/\")[-1] for f in maps.files]"),
                       "['attn_0_0.svg', 'attn_0_1.svg', 'attn_0_2.svg', 'attn_1_0.svg', 'attn_1_1.svg', 'attn_1_2.svg', 'attn_1_3.svg']")
        XCTAssertEqual(try value(interp, "maps.windows(1)[-1]"), "('attn_1_3', 11, 19)")
        XCTAssertTrue(FileManager.default.fileExists(atPath: dir.appendingPathComponent("attn_1_3.svg").path))
        XCTAssertEqual(try value(interp, "type(maps.figure(1, -1))"), "Figure")
    }
}
