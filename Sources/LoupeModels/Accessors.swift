import Foundation
import LoupeTensor

// TransformerLens's weight accessors, materialised in F32 on request with the load-time processing
// applied (fold_ln, centring, value-bias folding), shaped as TransformerLens shows them.
extension HookedTransformer {
    public var nLayers: Int { config.nLayers }
    public var nHeads: Int { config.nHeads }
    public var dModel: Int { config.dModel }
    public var dHead: Int { config.dHead }
    public var dMLP: Int { config.dMLP }
    public var dVocab: Int { config.dVocab }
    public var nCtx: Int { config.nCtx }

    private var w: ModelWeights { refactored?.weights ?? weights }
    private var foldLN: Bool { processing.foldLN }
    private var centerWriting: Bool { effective.centerWriting }

    /// [d_vocab, d_model]
    public var W_E: Tensor {
        let t = w.embed.dequantizedOutIn()
        if centerWriting { centerLastDim(t) }
        return t
    }

    /// [n_ctx, d_model] (GPT-2)
    public var W_pos: Tensor {
        get throws {
            guard let p = w.posEmbed else { throw ModelError(.badInput, "W_pos: \(config.architecture) has no learned positions") }
            let t = p.copy()
            if centerWriting { centerLastDim(t) }
            return t
        }
    }

    /// [d_model, d_vocab]
    public var W_U: Tensor {
        get throws {
            let u = w.unembed.dequantizedOutIn()                 // [vocab, d]
            let d = config.dModel, V = config.dVocab
            let t = Tensor(zeros: [d, V])
            let src = u.basePointer, dst = t.storage.pointer
            let lnw = foldLN ? w.lnFinalW.toArray() : nil
            for v in 0..<V { for i in 0..<d { dst[i * V + v] = src[v * d + i] * (lnw?[i] ?? 1) } }
            if foldLN && !config.usesRMSNorm {
                // Folding a LayerNorm also centres the reading weights over d_model.
                for v in 0..<V {
                    var s: Double = 0
                    for i in 0..<d { s += Double(dst[i * V + v]) }
                    let m = Float(s / Double(d))
                    for i in 0..<d { dst[i * V + v] -= m }
                }
            }
            if processing.centerUnembed { Kernels.centreRows(dst, rows: d, dim: V) }
            return t
        }
    }

    /// [d_vocab]
    public var b_U: Tensor {
        get throws {
            var b = [Float](repeating: 0, count: config.dVocab)
            if foldLN, let lb = w.lnFinalB {
                let u = w.unembed.dequantizedOutIn()
                let lbv = lb.toArray()
                for v in 0..<config.dVocab {
                    var s: Float = 0
                    for i in 0..<config.dModel { s += lbv[i] * u.basePointer[v * config.dModel + i] }
                    b[v] = s
                }
            }
            if processing.centerUnembed {
                let m = b.reduce(0, +) / Float(b.count)
                b = b.map { $0 - m }
            }
            return Tensor(shape: [config.dVocab], data: b)
        }
    }

    /// Per-layer input projection as [head, d_model, d_head] for q (kind 0), k (1), v (2), with the
    /// norm folded in when fold_ln.
    private func projection(_ layer: Int, _ kind: Int) throws -> (w: Tensor, b: Tensor) {
        try checkLayer(layer)
        let c = config, d = c.dModel, dH = c.dHead
        let lw = w.layers[layer]
        let heads = kind == 0 ? c.nHeads : c.nKVHeads
        let m: Tensor                                  // [heads·dHead, d_model]
        var bias = [Float](repeating: 0, count: heads * dH)
        if let qkv = lw.qkv {
            let all = qkv.dequantizedOutIn()            // [3d, d]
            m = Tensor(zeros: [d, d])
            m.storage.pointer.update(from: all.basePointer + kind * d * d, count: d * d)
            if let b = (refactored != nil ? lw.qkvB : (effective.qkvBias[layer] ?? lw.qkvB))?.toArray() {
                bias = Array(b[(kind * d)..<((kind + 1) * d)])
            }
        } else {
            m = [lw.q, lw.k, lw.v][kind]!.dequantizedOutIn()
        }
        let lnw = lw.ln1W.toArray(), lnb = lw.ln1B?.toArray()
        let out = Tensor(zeros: [heads, d, dH])
        let src = m.basePointer, dst = out.storage.pointer
        for h in 0..<heads {
            for e in 0..<dH {
                let row = src + (h * dH + e) * d
                if foldLN, let lnb {
                    var s: Float = 0
                    for i in 0..<d { s += lnb[i] * row[i] }
                    bias[h * dH + e] += s
                }
                for i in 0..<d { dst[(h * d + i) * dH + e] = row[i] * (foldLN ? lnw[i] : 1) }
            }
        }
        if foldLN && !c.usesRMSNorm {
            // TransformerLens also centres the reading weights over d_model (LayerNorm output is zero-mean).
            for h in 0..<heads {
                for e in 0..<dH {
                    var s: Double = 0
                    for i in 0..<d { s += Double(dst[(h * d + i) * dH + e]) }
                    let mean = Float(s / Double(d))
                    for i in 0..<d { dst[(h * d + i) * dH + e] -= mean }
                }
            }
        }
        return (out, Tensor(shape: [heads, dH], data: bias))
    }

