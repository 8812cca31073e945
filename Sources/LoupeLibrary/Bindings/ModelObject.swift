import LoupeNotebook
import LoupeInterpreter
import Foundation
import LoupeFormats
import LoupeImage
import LoupeModels
import LoupeReport
import LoupeTensor
import LoupeTokenizers

/// A loaded model as Loupe code sees it: the engine's HookedTransformer plus the tokenizer that came
/// with the checkpoint. Its TransformerLens-style methods are registered in ModelBindings.
final class ModelObject: HostObject {
    let typeName = "Model"
    let model: HookedTransformer
    let tokenizer: Tokenizer?
    let name: String
    let source: String
    /// Weights already built for Loupe code (W_U, W_E, stacked W_Q…), so `x @ model.W_U` in a loop
    /// dequantises once. Tensors handed out are views of these; they are not written to by the engine.
    var weightMemo: [String: Tensor] = [:]
    /// Hooks added by `model.add_hook`, applied to every run until `model.reset_hooks()`.
    var persistentHooks: [(hook: Hook, label: String, permanent: Bool)] = []
    /// The image processor of the model's folder, read on the first picture (LLaVA).
    var imageProcessorMemo: CLIPImageProcessor?
    /// TransformerLens's cfg.use_attn_result (model.set_use_attn_result): caches keep hook_result by default.
    var useAttnResult = false

    /// The persistent hooks for the engine's one-sequence runs (the analyses): they still see [1, ...].
    var singleRunHooks: [Hook] { persistentHooks.map { HookBindings.withBatchAxis($0.hook) } }

    func memoized(_ key: String, _ build: () throws -> Tensor) throws -> Tensor {
        if let t = weightMemo[key] { return t }
        let t = try build()
        weightMemo[key] = t
        return t
    }

    init(model: HookedTransformer, tokenizer: Tokenizer?, name: String, source: String) {
        self.model = model
        self.tokenizer = tokenizer
        self.name = name
        self.source = source
    }

    var summary: String {
        let c = model.config
        let heads = c.nKVHeads == c.nHeads ? "\(c.nHeads) heads" : "\(c.nHeads) heads (\(c.nKVHeads) KV)"
        return "\(name): \(c.architecture.rawValue), \(c.nLayers) layers, d_model \(c.dModel), \(heads), d_head \(c.dHead), vocab \(c.dVocab)"
    }

    func repr() -> String { "<Model \(summary)>" }

    /// `model(x)`: the forward pass, declared as `model.forward` is.
    static let callSignature: Signature = {
        do {
            return try Signature("model(input, return_type: str | None = \"logits\", loss_per_token: bool = False, prepend_bos: bool | None = None, *, logits: str = \"all\", image=None, start_at_layer: int | None = None, stop_at_layer: int | None = None)")
        } catch { preconditionFailure("\(error)") }
    }()

    func call(_ args: Arguments, interpreter: Interpreter) throws -> Value? {
        let bound = try Self.callSignature.bind(args)
        return try ModelBindings.output(try ModelBindings.run(self, bound, interpreter, cache: nil, hooks: []), bound)
    }

    var help: String {
        """
        Model \(summary)
        Loaded from \(source).
        TransformerLens's HookedTransformer API with its shapes: model.to_tokens(text) [1, pos],
        logits, cache = model.run_with_cache(text) (logits [batch, pos, d_vocab], cache entries with the batch axis),
        model.run_with_hooks(text, fwd_hooks=[(name, fn)]), model.add_hook(name, fn), model.reset_hooks(),
        with model.hooks(fwd_hooks=[...]):,
        model.generate(text, max_new_tokens=20), model.W_U, model.cfg, model.hook_names, model.hook_dict.
        LLaVA: image= takes a picture (read_image(path)) or pixel_values; model.preprocess(img) gives the pixel_values.
        Where Loupe differs from TransformerLens on purpose: the analysis builtins (logit_lens, attention_maps…)
        take a prompt or a cache of one prompt and give results without a batch axis; hook.layer() is None outside blocks (TransformerLens raises); token ids
        [pos] or a list of ids run as a batch of one; there is no backward pass (no bwd_hooks).
        help(model.run_with_cache) documents each method.
        """
    }

