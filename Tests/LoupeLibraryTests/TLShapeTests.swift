import Foundation
import XCTest
@testable import LoupeInterpreter
@testable import LoupeLibrary
import LoupeNotebook

/// TransformerLens's shapes at every model entry point, for one prompt, a list of prompts and token
/// tensors [pos] and [batch, pos], and in hook functions: the expectations are TransformerLens's
/// documented shapes (HookedTransformer.to_tokens / forward / run_with_cache, ActivationCache), and on
/// the tiny GPT-2 fixture its recorded values (Tests/Fixtures/models, tools/gen_model_fixtures.py).
final class TLShapeTests: XCTestCase {
    func run(_ code: String) throws -> Interpreter {
        let interp = Library.interpreter(sink: CollectingSink())
        interp.define("FIXTURES", .string(ModelBindingsTests.fixtures.path))
        _ = try interp.execute(code, file: "test.loupe")
        return interp
    }

    /// The value's text for a failure message (the error's text if it fails).
    func shown(_ interp: Interpreter, _ expr: String) -> String {
        (try? value(interp, expr)) ?? error(interp, expr)
    }

    func error(_ interp: Interpreter, _ code: String) -> String {
        do { _ = try interp.execute(code, file: "err.loupe"); return "" } catch { return "\(error)" }
    }

    static let setup = """
    model = load(FIXTURES + "/gpt2-tiny", processing=False)
    prompt = "When Mary and John went to the store,"
    prompts = [prompt, "The quick brown fox"]     # the fixture's prompts
    V = model.d_vocab

    """

    func testToTokensToStrTokensAndToString() throws {
        let ref = try ModelBindingsTests.reference("gpt2-tiny")
        let interp = try run(Self.setup + """
        t = model.to_tokens(prompt)
        b = model.to_tokens(prompts)
        """)
        let single = (ref.meta["tokens"] as? [[Int]])?.first ?? []
        XCTAssertEqual(try value(interp, "t.shape"), "(1, \(single.count))")
        XCTAssertEqual(try value(interp, "t.dtype"), "int64")
        XCTAssertEqual(try value(interp, "t[0].tolist()"), "\(single)")
        // A list of texts: right-padded with the pad token, exactly TransformerLens's to_tokens(prompts).
        let batch = ref.meta["batch_tokens"] as? [[Int]] ?? []
        XCTAssertEqual(try value(interp, "b.tolist()"), "\(batch)")
        XCTAssertEqual(try value(interp, "b.shape"), "(2, \(batch.first?.count ?? 0))")
        // to_str_tokens: a text, [pos] and [1, pos] give one list; a list of texts a list per text.
        XCTAssertEqual(try value(interp, "model.to_str_tokens(t) == model.to_str_tokens(t[0]) == model.to_str_tokens(prompt)"), "True")
        XCTAssertEqual(try value(interp, "len(model.to_str_tokens(prompt))"), "\(single.count)")
        XCTAssertEqual(try value(interp, "[len(x) for x in model.to_str_tokens(prompts)]"), "[17, 9]")
        XCTAssertTrue(error(interp, "model.to_str_tokens(b)").contains("several prompts"))
        // to_string: [pos] gives a string, [batch, pos] (also [1, pos]) a list of strings.
        XCTAssertEqual(try value(interp, "type(model.to_string(t[0]))"), "str")
        XCTAssertEqual(try value(interp, "len(model.to_string(t))"), "1")
        XCTAssertEqual(try value(interp, "model.to_string(t)[0] == model.to_string(t[0])"), "True")
        XCTAssertEqual(try value(interp, "len(model.to_string(b))"), "2")
        XCTAssertEqual(try value(interp, "model.to_single_token(\" the\") == model.to_tokens(\" the\", prepend_bos=False)[0, 0].item()"), "True")
    }

    func testEveryEntryPointGivesBatchedLogits() throws {
        let interp = try run(Self.setup + """
        t = model.to_tokens(prompt)
        n = t.shape[1]
        b = model.to_tokens(prompts)
        shapes = {}
        for name, x in [("text", prompt), ("list", prompts), ("pos", t[0]), ("batch_pos", t), ("batch2", b)]:
            shapes[name] = [model(x).shape, model.forward(x).shape, model.run_with_hooks(x).shape, model.run_with_cache(x)[0].shape]
        """)
        for (name, batch, pos) in [("text", 1, "n"), ("list", 2, "b.shape[1]"), ("pos", 1, "n"), ("batch_pos", 1, "n"), ("batch2", 2, "b.shape[1]")] {
            XCTAssertEqual(try value(interp, "all(s == (\(batch), \(pos), V) for s in shapes[\"\(name)\"])"), "True",
                           "\(name): \(shown(interp, "shapes[\"\(name)\"]"))")
        }
        // TransformerLens code reading logits[0, -1] gets the last position's logits, the same for every input form.
        XCTAssertEqual(try value(interp, "(model(prompt)[0, -1] - model(t[0])[0, -1]).abs().max().item()"), "0.0")
        XCTAssertEqual(try value(interp, "(model(prompts)[0] - model(prompt)[0]).abs().max().item() < 1e-4"), "True")
    }

