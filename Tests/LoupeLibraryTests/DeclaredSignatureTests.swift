import Foundation
import XCTest
@testable import LoupeInterpreter
@testable import LoupeLibrary
import LoupeNotebook

/// The model, cache, hook and analysis builtins are declared once (a `Signature` each): binding, help and
/// the did-you-mean message come from that declaration.
final class DeclaredSignatureTests: XCTestCase {
    /// The global functions the model, cache, hook and analysis bindings register.
    static let functions = [
        "load", "ablate_heads", "patch_hook", "scale_hook", "add_hook",
        "tsne", "pca", "trustworthiness", "read_prompts", "random_tokens", "repeated_token", "repeated_sequence",
        "histogram_density", "attention_windows", "logit_lens", "generation_trace", "attention_maps",
        "attention_tokens", "plot_attn", "plot_attn_layer", "attention_token_dataset", "ablation_sweep",
        "patching_sweep", "token_freq", "shared_tokens", "plot_token_frequencies", "plot_unique_tokens_by_head",
        "plot_unique_tokens_by_layer_head", "plot_token_embeddings", "visualize_shared_tokens",
    ]
    /// The host types those bindings hand out (their `typeName`s).
    static let types = ["Model", "ActivationCache", "HookPoint", "Hook", "LogitLens", "GenerationTrace",
                        "AttentionMaps", "AttentionTokens"]

    override func setUp() {
        super.setUp()
        Library.install()
    }

    func run(_ code: String) throws -> (Interpreter, CollectingSink) { try runWithFixtures(code) }

    func error(_ interp: Interpreter, _ code: String) -> String {
        do {
            _ = try interp.execute(code, file: "x.loupe")
            return "no error"
        } catch let e as LoupeError {
            return e.message + " | " + (e.hint ?? "")
        } catch {
            return "\(error)"
        }
    }

    func testEveryFunctionAndMethodIsDeclared() {
        for name in Self.functions {
            guard let f = Builtins.functions[name] else { XCTFail("\(name) is not registered"); continue }
            XCTAssertTrue(f.signature.hasPrefix("\(name)("), "\(name): \(f.signature)")
        }
        var methods = 0
        for type in Self.types {
            for (name, def) in Builtins.members[type] ?? [:] where def.method != nil {
                XCTAssertNotNil(def.declared, "\(type).\(name) has no declared signature")
                XCTAssertEqual(def.signature, def.declared?.text, "\(type).\(name)")
                methods += 1
            }
        }
        XCTAssertGreaterThan(methods, 20)
        XCTAssertNotNil(Builtins.member("HookPoint", "layer")?.declared, "hook.layer() is a declared method")
        // `model(x)` binds like model.forward.
        XCTAssertEqual(ModelObject.callSignature.parameters.map(\.name),
                       Builtins.member("Model", "forward")?.declared?.parameters.map(\.name))
    }

    func testHelpShowsTheDeclaredHeader() throws {
        let (_, sink) = try run("""
        model = load(FIXTURES + "/gpt2-tiny", processing=False)
        help(model.run_with_cache)
        logits, cache = model.run_with_cache("Hi")
        help(cache)
        """)
        let text = sink.text
        XCTAssertTrue(text.hasPrefix("model.run_with_cache(input, return_type: str | None = 'logits', loss_per_token: bool = False, prepend_bos: bool | None = None, *, names_filter=None, remove_batch_dim: bool = False, fwd_hooks=[], logits: str = 'all', image=None, start_at_layer: int | None = None, stop_at_layer: int | None = None)\n    Runs the model"), text)
        // The cache's own help lists its methods by their declared headers.
        XCTAssertTrue(text.contains("  cache.accumulated_resid(layer: int | None = None, incl_mid: bool = False, pos_slice=None, return_labels: bool = False, apply_ln: bool = False)\n"), text)
        XCTAssertEqual(CacheObject.stackMethods.compactMap { Builtins.member("ActivationCache", $0)?.declared }.count, 7)
    }