    /// [head, d_model, d_head]
    public func W_Q(layer: Int) throws -> Tensor { try projection(layer, 0).w }
    public func W_K(layer: Int) throws -> Tensor { try projection(layer, 1).w }
    public func W_V(layer: Int) throws -> Tensor { try projection(layer, 2).w }
    /// [head, d_head]
    public func b_Q(layer: Int) throws -> Tensor { try projection(layer, 0).b }
    public func b_K(layer: Int) throws -> Tensor { try projection(layer, 1).b }
    public func b_V(layer: Int) throws -> Tensor { try projection(layer, 2).b }

    /// [head, d_head, d_model]
    public func W_O(layer: Int) throws -> Tensor {
        try checkLayer(layer)
        let c = config, d = c.dModel, dH = c.dHead
        let m = w.layers[layer].o.dequantizedOutIn()      // [d_model, heads·dHead]
        let out = Tensor(zeros: [c.nHeads, dH, d])
        for h in 0..<c.nHeads { for e in 0..<dH { for i in 0..<d {
            out.storage.pointer[(h * dH + e) * d + i] = m.basePointer[i * c.nHeads * dH + h * dH + e]
        } } }
        if centerWriting { centerLastDim(out) }
        return out
    }

    /// [d_model]
    public func b_O(layer: Int) throws -> Tensor {
        try checkLayer(layer)
        return (refactored?.effective ?? effective).attnOutBias[layer] ?? w.layers[layer].oB?.copy() ?? Tensor(zeros: [config.dModel])
    }

    /// [d_model, d_mlp] (the up projection; `W_gate` for the gate of gated MLPs)
    public func W_in(layer: Int) throws -> Tensor { try mlpIn(layer, gate: false).w }
    public func W_gate(layer: Int) throws -> Tensor {
        guard config.isGated else { throw ModelError(.badInput, "W_gate: \(config.architecture) has no gated MLP") }
        return try mlpIn(layer, gate: true).w
    }
    /// [d_mlp]
    public func b_in(layer: Int) throws -> Tensor { try mlpIn(layer, gate: false).b }

    private func mlpIn(_ layer: Int, gate: Bool) throws -> (w: Tensor, b: Tensor) {
        try checkLayer(layer)
        let c = config, d = c.dModel, F = c.dMLP
        let lw = w.layers[layer]
        let m = (gate ? lw.gate! : lw.up).dequantizedOutIn()   // [F, d]
        let lnw = lw.ln2W.toArray(), lnb = lw.ln2B?.toArray()
        var bias = (gate ? nil : lw.upB?.toArray()) ?? [Float](repeating: 0, count: F)
        let out = Tensor(zeros: [d, F])
        for f in 0..<F {
            let row = m.basePointer + f * d
            if foldLN, let lnb { var s: Float = 0; for i in 0..<d { s += lnb[i] * row[i] }; bias[f] += s }
            var mean: Double = 0
            if foldLN && !c.usesRMSNorm { for i in 0..<d { mean += Double(row[i] * lnw[i]) }; mean /= Double(d) }
            for i in 0..<d { out.storage.pointer[i * F + f] = row[i] * (foldLN ? lnw[i] : 1) - Float(mean) }
        }
        return (out, Tensor(shape: [F], data: bias))
    }

    /// [d_mlp, d_model]
    public func W_out(layer: Int) throws -> Tensor {
        try checkLayer(layer)
        let c = config
        let m = w.layers[layer].down.dequantizedOutIn()     // [d, F]
        let out = Tensor(zeros: [c.dMLP, c.dModel])
        for i in 0..<c.dModel { for f in 0..<c.dMLP { out.storage.pointer[f * c.dModel + i] = m.basePointer[i * c.dMLP + f] } }
        if centerWriting { centerLastDim(out) }
        return out
    }