    /// Real positions of a right-padded batch equal TransformerLens's recorded batch run; the cache holds
    /// TransformerLens's batch shapes.
    func testBatchMatchesTransformerLensReference() throws {
        let ref = try ModelBindingsTests.reference("gpt2-tiny")
        let interp = try run(Self.setup + "logits, cache = model.run_with_cache(prompts)")
        let mask = (ref.meta["batch_mask"] as? [[Int]] ?? []).flatMap { $0 }
        var checked = 0
        for key in ref.tensors.keys.sorted() where key.hasPrefix("batch/") {
            let name = String(key.dropFirst("batch/".count))
            let expr = name == "logits" ? "logits" : "cache[\"\(name)\"]"
            guard case .tensor(let t)? = try interp.execute(expr, file: "x") else { XCTFail(name); continue }
            let shape = ref.tensors[key]?.shape ?? []
            XCTAssertEqual(t.tensor.shape, shape, name)
            guard name.hasSuffix("resid_post") || name == "logits" else { continue }
            // [batch, pos, ...]: compare the rows of real tokens.
            let got = t.tensor.toArray(), want = ref.tensor(key) ?? []
            let inner = got.count / max(mask.count, 1)
            for (i, real) in mask.enumerated() where real == 1 {
                let d = zip(got[(i * inner)..<((i + 1) * inner)], want[(i * inner)..<((i + 1) * inner)]).map { abs($0 - $1) }.max() ?? 0
                XCTAssertLessThan(d, 1e-3, "\(name) row \(i)")
            }
            checked += 1
        }
        XCTAssertGreaterThan(checked, 1)
    }

    func testCacheShapesAndRemoveBatchDim() throws {
        let interp = try run(Self.setup + """
        logits, cache = model.run_with_cache(prompt)
        logits1, single = model.run_with_cache(prompt, remove_batch_dim=True)
        n = logits.shape[1]
        L = model.n_layers
        H = model.n_heads
        D = model.d_model
        """)
        let expectations: [(String, String)] = [
            ("cache[\"pattern\", 0].shape", "(1, H, n, n)"),
            ("cache[\"attn_scores\", 0].shape", "(1, H, n, n)"),
            ("cache[\"q\", 0].shape", "(1, n, H, model.d_head)"),
            ("cache[\"z\", 1].shape", "(1, n, H, model.d_head)"),
            ("cache[\"resid_pre\", 0].shape", "(1, n, D)"),
            ("cache[\"embed\"].shape", "(1, n, D)"),
            ("cache[\"post\", 0].shape", "(1, n, model.d_mlp)"),
            ("cache[\"blocks.0.ln1.hook_scale\"].shape", "(1, n, 1)"),
            ("cache.accumulated_resid().shape", "(L + 1, 1, n, D)"),
            ("cache.accumulated_resid(pos_slice=-1).shape", "(L + 1, 1, D)"),
            ("cache.accumulated_resid(incl_mid=True, pos_slice=-1).shape", "(2 * L + 1, 1, D)"),
            ("cache.decompose_resid().shape", "(2 + 2 * L, 1, n, D)"),
            ("cache.stack_head_results().shape", "(L * H, 1, n, D)"),
            ("cache.apply_ln_to_stack(cache.accumulated_resid(pos_slice=-1), pos_slice=-1).shape", "(L + 1, 1, D)"),
            ("cache.logit_attrs(cache.decompose_resid(pos_slice=-1), model.to_single_token(\" the\"), pos_slice=-1).shape", "(2 + 2 * L, 1)"),
            // remove_batch_dim=True: the cache loses the batch axis, the logits keep it (TransformerLens).
            ("logits1.shape", "(1, n, V)"),
            ("single[\"pattern\", 0].shape", "(H, n, n)"),
            ("single[\"resid_pre\", 0].shape", "(n, D)"),
            ("single.accumulated_resid().shape", "(L + 1, n, D)"),
            ("single.accumulated_resid(pos_slice=-1).shape", "(L + 1, D)"),
            ("single.stack_head_results(pos_slice=-1).shape", "(L * H, D)"),
        ]
        for (expr, want) in expectations {
            XCTAssertEqual(try value(interp, "\(expr) == \(want)"), "True", "\(expr): \(shown(interp, expr))")
        }
        XCTAssertEqual(try value(interp, "(cache[\"pattern\", 1][0] - single[\"pattern\", 1]).abs().max().item()"), "0.0")
        // TransformerLens's cache["pattern", 0][0, head] is one head's [query, key] pattern.
        XCTAssertEqual(try value(interp, "cache[\"pattern\", 0][0, 2].shape == (n, n)"), "True")
        XCTAssertTrue(error(interp, "model.run_with_cache(prompts, remove_batch_dim=True)").contains("one prompt"))
        XCTAssertEqual(try value(interp, "(cache.has_batch_dim, single.has_batch_dim)"), "(True, False)")
        _ = try interp.execute("_, inplace = model.run_with_cache(prompt)\ninplace.remove_batch_dim()", file: "rb.loupe")
        XCTAssertEqual(try value(interp, "inplace[\"pattern\", 0].shape == (H, n, n) and not inplace.has_batch_dim"), "True")
        let several = error(interp, "model.run_with_cache(prompts)[1].remove_batch_dim()")
        XCTAssertTrue(several.contains("batch of one"), several)
        // The analysis builtins read a cache of one prompt with or without the batch axis alike.
        XCTAssertEqual(try value(interp, "logit_lens(model, cache, k=3).top_ids == logit_lens(model, single, k=3).top_ids"), "True")
        let batchError = error(interp, "logit_lens(model, model.run_with_cache(prompts)[1])")
        XCTAssertTrue(batchError.contains("several prompts"), batchError)
    }