    func testMisspeltKeywordSuggestsTheParameter() throws {
        let (interp, _) = try run("model = load(FIXTURES + \"/gpt2-tiny\", processing=False)")
        let cacheError = error(interp, "model.run_with_cache(\"Hi\", names_filtr=\"blocks.0.hook_resid_pre\")")
        XCTAssertTrue(cacheError.contains("model.run_with_cache() got an unexpected keyword argument `names_filtr`"), cacheError)
        XCTAssertTrue(cacheError.contains("did you mean `names_filter`?"), cacheError)
        let callError = error(interp, "model(\"Hi\", prepend_bo=False)")
        XCTAssertTrue(callError.contains("model() got an unexpected keyword argument `prepend_bo`"), callError)
        XCTAssertTrue(callError.contains("did you mean `prepend_bos`?"), callError)
        let lensError = error(interp, "logit_lens(model, None, kk=3)")
        XCTAssertTrue(lensError.contains("did you mean `k`?"), lensError)
    }

    func testForwardRunWithHooksAndRunWithCacheShareOneReading() throws {
        let (interp, _) = try run("""
        model = load(FIXTURES + "/gpt2-tiny", processing=False)
        a = model("Hi there", prepend_bos=False)
        b = model.forward("Hi there", prepend_bos=False)
        c = model.run_with_hooks("Hi there", prepend_bos=False)
        d, cache = model.run_with_cache("Hi there", "logits", False, False)
        n = model.to_tokens("Hi there", prepend_bos=False).shape[1]
        """)
        func logits(_ name: String) throws -> ([Int], [Float]) {
            guard case .tensor(let t)? = try interp.execute(name, file: "x") else { XCTFail("\(name) is not a tensor"); return ([], []) }
            return (t.tensor.shape, t.tensor.toArray())
        }
        let a = try logits("a")
        for name in ["b", "c", "d"] {
            let other = try logits(name)
            XCTAssertEqual(other.0, a.0, name)
            XCTAssertEqual(other.1, a.1, "\(name) differs from model(...)")
        }
        guard case .int(let n)? = try interp.execute("n", file: "x") else { return XCTFail() }
        XCTAssertEqual(a.0.dropFirst().first, n, "prepend_bos=False reaches the forward pass")
        XCTAssertTrue(error(interp, "model.run_with_cache()").contains("missing required argument `input`"))
    }

    func testAccumulatedResidAcceptsExactlyTheDeclaredParameters() throws {
        let declared = Builtins.member("ActivationCache", "accumulated_resid")?.declared
        XCTAssertEqual(declared?.parameters.map(\.name), ["layer", "incl_mid", "pos_slice", "return_labels", "apply_ln"])
        XCTAssertEqual(declared?.text, "cache.accumulated_resid(layer: int | None = None, incl_mid: bool = False, pos_slice=None, return_labels: bool = False, apply_ln: bool = False)")
        let (interp, _) = try run("""
        model = load(FIXTURES + "/gpt2-tiny", processing=False)
        logits, cache = model.run_with_cache("The quick brown fox")
        resid, labels = cache.accumulated_resid(None, True, None, True)
        normed = cache.accumulated_resid(layer=None, incl_mid=False, pos_slice=-1, return_labels=False, apply_ln=True)
        n = model.n_layers
        """)
        guard case .list(let labels)? = try interp.execute("labels", file: "x"),
              case .int(let n)? = try interp.execute("n", file: "x") else { return XCTFail() }
        XCTAssertEqual(labels.items.count, 2 * n + 1)
        guard case .tensor(let normed)? = try interp.execute("normed", file: "x") else { return XCTFail() }
        XCTAssertEqual(normed.tensor.shape.count, 3, "pos_slice=-1 drops the position axis: [component, batch, d_model]")
        let extra = error(interp, "cache.accumulated_resid(None, True, None, True, False, 1)")
        XCTAssertTrue(extra.contains("takes at most 5 positional arguments"), extra)
        let unknown = error(interp, "cache.accumulated_resid(apply_lnn=True)")
        XCTAssertTrue(unknown.contains("did you mean `apply_ln`?"), unknown)
    }

    func testSharedTokensTakeAnOptionalLeadingModel() throws {
        let (interp, _) = try run("model = load(FIXTURES + \"/gpt2-tiny\", processing=False)")
        XCTAssertTrue(error(interp, "visualize_shared_tokens(model)").contains("missing required argument `shared`"))
        XCTAssertTrue(error(interp, "visualize_shared_tokens(model, 1, 2)").contains("by keyword"))
    }
}
