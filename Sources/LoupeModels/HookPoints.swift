import Foundation
import LoupeTensor

/// A place in the forward pass where activations can be read or replaced. Names and shapes are
/// TransformerLens's (`blocks.3.attn.hook_pattern`, ...).
public struct HookPoint: Sendable, Hashable, CustomStringConvertible {
    /// The full TransformerLens name.
    public let name: String
    /// The block index, or nil for model-level points (`hook_embed`, `ln_final.*`).
    public let layer: Int?
    public var description: String { name }
}

/// A hook body: receives the activation (a copy, TransformerLens shape) and its point; returns a
/// replacement of the same shape, or nil to leave it unchanged.
public typealias HookFunction = (Tensor, HookPoint) throws -> Tensor?

/// Which hook points a cache keeps or a hook applies to.
public enum NamesFilter {
    /// Every hook point except the opt-in `attn.hook_result` (TransformerLens's default).
    case all
    case name(String)
    case names([String])
    /// Shell-style pattern, `*` matching any run of characters: `blocks.*.attn.hook_pattern`.
    case glob(String)
    case predicate((String) -> Bool)
}

/// Thrown by a hook to end the pass early (TransformerLens's `stop_at_layer`): the pass returns `output`
/// in place of the logits, with the activations cached up to that point.
public struct StopForward: Error {
    public let output: Tensor
    public init(output: Tensor) { self.output = output }
}

/// One hook: a filter and a function.
public struct Hook {
    public var filter: NamesFilter
    public var function: HookFunction
    public init(_ filter: NamesFilter, _ function: @escaping HookFunction) {
        self.filter = filter
        self.function = function
    }
    public init(_ name: String, _ function: @escaping HookFunction) { self.init(.name(name), function) }
}

/// The per-block hook points in forward order (suffix after `blocks.{L}.`).
enum BlockHook: Int, CaseIterable {
    case residPre, ln1Scale, ln1Normalized, q, k, v, rotQ, rotK, attnScores, pattern, z, result, attnOut,
         residMid, ln2Scale, ln2Normalized, mlpPre, mlpPreLinear, mlpPost, mlpOut, residPost

    var suffix: String {
        switch self {
        case .residPre: return "hook_resid_pre"
        case .ln1Scale: return "ln1.hook_scale"
        case .ln1Normalized: return "ln1.hook_normalized"
        case .q: return "attn.hook_q"
        case .k: return "attn.hook_k"
        case .v: return "attn.hook_v"
        case .rotQ: return "attn.hook_rot_q"
        case .rotK: return "attn.hook_rot_k"
        case .attnScores: return "attn.hook_attn_scores"
        case .pattern: return "attn.hook_pattern"
        case .z: return "attn.hook_z"
        case .result: return "attn.hook_result"
        case .attnOut: return "hook_attn_out"
        case .residMid: return "hook_resid_mid"
        case .ln2Scale: return "ln2.hook_scale"
        case .ln2Normalized: return "ln2.hook_normalized"
        case .mlpPre: return "mlp.hook_pre"
        case .mlpPreLinear: return "mlp.hook_pre_linear"
        case .mlpPost: return "mlp.hook_post"
        case .mlpOut: return "hook_mlp_out"
        case .residPost: return "hook_resid_post"
        }
    }

    func exists(in c: ModelConfig) -> Bool {
        switch self {
        case .rotQ, .rotK: return c.usesRotary
        case .mlpPreLinear: return c.isGated
        default: return true
        }
    }
}

/// Model-level hook points.
enum GlobalHook: Int, CaseIterable {
    case embed, posEmbed, lnFinalScale, lnFinalNormalized
    var name: String {
        switch self {
        case .embed: return "hook_embed"
        case .posEmbed: return "hook_pos_embed"
        case .lnFinalScale: return "ln_final.hook_scale"
        case .lnFinalNormalized: return "ln_final.hook_normalized"
        }
    }
}

/// Every hook point of one model, numbered for fast lookup in the forward pass.
struct HookRegistry: Sendable {
    let nLayers: Int
    /// Names in forward order (only points this architecture has).
    let names: [String]
    let points: [HookPoint?]      // by id
    private let ids: [String: Int]

    static let perBlock = BlockHook.allCases.count
    static let globalsBefore = 2   // embed, posEmbed come first; lnFinal after the blocks