    /// [d_model]
    public func b_out(layer: Int) throws -> Tensor {
        try checkLayer(layer)
        return effective.mlpOutBias[layer] ?? w.layers[layer].downB?.copy() ?? Tensor(zeros: [config.dModel])
    }

    /// Stacked over layers: [n_layers, ...] as TransformerLens's `model.W_Q` etc.
    public func stacked(_ f: (Int) throws -> Tensor) throws -> Tensor {
        let parts = try (0..<config.nLayers).map { try f($0).contiguous() }
        let out = Tensor(zeros: [parts.count] + parts[0].shape)
        for (i, p) in parts.enumerated() { (out.storage.pointer + i * p.count).update(from: p.basePointer, count: p.count) }
        return out
    }

    func checkLayer(_ l: Int) throws {
        guard l >= 0 && l < config.nLayers else {
            throw ModelError(.badInput, "layer \(l) out of range 0..<\(config.nLayers)")
        }
    }
}

/// Subtracts the mean over the last dimension, in place.
func centerLastDim(_ t: Tensor) {
    let d = t.shape.last ?? 1
    let p = t.storage.pointer + t.offset
    for r in 0..<(t.count / d) {
        var s: Double = 0
        for i in 0..<d { s += Double(p[r * d + i]) }
        let m = Float(s / Double(d))
        for i in 0..<d { p[r * d + i] -= m }
    }
}

extension HookedTransformer {
    /// How `weight(_:)` reads one TransformerLens attribute: a model-level tensor, or a layer's.
    enum WeightAccessor {
        case model((HookedTransformer) throws -> Tensor)
        case perLayer((HookedTransformer, Int) throws -> Tensor)
    }

    /// The attributes `weight(_:)` accepts, in TransformerLens's order, each with its accessor.
    static let weightAccessors: [(name: String, accessor: WeightAccessor)] = [
        ("W_E", .model { $0.W_E }), ("W_pos", .model { try $0.W_pos }),
        ("W_U", .model { try $0.W_U }), ("b_U", .model { try $0.b_U }),
        ("W_Q", .perLayer { try $0.W_Q(layer: $1) }), ("W_K", .perLayer { try $0.W_K(layer: $1) }),
        ("W_V", .perLayer { try $0.W_V(layer: $1) }), ("W_O", .perLayer { try $0.W_O(layer: $1) }),
        ("b_Q", .perLayer { try $0.b_Q(layer: $1) }), ("b_K", .perLayer { try $0.b_K(layer: $1) }),
        ("b_V", .perLayer { try $0.b_V(layer: $1) }), ("b_O", .perLayer { try $0.b_O(layer: $1) }),
        ("W_in", .perLayer { try $0.W_in(layer: $1) }), ("W_gate", .perLayer { try $0.W_gate(layer: $1) }),
        ("W_out", .perLayer { try $0.W_out(layer: $1) }),
        ("b_in", .perLayer { try $0.b_in(layer: $1) }), ("b_out", .perLayer { try $0.b_out(layer: $1) }),
    ]

    /// Names `weight(_:)` accepts (TransformerLens's model attributes).
    public static let weightNames = weightAccessors.map(\.name)

    /// A weight by TransformerLens attribute name: "W_Q" stacked over layers [layer, head, d_model, d_head],
    /// or one layer's as "blocks.3.attn.W_Q" / "blocks.3.mlp.W_in"; "W_E", "W_U", ... for model-level ones.
    public func weight(_ name: String) throws -> Tensor {
        var base = name, layer: Int?
        let parts = name.split(separator: ".")
        if parts.count == 4, parts[0] == "blocks", let l = Int(parts[1]) {
            layer = l < 0 ? l + nLayers : l
            base = String(parts[3])
        }
        switch HookedTransformer.weightAccessors.first(where: { $0.name == base })?.accessor {
        case .model(let read)?: return try read(self)
        case .perLayer(let read)?:
            if let layer { return try read(self, layer) }
            return try stacked { try read(self, $0) }
        case nil:
            let hint = nearest(base, in: HookedTransformer.weightNames).map { "; did you mean \($0)?" } ?? ""
            throw ModelError(.badInput, "unknown weight \(name)\(hint)")
        }
    }
}
