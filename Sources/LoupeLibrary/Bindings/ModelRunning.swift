import LoupeNotebook
import LoupeInterpreter
import Foundation
import LoupeModels
import LoupeTensor

/// `model(x)`, `model.forward`, `run_with_cache` and `run_with_hooks` with TransformerLens's shapes:
/// every input runs as a batch [batch, pos], so logits are [batch, pos, d_vocab] and activations
/// (in the cache and in hook functions) carry the batch axis.
extension ModelBindings {
    static let extendedInputDoc = """
        image= (LLaVA) gives pixel_values [3, H, W] or [images, 3, H, W] for the prompt's <image>s (each fills one \
        image's positions, as LlavaProcessor expands it); the vision tower's activations are cached under vision.* and \
        the projector's output as hook_image_features. start_at_layer=k (TransformerLens's) takes the residual stream \
        before block k [batch, pos, d_model] as input (model.input_embeddings(prompt, image=...) for k = 0) and runs blocks k on.
        """
    static let returnTypeDoc = """
        return_type "logits" (default) gives logits [batch, pos, d_vocab]; "loss" the mean next-token cross-entropy \
        (a 0-d tensor; [batch, pos - 1] with loss_per_token=True); "both" (logits, loss); None nothing, as TransformerLens.
        """

    static let logitsDoc = """
        logits="last" (not in TransformerLens) unembeds only the last position: logits [batch, 1, d_vocab], equal to \
        the full logits[:, -1:], for loops that read the next token (the unembedding is [pos, d_model] × [d_model, d_vocab], \
        often the largest product of the pass); the default "all" gives every position.
        """

    /// What `logits=` asks for: every position (default) or the last one of each row.
    static func logitPositions(_ args: BoundArguments) throws -> LogitPositions {
        let name = try args.optionalString("logits") ?? "all"
        switch name {
        case "all": return .all
        case "last":
            if case .string(let rt) = args.value("return_type"), rt == "loss" || rt == "both" {
                throw LoupeError("\(args.signature.name): return_type \(Repr.repr(.string(rt))) needs the logits of every position; drop logits=\"last\"")
            }
            return .last
        default: throw LoupeError("\(args.signature.name): logits must be \"all\" or \"last\", not \(Repr.repr(.string(name)))")
        }
    }

