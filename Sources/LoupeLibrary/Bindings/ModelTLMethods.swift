import LoupeInterpreter
import LoupeModels
import LoupeTensor

/// TransformerLens's model methods beyond running: `stop_at_layer`, `loss_fn`, `get_token_position`.
extension ModelBindings {
    /// The residual stream where `stop_at_layer=k` ends the pass (TransformerLens runs blocks 0..k-1).
    final class StopPoint { var residual: Tensor? }

    /// Hooks that end the pass after block k-1: the user's hooks see every point that runs, then the
    /// residual after block k-1 is kept, and the first point of block k (or the final norm) stops the pass.
    static func stopHooks(_ m: ModelObject, at given: Int, around hooks: [Hook]) throws -> [Hook] {
        let n = m.model.config.nLayers
        let k = given < 0 ? given + n : given
        guard k >= 0 && k <= n else {
            throw LoupeError("stop_at_layer=\(given) is out of range for \(n) layers (0…\(n), or negative from the end)")
        }
        if k == 0 {
            return [Hook("blocks.0.hook_resid_pre") { t, _ in throw StopForward(output: t) }] + hooks
        }
        let point = StopPoint()
        let keep = Hook("blocks.\(k - 1).hook_resid_post") { t, _ in point.residual = t; return nil }
        let next = k < n ? "blocks.\(k).hook_resid_pre" : "ln_final.hook_scale"
        let stop = Hook(next) { t, _ in throw StopForward(output: point.residual ?? t) }
        return [stop] + hooks + [keep]
    }

    static func installTLMethods() {
        Builtins.registerMethod(
            type: "Model", "model.loss_fn(logits, tokens, attention_mask=None, per_token: bool = False)",
            doc: """
            TransformerLens's loss_fn: the next-token cross-entropy of logits [batch, pos, d_vocab] against tokens
            [batch, pos]: the mean (a 0-d tensor), or [batch, pos - 1] with per_token=True. attention_mask [batch, pos]
            (1 = real token) leaves out predictions to or from masked positions (zeros per token, and the mean over the rest).
            """,
            example: "tokens = model.to_tokens(\"The cat sat\")\nmodel.loss_fn(model(tokens), tokens, per_token=True)"
        ) { _, recv, args in
            let m = try model(recv)
            var logits = try TensorBuiltins.tensorArg(args.value("logits"), "loss_fn: logits").tensor
            if logits.rank == 2 { logits = try engineCall { try logits.unsqueezed(0) } }
            guard logits.rank == 3 else {
                throw LoupeError("loss_fn: logits must be [batch, pos, d_vocab], got shape \(TensorMath.shapeText(logits.shape))")
            }
            let rows = try m.rows(args.value("tokens"), prependBOS: nil, what: "loss_fn")
            guard rows.count == logits.shape[0], rows.allSatisfy({ $0.count == logits.shape[1] }) else {
                throw LoupeError("loss_fn: tokens must be [batch, pos] matching logits \(TensorMath.shapeText(logits.shape))")
            }
            for (b, row) in rows.enumerated() {
                if let bad = row.first(where: { $0 >= logits.shape[2] }) {
                    throw LoupeError("loss_fn: token id \(bad) in row \(b) is outside the logits' \(logits.shape[2]) classes")
                }
            }
            var mask: [[Bool]]?
            if let given = args.optional("attention_mask") {
                let t = try TensorBuiltins.tensorArg(given, "loss_fn: attention_mask").tensor
                let shape = t.rank == 1 ? [1, t.shape[0]] : t.shape
                guard shape == [rows.count, logits.shape[1]] else {
                    throw LoupeError("loss_fn: attention_mask must have the tokens' shape [\(rows.count), \(logits.shape[1])], got \(TensorMath.shapeText(t.shape))")
                }
                let flat = t.contiguous().toArray()
                mask = (0..<shape[0]).map { b in (0..<shape[1]).map { flat[b * shape[1] + $0] != 0 } }
            }
            return .tensor(try lmLoss(logits, rows, perToken: try args.bool("per_token"), mask: mask))
        }
        Builtins.registerMethod(
            type: "Model", "model.get_token_position(single_token, input, mode: str = \"first\", prepend_bos: bool | None = None, padding_side: str | None = None)",
            doc: """
            The position of single_token (a string of one token or a token id) in input (a text, tokenised with BOS
            unless prepend_bos=False, or token ids [pos] / [1, pos]): its first occurrence, or the last with
            mode="last". An error when it does not occur (TransformerLens).
            """,
            example: "model.get_token_position(\" cat\", \"The cat sat on the mat\")"
        ) { interp, recv, args in
            let m = try model(recv)
            if let side = args.optional("padding_side") {
                guard case .string(let s) = side, ["left", "right"].contains(s) else {
                    throw LoupeError("get_token_position: padding_side must be \"left\" or \"right\"")
                }
            }
            let rows = try m.rows(args.value("input"), prependBOS: try args.optionalBool("prepend_bos"), what: "get_token_position")
            guard rows.count == 1 else {
                throw LoupeError("get_token_position: input must be one sequence ([1, pos] if rank two), not a batch of \(rows.count)")
            }
            let token: Int
            switch args.value("single_token") {
            case .string: token = try interp.callMethod(recv, "to_single_token", Arguments([args.value("single_token")])).asInt("token")
            default: token = try args.int("single_token")
            }
            let hits = rows[0].indices.filter { rows[0][$0] == token }
            guard let first = hits.first, let last = hits.last else {
                throw LoupeError("get_token_position: the token \(token) (\(Repr.repr(.string(m.tokenText(token))))) does not occur in the prompt")
            }
            switch try args.string("mode") {
            case "first": return .int(first)
            case "last": return .int(last)
            case let other: throw LoupeError("get_token_position: mode must be 'first' or 'last', not \(Repr.repr(.string(other)))")
            }
        }
    }
}