    func testHooksSeeTheBatchAxis() throws {
        let interp = try run(Self.setup + """
        seen = []
        def record(x, hook):
            seen.append((hook.name, x.shape))
        names = ["hook_embed", "blocks.0.attn.hook_pattern", "blocks.0.attn.hook_z", "blocks.1.hook_resid_post"]
        hooks = [(name, record) for name in names]
        n = model.to_tokens(prompt).shape[1]
        m = model.to_tokens(prompts).shape[1]
        model.run_with_hooks(prompt, fwd_hooks=hooks)
        single = seen
        seen = []
        model.run_with_hooks(prompts, fwd_hooks=hooks)
        batched = seen
        seen = []
        model.run_with_cache(prompt, remove_batch_dim=True, fwd_hooks=hooks)
        removed = seen
        seen = []
        model.generate(prompt, max_new_tokens=2, do_sample=False, stop_at_eos=False, fwd_hooks=[("blocks.0.attn.hook_z", record)])
        generating = seen
        H = model.n_heads
        d = model.d_head
        """)
        XCTAssertEqual(try value(interp, "[s for _, s in single] == [(1, n, model.d_model), (1, H, n, n), (1, n, H, d), (1, n, model.d_model)]"), "True",
                       shown(interp, "single"))
        XCTAssertEqual(try value(interp, "[s for _, s in batched] == [(2, m, model.d_model), (2, H, m, m), (2, m, H, d), (2, m, model.d_model)]"), "True")
        // remove_batch_dim changes the cache, not what hooks see (as TransformerLens).
        XCTAssertEqual(try value(interp, "removed == single"), "True")
        // generate: the prompt pass, then one pass per further token.
        XCTAssertEqual(try value(interp, "[s for _, s in generating] == [(1, n, H, d), (1, 1, H, d)]"), "True",
                       shown(interp, "generating"))
        // In-place edits and returned replacements both carry the batch axis.
        _ = try interp.execute("""
        def zero(z, hook):
            z[:, -1, 0, :] = 0
        def zero_returned(z, hook):
            w = z.clone()
            w[:, -1, 0, :] = 0
            return w
        a = model.run_with_hooks(prompt, fwd_hooks=[("blocks.1.attn.hook_z", zero)])
        b = model.run_with_hooks(prompt, fwd_hooks=[("blocks.1.attn.hook_z", zero_returned)])
        c = model.run_with_hooks(prompt, fwd_hooks=[ablate_heads(1, [0], positions=[-1])])
        """, file: "edit.loupe")
        XCTAssertEqual(try value(interp, "(a - b).abs().max().item() == 0 and (a - c).abs().max().item() == 0"), "True")
        XCTAssertEqual(try value(interp, "(a - model(prompt)).abs().max().item() > 0"), "True")
        XCTAssertTrue(error(interp, "model.run_with_hooks(prompt, fwd_hooks=[(\"blocks.0.attn.hook_z\", lambda z, hook: z[0])])").contains("shape"))
    }