    static func installRunMethods() {
        Builtins.registerMethod(
            type: "Model",
            "model.forward(input, return_type: str | None = \"logits\", loss_per_token: bool = False, prepend_bos: bool | None = None, *, logits: str = \"all\", image=None, start_at_layer: int | None = None, stop_at_layer: int | None = None)",
            doc: "Runs the model on a text, a list of texts, token ids [pos] (a batch of one, as TransformerLens) or [batch, pos]. "
                + returnTypeDoc + " " + logitsDoc + " stop_at_layer=k runs blocks 0..k-1 only and returns the residual stream [batch, pos, d_model] (TransformerLens). `model(x)` is the same. " + extendedInputDoc,
            example: "logits = model(\"The cat sat on the\")\nmodel.to_string(logits[0, -1].argmax())"
        ) { interp, recv, args in
            try output(try run(try model(recv), args, interp, cache: nil, hooks: []), args)
        }
        Builtins.registerMethod(
            type: "Model",
            """
            model.run_with_cache(input, return_type: str | None = "logits", loss_per_token: bool = False,
                                 prepend_bos: bool | None = None, *, names_filter=None, remove_batch_dim: bool = False,
                                 fwd_hooks=[], logits: str = "all", image=None, start_at_layer: int | None = None, stop_at_layer: int | None = None)
            """,
            doc: """
            Runs the model and keeps activations at TransformerLens's hook points. names_filter keeps only some:
            a full name, a list of names, a pattern with * ("blocks.*.attn.hook_pattern") or a function name -> bool.
            Returns (logits, cache). As TransformerLens, activations keep the batch axis (cache["pattern", 0] is
            [batch, head, query, key]); remove_batch_dim=True (one prompt only) drops it from the cache, not from
            the logits. A list of prompts is right-padded like TransformerLens. fwd_hooks may add hooks for this run
            (their edits show in the cache). Positional arguments after input are model.forward's, as in TransformerLens
            (return_type, loss_per_token, prepend_bos); the others are keywords. stop_at_layer=k runs blocks 0..k-1 only
            and returns the residual stream [batch, pos, d_model] in place of the logits, caching only what ran.
            """ + " " + logitsDoc + " " + extendedInputDoc,
            example: "logits, cache = model.run_with_cache(\"The cat sat\")\ncache[\"pattern\", 0].shape"
        ) { interp, recv, args in
            let m = try model(recv)
            var filter = try HookBindings.namesFilter(args.value("names_filter"), interp)
            if m.useAttnResult, case .all = filter { filter = .predicate { _ in true } }
            let hooks = try HookBindings.hooks(args.value("fwd_hooks"), interp)
            let r = try run(m, args, interp, cache: filter, hooks: hooks)
            guard var cache = r.cache else { throw LoupeError("run_with_cache: the run kept no cache") }
            if try args.bool("remove_batch_dim") {
                guard r.rows.count == 1 else {
                    throw LoupeError("run_with_cache: remove_batch_dim=True needs one prompt, not a batch of \(r.rows.count) (as in TransformerLens)")
                }
                cache = try engineCall { try cache.removingBatchDim() }
            }
            return .tuple([try output(r, args), .host(CacheObject(cache: cache, model: m))])
        }
        Builtins.registerMethod(
            type: "Model",
            """
            model.run_with_hooks(input, return_type: str | None = "logits", loss_per_token: bool = False,
                                 prepend_bos: bool | None = None, *, fwd_hooks=[], logits: str = "all", image=None,
                                 start_at_layer: int | None = None, stop_at_layer: int | None = None)
            """,
            doc: """
            Runs the model with forward hooks and returns the logits [batch, pos, d_vocab]. fwd_hooks is a list of
            (name, fn) pairs: name is a hook name, a pattern with *, or a function name -> bool; fn(activation, hook)
            gets the activation with its batch axis (as TransformerLens: hook_z is [batch, pos, head, d_head]) and may
            return a replacement of the same shape, edit it in place, or return None to leave it. Prebuilt hooks:
            ablate_heads, patch_hook, scale_hook, add_hook. Hooks last for this call only (model.add_hook keeps one).
            Positional arguments after input are model.forward's, as in TransformerLens; fwd_hooks is a keyword.
            """ + " " + logitsDoc + " " + extendedInputDoc,
            example: "def zero(z, hook):\n    z[:, :, 4, :] = 0\nlogits = model.run_with_hooks(\"Hi\", fwd_hooks=[(\"blocks.3.attn.hook_z\", zero)])"
        ) { interp, recv, args in
            let hooks = try HookBindings.hooks(args.value("fwd_hooks"), interp)
            return try output(try run(try model(recv), args, interp, cache: nil, hooks: hooks), args)
        }
        installHookMethods()
    }

    /// One run's tokens [batch, pos], logits [batch, pos, d_vocab] and cache (batched).
    struct Run {
        var rows: [[Int]]
        var logits: Tensor
        var cache: ActivationCache?
        /// stop_at_layer ended the pass: `logits` holds the residual stream [batch, pos, d_model].
        var stopped = false
    }