    init(config c: ModelConfig) {
        nLayers = c.nLayers
        let visionNames = c.vision.map(VisionHook.names) ?? []
        let total = 4 + c.nLayers * HookRegistry.perBlock + visionNames.count
        var points = [HookPoint?](repeating: nil, count: total)
        var names: [String] = []
        var ids: [String: Int] = [:]
        func add(_ id: Int, _ name: String, _ layer: Int?) {
            points[id] = HookPoint(name: name, layer: layer)
            names.append(name)
            ids[name] = id
        }
        // A vision tower runs first; its points are numbered after the language model's.
        for (i, name) in visionNames.enumerated() { add(HookRegistry.visionBase(nLayers: c.nLayers) + i, name, nil) }
        add(HookRegistry.id(.embed, nLayers: c.nLayers), "hook_embed", nil)
        if !c.usesRotary { add(HookRegistry.id(.posEmbed, nLayers: c.nLayers), "hook_pos_embed", nil) }
        for l in 0..<c.nLayers {
            for h in BlockHook.allCases where h.exists(in: c) {
                add(HookRegistry.id(h, layer: l), "blocks.\(l).\(h.suffix)", l)
            }
        }
        add(HookRegistry.id(.lnFinalScale, nLayers: c.nLayers), "ln_final.hook_scale", nil)
        add(HookRegistry.id(.lnFinalNormalized, nLayers: c.nLayers), "ln_final.hook_normalized", nil)
        self.points = points
        self.names = names
        self.ids = ids
    }

    static func id(_ h: BlockHook, layer: Int) -> Int { 2 + layer * perBlock + h.rawValue }
    static func id(_ g: GlobalHook, nLayers: Int) -> Int {
        switch g {
        case .embed: return 0
        case .posEmbed: return 1
        case .lnFinalScale: return 2 + nLayers * perBlock
        case .lnFinalNormalized: return 3 + nLayers * perBlock
        }
    }
    /// The id of a vision tower's first hook point (VisionHook's indices count from it).
    static func visionBase(nLayers: Int) -> Int { 4 + nLayers * perBlock }
    var count: Int { points.count }

    func id(of name: String) -> Int? { ids[name] ?? ids[HookRegistry.canonical(name)] }

    /// TransformerLens 4's TransformerBridge names for points HookedTransformer names otherwise
    /// (`utils.get_act_name("in", 3)` is `blocks.3.hook_in`): the HookedTransformer name, which Loupe uses.
    static func canonical(_ name: String) -> String {
        guard name.hasPrefix("blocks.") else { return name }
        let bridge = [".hook_in": ".hook_resid_pre", ".hook_out": ".hook_resid_post", ".ln2.hook_in": ".hook_resid_mid",
                      ".attn.hook_out": ".hook_attn_out", ".mlp.hook_out": ".hook_mlp_out"]
        let parts = name.split(separator: ".", maxSplits: 2)
        guard parts.count == 3, Int(parts[1]) != nil, let alias = bridge["." + parts[2]] else { return name }
        return "blocks.\(parts[1])\(alias)"
    }

    /// The ids a filter selects; unknown exact names are errors with the nearest suggestion.
    func select(_ filter: NamesFilter) throws -> [Int] {
        switch filter {
        case .all:
            // hook_result is opt-in (TransformerLens's use_attn_result): name it to get it.
            return names.filter { !$0.hasSuffix("attn.hook_result") }.compactMap { ids[$0] }
        case .name(let n):
            return [try require(n)]
        case .names(let ns):
            return try ns.map(require)
        case .glob(let g):
            let sel = names.filter { globMatch(g, $0) }.compactMap { ids[$0] }
            if sel.isEmpty {
                throw ModelError(.unknownHook, "no hook point matches the pattern \(g)"
                                 + (nearest(g, in: names).map { "; nearest hook point: \($0)" } ?? ""))
            }
            return sel
        case .predicate(let p):
            return names.filter(p).compactMap { ids[$0] }
        }
    }

    func require(_ name: String) throws -> Int {
        if let id = id(of: name) { return id }
        let hint = nearest(name, in: names).map { "; did you mean \($0)?" } ?? ""
        throw ModelError(.unknownHook, "unknown hook point \(name)\(hint)")
    }
}

/// `*` matches any run of characters (including dots); everything else literally.
func globMatch(_ pattern: String, _ s: String) -> Bool {
    let p = Array(pattern.utf8), t = Array(s.utf8)
    var pi = 0, ti = 0, star = -1, mark = 0
    while ti < t.count {
        if pi < p.count && p[pi] == t[ti] && p[pi] != UInt8(ascii: "*") { pi += 1; ti += 1 }
        else if pi < p.count && p[pi] == UInt8(ascii: "*") { star = pi; mark = ti; pi += 1 }
        else if star >= 0 { pi = star + 1; mark += 1; ti = mark }
        else { return false }
    }
    while pi < p.count && p[pi] == UInt8(ascii: "*") { pi += 1 }
    return pi == p.count
}