    func testHookPointsPersistentHooksAndTheHooksContext() throws {
        let interp = try run(Self.setup + """
        hp = model.hook_dict["blocks.1.attn.hook_pattern"]
        clean = model(prompt)
        model.add_hook("blocks.0.hook_resid_post", lambda x, hook: x * 0)
        hooked = model(prompt)
        hooked_again = model.run_with_cache(prompt)[0]
        model.reset_hooks()
        after = model(prompt)
        model.add_hook("blocks.0.hook_resid_post", lambda x, hook: x * 0, is_permanent=True)
        model.reset_hooks()
        still = model(prompt)
        model.reset_hooks(including_permanent=True)
        """)
        XCTAssertEqual(try value(interp, "(hp.name, hp.layer())"), "('blocks.1.attn.hook_pattern', 1)")
        XCTAssertEqual(try value(interp, "len(model.hook_dict) == len(model.hook_names)"), "True")
        XCTAssertEqual(try value(interp, "model.hook_dict[\"hook_embed\"].layer()"), "None")
        XCTAssertEqual(try value(interp, "(hooked - clean).abs().max().item() > 0 and (hooked - hooked_again).abs().max().item() == 0"), "True")
        XCTAssertEqual(try value(interp, "(after - clean).abs().max().item()"), "0.0")
        XCTAssertEqual(try value(interp, "(still - hooked).abs().max().item()"), "0.0")
        XCTAssertEqual(try value(interp, "(model(prompt) - clean).abs().max().item()"), "0.0")
        // The analyses run the model through the same persistent hooks (activations with the batch axis).
        _ = try interp.execute("""
        seen = []
        model.add_hook("blocks.0.attn.hook_z", lambda z, hook: seen.append(z.shape))
        sweep = ablation_sweep(model, prompt, head=1, position=-2)
        model.reset_hooks()
        """, file: "analysis.loupe")
        XCTAssertEqual(try value(interp, "len(seen) > 0 and all(s[0] == 1 and len(s) == 4 for s in seen)"), "True", shown(interp, "seen"))
        // `with model.hooks(...)`: the hooks apply inside the block only, also when the block fails.
        _ = try interp.execute("""
        with model.hooks(fwd_hooks=[("blocks.0.hook_resid_post", lambda x, hook: x * 0)]) as hooked_model:
            inside = hooked_model(prompt)
        outside = model(prompt)
        try:
            with model.hooks(fwd_hooks=[("blocks.0.hook_resid_post", lambda x, hook: x * 0)]):
                raise ValueError("stop")
        except ValueError:
            pass
        after_error = model(prompt)
        """, file: "with.loupe")
        XCTAssertEqual(try value(interp, "(inside - hooked).abs().max().item()"), "0.0")
        XCTAssertEqual(try value(interp, "(outside - clean).abs().max().item() == 0 and (after_error - clean).abs().max().item() == 0"), "True")
        XCTAssertTrue(error(interp, "model.hooks(bwd_hooks=[(\"hook_embed\", lambda x, hook: x)])").contains("backward"))
    }

    func testReturnTypeAndLoss() throws {
        let interp = try run(Self.setup + """
        t = model.to_tokens(prompt)
        logits = model(t)
        loss = model(t, return_type="loss")
        per = model(t, return_type="loss", loss_per_token=True)
        both = model.forward(t, return_type="both")
        lp = logits[0, :-1].log_softmax(dim=-1)
        manual = -stack([lp[i, t[0, i + 1].item()] for i in range(t.shape[1] - 1)])
        """)
        XCTAssertEqual(try value(interp, "loss.shape"), "()")
        XCTAssertEqual(try value(interp, "per.shape == (1, t.shape[1] - 1)"), "True")
        XCTAssertEqual(try value(interp, "(per[0] - manual).abs().max().item() < 1e-4"), "True")
        XCTAssertEqual(try value(interp, "abs(loss.item() - manual.mean().item()) < 1e-4"), "True")
        XCTAssertEqual(try value(interp, "(both[0] - logits).abs().max().item() == 0 and abs(both[1].item() - loss.item()) < 1e-6"), "True")
        XCTAssertEqual(try value(interp, "model(t, return_type=None)"), "None")
        XCTAssertEqual(try value(interp, "abs(model.run_with_hooks(t, \"loss\").item() - loss.item()) < 1e-6"), "True")
        XCTAssertEqual(try value(interp, "abs(model.run_with_cache(t, return_type=\"loss\")[0].item() - loss.item()) < 1e-6"), "True")
        XCTAssertTrue(error(interp, "model(t, return_type=\"logit\")").contains("return_type"))
        // A names_filter given positionally (TransformerLens reads it as return_type) is an error, not a quiet reading.
        XCTAssertTrue(error(interp, "model.run_with_cache(t, \"blocks.0.hook_resid_pre\")").contains("return_type"))
        let positionalHooks = error(interp, "model.run_with_hooks(t, [(\"blocks.0.hook_resid_pre\", lambda x, hook: x * 0)])")
        XCTAssertTrue(positionalHooks.contains("fwd_hooks="), positionalHooks)
    }