    /// One batched forward pass of the call's `input` (with its `prepend_bos`), as `model(x)`, `model.forward`,
    /// `run_with_hooks` and `run_with_cache` declare it, with the model's persistent hooks first.
    static func run(_ m: ModelObject, _ args: BoundArguments, _ interp: Interpreter, cache: NamesFilter?,
                    hooks: [Hook]) throws -> Run {
        let what = args.signature.name
        var all = m.persistentHooks.map(\.hook) + hooks
        let stop = try args.optionalInt("stop_at_layer")
        if let stop { all = try stopHooks(m, at: stop, around: all) }
        let positions = try logitPositions(args)
        if let (input, rows) = try extendedInput(m, args, what: what) {
            let r = try engineCall { try m.model.forward(input, namesFilter: cache, hooks: all, logits: positions) }
            return Run(rows: rows, logits: r.logits, cache: r.cache, stopped: stop != nil)
        }
        let rows = try m.rows(args.value("input"), prependBOS: try args.optionalBool("prepend_bos"), what: what)
        let r = try engineCall { try m.model.forward(.batch(rows), namesFilter: cache, hooks: all, logits: positions) }
        return Run(rows: rows, logits: r.logits, cache: r.cache, stopped: stop != nil)
    }

    /// What `return_type` asks for: logits, loss, both or None.
    static func output(_ r: Run, _ args: BoundArguments) throws -> Value {
        if r.stopped { return .tensor(r.logits) }  // TransformerLens returns the residual whatever return_type says
        let type = args.value("return_type")
        if case .none = type { return .none }
        guard case .string(let name) = type else {
            throw LoupeError("return_type must be \"logits\", \"loss\", \"both\" or None, not \(type.typeName): as in TransformerLens, the positional arguments after input are forward's (return_type, loss_per_token, prepend_bos); pass names_filter=, fwd_hooks= and remove_batch_dim= by keyword")
        }
        let perToken = try args.bool("loss_per_token")
        switch name {
        case "logits": return .tensor(r.logits)
        case "loss": return .tensor(try lmLoss(r.logits, r.rows, perToken: perToken))
        case "both": return .tuple([.tensor(r.logits), .tensor(try lmLoss(r.logits, r.rows, perToken: perToken))])
        default: throw LoupeError("return_type must be \"logits\", \"loss\", \"both\" or None, not \(Repr.repr(type)); as in TransformerLens, the positional arguments after input are forward's (return_type, loss_per_token, prepend_bos): pass names_filter= by keyword")
        }
    }

    /// TransformerLens's lm_cross_entropy_loss: -log p(token t+1 | ..t) for every position but the last,
    /// [batch, pos - 1] per token, else their mean (a 0-d tensor). logits: [batch, pos, d_vocab].
    /// `mask` [batch][pos] (TransformerLens's attention_mask): a prediction counts only when both its position
    /// and the next are real tokens; masked ones are 0 per token and left out of the mean.
    static func lmLoss(_ logits: Tensor, _ rows: [[Int]], perToken: Bool, mask: [[Bool]]? = nil) throws -> Tensor {
        let l = logits.contiguous()
        let B = l.shape[0], T = l.shape[1], V = l.shape[2]
        guard T >= 2 else { throw LoupeError("loss: needs at least two tokens (it predicts each next token)") }
        var losses = [Float](repeating: 0, count: B * (T - 1))
        let p = l.basePointer
        for b in 0..<B {
            for t in 0..<(T - 1) {
                let row = p + (b * T + t) * V
                var mx = -Float.infinity
                for v in 0..<V { mx = max(mx, row[v]) }
                var sum: Double = 0
                for v in 0..<V { sum += Foundation.exp(Double(row[v] - mx)) }
                let target = rows[b][t + 1]
                let counted = mask.map { $0[b][t] && $0[b][t + 1] } ?? true
                losses[b * (T - 1) + t] = counted ? Float(Double(mx) + Foundation.log(sum) - Double(row[target])) : 0
            }
        }
        if perToken { return Tensor(shape: [B, T - 1], data: losses) }
        let n = mask.map { m in (0..<B).reduce(0) { c, b in c + (0..<(T - 1)).filter { m[b][$0] && m[b][$0 + 1] }.count } } ?? losses.count
        let mean = losses.reduce(0.0) { $0 + Double($1) } / Double(n)
        return Tensor(shape: [], data: [Float(mean)])
    }
}
