import LoupeInterpreter
import LoupeModels
import LoupeTensor
import LoupeScript

/// TransformerLens's module tree over a Loupe model: `model.blocks[i].attn.W_Q` ([n_heads, d_model, d_head],
/// layer i of `model.W_Q`), `model.blocks[i].mlp.W_in`, `model.embed.W_E`, `model.pos_embed.W_pos`,
/// `model.unembed.W_U`; and `model.cfg` readable as attributes.
extension ModelBindings {
    static func installComponents() {
        Builtins.registerAttribute(type: "Model", name: "blocks",
                                   doc: "The transformer blocks as TransformerLens has them: model.blocks[i].attn.W_Q, .mlp.W_in, len(model.blocks), for block in model.blocks.",
                                   example: "model.blocks[0].attn.W_Q.shape") { _, recv in
            .host(BlockList(model: try model(recv)))
        }
        let parts: [(String, String, [String])] = [
            ("embed", "The token embedding: model.embed.W_E [d_vocab, d_model].", ["W_E"]),
            ("pos_embed", "The learned position embedding: model.pos_embed.W_pos [n_ctx, d_model].", ["W_pos"]),
            ("unembed", "The unembedding: model.unembed.W_U [d_model, d_vocab], model.unembed.b_U [d_vocab].", ["W_U", "b_U"]),
            ("ln_final", "The final norm (folded into the unembedding when fold_ln=True).", []),
        ]
        for (name, doc, weights) in parts {
            Builtins.registerAttribute(type: "Model", name: name, doc: doc, example: "model.\(name)") { _, recv in
                .host(Component(model: try model(recv), path: name, layer: nil, weights: weights))
            }
        }
    }
}

/// `model.blocks`: indexable, iterable, with a length.
final class BlockList: HostObject {
    let typeName = "ModuleList"
    let model: ModelObject
    init(model: ModelObject) { self.model = model }

    var count: Int { model.model.config.nLayers }
    var length: Int? { count }

    func getItem(_ key: Value, interpreter: Interpreter) throws -> Value? {
        var i = try key.asInt("block index")
        if i < 0 { i += count }
        guard i >= 0 && i < count else { throw LoupeError("block index \(try key.asInt("block index")) out of range for \(count) blocks") }
        return .host(Block(model: model, layer: i))
    }

    func iterate() throws -> [Value]? { (0..<count).map { .host(Block(model: model, layer: $0)) } }
    func repr() -> String { "<\(count) blocks of \(model.name)>" }
}

/// `model.blocks[i]`: attn, mlp, ln1, ln2.
final class Block: HostObject {
    let typeName = "TransformerBlock"
    let model: ModelObject
    let layer: Int
    init(model: ModelObject, layer: Int) { self.model = model; self.layer = layer }

    static let parts: [String: [String]] = [
        "attn": ["W_Q", "W_K", "W_V", "W_O", "b_Q", "b_K", "b_V", "b_O"],
        "mlp": ["W_in", "W_gate", "W_out", "b_in", "b_out"],
        "ln1": [], "ln2": [],
    ]

    func attribute(_ name: String, interpreter: Interpreter) throws -> Value? {
        if let point = HookPointAttributes.point(model, path: "blocks.\(layer)", name) { return point }
        guard let weights = Block.parts[name] else { return nil }
        let available = weights.filter { $0 != "W_gate" || model.model.config.isGated }
        return .host(Component(model: model, path: "blocks.\(layer).\(name)", layer: layer, weights: available))
    }

    var memberNames: [String] { Block.parts.keys.sorted() + HookPointAttributes.names(model, under: "blocks.\(layer)") }
    func repr() -> String { "<block \(layer) of \(model.name)>" }
}

/// One component (attn, mlp, embed, …): its TransformerLens weights as attributes.
final class Component: HostObject {
    let typeName = "Component"
    let model: ModelObject
    let path: String
    let layer: Int?
    let weights: [String]
    init(model: ModelObject, path: String, layer: Int?, weights: [String]) {
        self.model = model; self.path = path; self.layer = layer; self.weights = weights
    }

    func attribute(_ name: String, interpreter: Interpreter) throws -> Value? {
        if let point = HookPointAttributes.point(model, path: path, name) { return point }
        guard weights.contains(name) else {
            if path.hasSuffix("ln1") || path.hasSuffix("ln2") || path == "ln_final", ["w", "b"].contains(name) {
                throw LoupeError("Loupe does not expose \(path).\(name): norm weights are folded into the next layer's weights when loading (fold_ln=True, TransformerLens's default)",
                                 hint: "the folded weights are model.blocks[i].attn.W_Q, .mlp.W_in and model.unembed.W_U")
            }
            if name == "W_gate" && path.hasSuffix("mlp") {
                throw LoupeError("\(path).W_gate: \(model.name) has no gated MLP")
            }
            if ["OV", "QK"].contains(name), path.hasSuffix(".attn") {
                let l = try attribute(name == "OV" ? "W_V" : "W_Q", interpreter: interpreter)
                let r = try attribute(name == "OV" ? "W_O" : "W_K", interpreter: interpreter)
                if let l, let r { return try FactoredMatrixBindings.circuit(name, l, r) }
            }
            return nil
        }
        let m = model
        if let layer {
            guard let get = ModelBindings.perLayerWeights.first(where: { $0.0 == name })?.2 else { return nil }
            return .tensor(try m.memoized("\(path).\(name)") { try engineCall { try get(m.model, layer) } })
        }
        return try interpreter.getAttribute(.host(m), name)
    }

    var memberNames: [String] { weights + HookPointAttributes.names(model, under: path) }
    func repr() -> String { "<\(path) of \(model.name)>" }
}

/// `model.cfg`: TransformerLens's config fields, read as attributes (`cfg.n_layers`) or keys (`cfg["n_layers"]`);
/// `in`, iteration, keys(), values(), items() and get() act as on a dict.
final class ConfigObject: HostObject {
    let typeName = "HookedTransformerConfig"
    let dict: DictBox
    init(_ pairs: [(String, Value)]) { dict = DictBox(pairs) }

    func attribute(_ name: String, interpreter: Interpreter) throws -> Value? {
        if let v = try? dict.get(.string(name)) { return v }
        // Fields TransformerLens code passes along (device=model.cfg.device), fixed on Loupe's CPU float32 engine.
        switch name {
        case "device": return .string("cpu")
        case "dtype": return .string("float32")
        default: return nil
        }
    }

    func getItem(_ key: Value, interpreter: Interpreter) throws -> Value? {
        if let v = try dict.get(key) { return v }
        let keys = dict.keys.compactMap { if case .string(let s) = $0 { return s }; return nil }
        var hint: String? = nil
        if case .string(let s) = key { hint = Suggest.hint(for: s, in: keys) }
        throw LoupeError("key \(Repr.repr(key)) is not in model.cfg", hint: hint)
    }

    func callMethod(_ name: String, _ args: Arguments, interpreter: Interpreter) throws -> Value? {
        guard ["keys", "values", "items", "get", "to_dict"].contains(name) else { return nil }
        if name == "to_dict" { return .dict(dict) }
        return try interpreter.callMethod(.dict(dict), name, args)
    }

    var memberNames: [String] { dict.keys.compactMap { if case .string(let s) = $0 { return s }; return nil } + ["keys", "values", "items", "get", "to_dict"] }
    var length: Int? { dict.count }
    func iterate() throws -> [Value]? { dict.keys }
    func repr() -> String { Repr.repr(.dict(dict)) }
}