    func testGenerateFollowsTransformerLens() throws {
        let interp = try run(Self.setup + """
        text = model.generate(prompt, max_new_tokens=3, do_sample=False, stop_at_eos=False)
        t = model.to_tokens(prompt)
        out = model.generate(t, max_new_tokens=3, do_sample=False, stop_at_eos=False)
        out1 = model.generate(t[0], max_new_tokens=3, do_sample=False, stop_at_eos=False)
        _, steps = model.generate(t, max_new_tokens=2, do_sample=False, stop_at_eos=False, keep="blocks.0.attn.hook_pattern")
        """)
        // Loupe's per-step caches carry the batch axis too, so cache["pattern", 0][0, head] means what it means elsewhere.
        XCTAssertEqual(try value(interp, "steps[0][\"pattern\", 0].shape == (1, model.n_heads, t.shape[1], t.shape[1])"), "True")
        XCTAssertEqual(try value(interp, "steps[1][\"pattern\", 0].shape == (1, model.n_heads, 1, t.shape[1] + 1)"), "True")
        XCTAssertEqual(try value(interp, "type(text)"), "str")
        XCTAssertEqual(try value(interp, "out.shape == (1, t.shape[1] + 3)"), "True")
        XCTAssertEqual(try value(interp, "out.tolist() == out1.tolist()"), "True")
        XCTAssertEqual(try value(interp, "text == model.to_string(out[0, 1:])"), "True")
        XCTAssertTrue(error(interp, "model.generate(model.to_tokens(prompts))").contains("one prompt"))
    }

    /// get_full_resid_decomposition: TransformerLens's components, which sum to the residual stream.
    func testFullResidDecompositionSumsToTheResidualStream() throws {
        for processing in ["False", "True"] {
            let interp = try run(Self.setup.replacingOccurrences(of: "processing=False", with: "processing=\(processing)") + """
            logits, cache = model.run_with_cache(prompt)
            _, single = model.run_with_cache(prompt, remove_batch_dim=True)
            full, labels = cache.get_full_resid_decomposition(return_labels=True)
            mlps, mlp_labels = cache.get_full_resid_decomposition(layer=1, expand_neurons=False, return_labels=True)
            last = single.get_full_resid_decomposition(pos_slice=-1)
            final = cache["blocks.1.hook_resid_post"]
            L = model.n_layers
            H = model.n_heads
            """)
            XCTAssertEqual(try value(interp, "full.shape == (L * H + L * model.d_mlp + 3, 1, final.shape[1], model.d_model)"), "True",
                           shown(interp, "full.shape"))
            XCTAssertEqual(try value(interp, "labels[0] == 'L0H0' and labels[L * H] == 'L0N0' and labels[-3:] == ['embed', 'pos_embed', 'bias']"), "True")
            XCTAssertEqual(try value(interp, "(full.sum(dim=0) - final).abs().max().item() < 1e-3"), "True", shown(interp, "(full.sum(dim=0) - final).abs().max().item()"))
            XCTAssertEqual(try value(interp, "mlp_labels == ['L0H0', 'L0H1', 'L0H2', 'L0H3', '0_mlp_out', 'embed', 'pos_embed', 'bias']"), "True", shown(interp, "mlp_labels"))
            XCTAssertEqual(try value(interp, "(mlps.sum(dim=0) - cache[\"resid_pre\", 1]).abs().max().item() < 1e-3"), "True")
            XCTAssertEqual(try value(interp, "(last - full[:, 0, -1]).abs().max().item() < 1e-5"), "True")
            XCTAssertEqual(try value(interp, "(cache.stack_neuron_results(L) - full[L * H:L * H + L * model.d_mlp]).abs().max().item()"), "0.0")
            XCTAssertEqual(try value(interp, "single.stack_neuron_results(1, pos_slice=-1).shape == (model.d_mlp, model.d_model)"), "True")
        }
    }
}