    func requireTokenizer(_ what: String) throws -> Tokenizer {
        guard let t = tokenizer else {
            throw LoupeError("\(what): this model has no tokenizer Loupe reads (a tokenizer.json, vocab.json + merges.txt, a GGUF vocabulary or a tiktoken tokenizer.model next to the weights; a SentencePiece tokenizer.model, as in Llama 2's folders, is not read: write a tokenizer.json with transformers' AutoTokenizer.save_pretrained); pass token ids instead")
        }
        return t
    }

    /// Token ids of text with BOS prepended (TransformerLens's default_prepend_bos) unless `prependBOS` is false.
    func encode(_ text: String, prependBOS: Bool?) throws -> [Int] {
        let tok = try requireTokenizer("to_tokens")
        var ids = tok.encode(text, addSpecial: false)
        let wantBOS = prependBOS ?? true
        if wantBOS, let bos = tok.bosID ?? model.config.bosTokenID, ids.first != bos { ids.insert(bos, at: 0) }
        return ids
    }

    /// What a model method's `input` can be: a string, a list of strings (a batch), token ids as a
    /// 1-D tensor or list (one sequence), or a 2-D tensor / list of lists (a batch).
    enum Input {
        case single([Int])
        case batch([[Int]])
    }

    func input(_ v: Value, prependBOS: Bool?, what: String) throws -> Input {
        switch v {
        case .string(let s): return .single(try encode(s, prependBOS: prependBOS))
        case .list(let l) where l.items.allSatisfy({ if case .string = $0 { return true } else { return false } }) && !l.items.isEmpty:
            return .batch(try l.items.map { try encode(try $0.asString(what), prependBOS: prependBOS) })
        case .tensor, .list, .tuple:
            let t = try TensorBuiltins.tensorArg(v, what).tensor
            if t.rank <= 1 { return .single(try ids(t, what: what)) }
            if t.rank == 2 {
                if t.shape[0] == 1 { return .single(try ids(t.index([.at(0)]), what: what)) }
                return .batch(try (0..<t.shape[0]).map { try ids(t.index([.at($0)]), what: what) })
            }
            throw LoupeError("\(what): token ids must be 1-D [pos] or 2-D [batch, pos], got shape \(TensorMath.shapeText(t.shape))")
        case .int(let i): return .single([i])
        default:
            throw LoupeError("\(what): expected text, a list of texts or token ids, not \(v.typeName)")
        }
    }

    /// TransformerLens's tokens of a model input, always [batch, pos] rows of one length: a text is a
    /// batch of one, a list of texts is right-padded with the pad token (TransformerLens's default
    /// padding side; no attention mask, as TransformerLens runs right-padded input), 1-D token ids are
    /// a batch of one, 2-D token ids are the batch.
    func rows(_ v: Value, prependBOS: Bool?, what: String) throws -> [[Int]] {
        switch try input(v, prependBOS: prependBOS, what: what) {
        case .single(let ids): return [ids]
        case .batch(let b):
            let T = b.map(\.count).max() ?? 0
            return b.map { $0 + [Int](repeating: model.padTokenID, count: T - $0.count) }
        }
    }

    func ids(_ t: Tensor, what: String) throws -> [Int] {
        try t.toArray().map { x in
            guard x == x.rounded(), x >= 0 else { throw LoupeError("\(what): token ids must be non-negative integers, got \(x)") }
            return Int(x)
        }
    }

    func tokenText(_ id: Int) -> String {
        tokenizer?.tokenStrings([id]).first ?? "<\(id)>"
    }
}

/// Runs engine code, turning its errors (model, tensor, tokenizer, format) into Loupe errors.
func engineCall<T>(_ body: () throws -> T) throws -> T {
    do { return try body() }
    catch let e as LoupeError { throw e }
    catch let e as ModelError { throw LoupeError(e.message) }
    catch let e as TensorError { throw LoupeError(e.message) }
    catch { throw LoupeError("\(error)") }
}

extension Value {
    /// `Value.tensor` of token ids.
    static func tokens(_ ids: [Int]) -> Value { .tensor(Tensor(shape: [ids.count], data: ids.map(Float.init)), kind: .int) }

    /// Token ids [batch, pos] of rows of one length.
    static func tokenRows(_ rows: [[Int]]) -> Value {
        .tensor(Tensor(shape: [rows.count, rows.first?.count ?? 0], data: rows.flatMap { $0.map(Float.init) }), kind: .int)
    }
}
