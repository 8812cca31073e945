import LoupeNotebook
import LoupeInterpreter
import LoupeModels
import LoupeTensor

/// TransformerLens's `cache.get_full_resid_decomposition`: the residual stream at a layer as the sum of
/// every head's output, every MLP neuron's (or every MLP's) output, the embeddings and the biases.
extension CacheBindings {
    static func installFullDecomposition() {
        Builtins.registerMethod(
            type: "ActivationCache",
            """
            cache.get_full_resid_decomposition(layer: int | None = None, mlp_input: bool = False, expand_neurons: bool = True,
                                               apply_ln: bool = False, pos_slice=None, return_labels: bool = False)
            """,
            doc: """
            The residual stream before `layer` (None: the final state) split into every attention head's output \
            ("L0H3"), every MLP neuron's output ("L0N7", or each MLP's "0_mlp_out" with expand_neurons=False), the \
            embeddings ("embed", "pos_embed") and the summed biases ("bias"), as TransformerLens: \
            [components, batch, pos, d_model] (no batch axis for a cache without it). The components sum to the \
            residual stream; apply_ln=True passes them through the norm feeding `layer`. mlp_input=True decomposes \
            the input of layer's MLP (layer's heads included).
            """,
            example: "parts, labels = cache.get_full_resid_decomposition(pos_slice=-1, return_labels=True)"
        ) { _, recv, args in
            let c = try cache(recv)
            let n = c.model.model.config.nLayers
            var layer = try args.optionalInt("layer") ?? n
            if layer < 0 { layer += n + 1 }
            guard layer >= 0 && layer <= n else { throw LoupeError("get_full_resid_decomposition: layer out of range for \(n) layers") }
            let mlpInput = try args.bool("mlp_input")
            if mlpInput && layer >= n { throw LoupeError("get_full_resid_decomposition: mlp_input=True needs a layer below \(n)") }
            let positions = try posSlice(args.value("pos_slice"))
            let r = try engineCall {
                try fullDecomposition(c, layer: layer, mlpInput: mlpInput, expandNeurons: try args.bool("expand_neurons"),
                                      positions: positions)
            }
            var stack = r.stack
            if try args.bool("apply_ln") {
                stack = try engineCall { try c.cache.applyLNToStack(stack, layer: layer, mlpInput: mlpInput, posSlice: positions) }
            }
            return stackResult((stack, r.labels), labels: try args.bool("return_labels"))
        }
    }

    /// Components [components, (batch,) pos, d_model] and their labels.
    static func fullDecomposition(_ c: CacheObject, layer: Int, mlpInput: Bool, expandNeurons: Bool,
                                  positions: PosSlice) throws -> (stack: Tensor, labels: [String]) {
        let model = c.model.model
        let heads = try c.cache.stackHeadResults(layer: mlpInput ? layer + 1 : layer, posSlice: positions)
        var parts = [heads.stack], labels = heads.labels
        let lead = Array(heads.stack.shape.dropFirst().dropLast())    // [(batch,) pos]
        let d = model.config.dModel
        for l in 0..<layer {
            if expandNeurons {
                let neurons = try neuronResults(c, layer: l, positions: positions)
                parts.append(neurons.stack)
                labels += neurons.labels
            } else {
                let out = try sliced(c, try c.cache.get("blocks.\(l).hook_mlp_out"), positions)
                parts.append(try out.unsqueezed(0))
                labels.append("\(l)_mlp_out")
            }
        }
        parts.append(try sliced(c, try c.cache.get("hook_embed"), positions).unsqueezed(0))
        labels.append("embed")
        if c.cache.contains("hook_pos_embed") {
            parts.append(try sliced(c, try c.cache.get("hook_pos_embed"), positions).unsqueezed(0))
            labels.append("pos_embed")
        }
        // The biases the components above leave out: each attention output bias, and each MLP's output bias
        // when the MLP is split into neurons (TransformerLens's accumulated_bias).
        var bias = Tensor(zeros: [d])
        for l in 0..<(mlpInput ? layer + 1 : layer) {
            bias = try bias + model.b_O(layer: l)
            if expandNeurons && l < layer { bias = try bias + model.b_out(layer: l) }
        }
        parts.append(try (Tensor(zeros: [1] + lead + [d]) + bias))
        labels.append("bias")
        return (try Tensor.cat(parts.map { $0.contiguous() }, dim: 0), labels)
    }

    /// What each MLP neuron of `layer` writes to the residual stream, post[..., i] · W_out[i]:
    /// [d_mlp, (batch,) pos, d_model], labels "L{layer}N{i}".
    static func neuronResults(_ c: CacheObject, layer l: Int, positions: PosSlice) throws -> (stack: Tensor, labels: [String]) {
        let post = try sliced(c, try c.cache.get("blocks.\(l).mlp.hook_post"), positions)   // [(batch,) pos, d_mlp]
        let wOut = try c.model.model.W_out(layer: l)                                          // [d_mlp, d_model]
        let dMLP = wOut.shape[0], d = wOut.shape[1]
        let lead = Array(post.shape.dropLast())                                               // [(batch,) pos]
        let acts = try post.reshaped([lead.reduce(1, *), dMLP]).transposed(0, 1).contiguous().reshaped([dMLP] + lead + [1])
        let dirs = try wOut.reshaped([dMLP] + lead.map { _ in 1 } + [d])
        return (try acts * dirs, (0..<dMLP).map { "L\(l)N\($0)" })
    }

    static func installNeuronResults() {
        Builtins.registerMethod(
            type: "ActivationCache",
            "cache.stack_neuron_results(layer: int, pos_slice=None, return_labels: bool = False, apply_ln: bool = False)",
            doc: "What every MLP neuron of the layers before `layer` writes to the residual stream (hook_post times its W_out row), as TransformerLens: [layer·d_mlp, batch, pos, d_model] (no batch axis for a cache without it), labels \"L0N7\". apply_ln=True passes them through the norm feeding `layer`.",
            example: "neurons, labels = cache.stack_neuron_results(1, pos_slice=-1, return_labels=True)"
        ) { _, recv, args in
            let c = try cache(recv)
            let n = c.model.model.config.nLayers
            var layer = try args.int("layer")
            if layer < 0 { layer += n + 1 }
            guard layer >= 1 && layer <= n else { throw LoupeError("stack_neuron_results: layer must be 1…\(n) (the neurons of the layers before it)") }
            let positions = try posSlice(args.value("pos_slice"))
            let parts = try engineCall { try (0..<layer).map { try neuronResults(c, layer: $0, positions: positions) } }
            var stack = try engineCall { try Tensor.cat(parts.map(\.stack), dim: 0) }
            if try args.bool("apply_ln") {
                stack = try engineCall { try c.cache.applyLNToStack(stack, layer: layer, posSlice: positions) }
            }
            return stackResult((stack, parts.flatMap(\.labels)), labels: try args.bool("return_labels"))
        }
    }

    /// TransformerLens's pos_slice on the position axis of one activation (axis 1 with the batch axis).
    static func sliced(_ c: CacheObject, _ t: Tensor, _ s: PosSlice) throws -> Tensor {
        let lead: [TensorIndex] = c.cache.hasBatchDim ? [.range(nil, nil, nil)] : []
        switch s {
        case .all: return t
        case .index(let i): return try t.index(lead + [.at(i)])
        case .range(let a, let b): return try t.index(lead + [.range(a, b, nil)])
        }
    }
}
