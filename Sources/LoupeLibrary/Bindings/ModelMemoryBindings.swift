import Foundation
import LoupeInterpreter
import LoupeModels
import LoupeNotebook
import LoupeTensor

/// What a model's weights and caches take: `load(dtype=...)`'s names, `model.memory()`,
/// `model.cache_bytes(...)`, and the progress line of a slow conversion on load.
enum ModelMemoryBindings {
    /// `load(dtype=...)` spellings (Loupe's and PyTorch's) → the stored type.
    static let dtypes: [String: DType] = [
        "f32": .f32, "float32": .f32, "fp32": .f32, "torch.float32": .f32,
        "f16": .f16, "float16": .f16, "fp16": .f16, "half": .f16, "torch.float16": .f16,
        "bf16": .bf16, "bfloat16": .bf16, "torch.bfloat16": .bf16,
        "q8_0": .q8_0, "int8": .q8_0, "8bit": .q8_0,
    ]

    static func dtype(_ name: String?) throws -> DType? {
        guard let name else { return nil }
        if let t = dtypes[name.lowercased()] { return t }
        throw LoupeError("load: unknown dtype \"\(name)\"",
                         hint: "use \"f32\", \"f16\", \"bf16\" or \"q8_0\" (8-bit, as load_in_8bit), or leave it out to keep the weights as stored")
    }

    /// `load(compute=...)` → the precision of products on bf16 weights (nil: this CPU's default).
    static func compute(_ name: String?) throws -> ComputePrecision {
        guard let name else { return .automatic }
        switch name.lowercased() {
        case "f32", "float32", "fp32", "torch.float32": return .f32
        case "bf16", "bfloat16", "torch.bfloat16": return .bf16
        default:
            throw LoupeError("load: unknown compute \"\(name)\"",
                             hint: "use \"bf16\" (bf16 products with f32 sums, the default on AVX512_BF16) or \"f32\" (exact)")
        }
    }

    /// A progress callback that writes a line to `Library.progressLines` when converting takes more than
    /// a second, then at every further 10%. Program output (and so notebook cells and tests) never sees it.
    static func progress(target: DType?) -> (@Sendable (LoadProgress) -> Void)? {
        guard let target, let lines = Library.progressLines else { return nil }
        final class State: @unchecked Sendable {
            let start = Date()
            var shown = -1
        }
        let state = State()
        return { p in
            guard Date().timeIntervalSince(state.start) > 1, p.total > 0 else { return }
            let tenth = Int(Double(p.done) / Double(p.total) * 10)
            guard tenth > state.shown else { return }
            state.shown = tenth
            let what = p.name.isEmpty ? "done" : p.name
            lines("converting weights to \(target.rawValue.lowercased()): \(tenth * 10)% (\(what))")
        }
    }

    static func install() {
        Builtins.registerMethod(
            type: "Model", "model.memory()",
            doc: "What the weights occupy, in bytes: mapped (read from the checkpoint file through the page cache, shared and reclaimable) and owned (converted matrices, norms, biases), each per stored dtype, plus the forward pass's scratch and the copies packed for prompt products (made by the first prompt that uses each matrix; counted in owned_bytes).",
            example: "m = model.memory()\nm[\"mapped_bytes\"], m[\"owned_bytes\"]"
        ) { _, recv, _ in
            let mem = try ModelBindings.model(recv).model.memory()
            func perType(_ d: [DType: Int]) -> Value {
                .dict(DictBox(d.sorted { $0.key.rawValue < $1.key.rawValue }.map { ($0.key.rawValue.lowercased(), .int($0.value)) }))
            }
            return .dict(DictBox([("mapped", perType(mem.mapped)), ("owned", perType(mem.owned)),
                                  ("mapped_bytes", .int(mem.mappedBytes)), ("owned_bytes", .int(mem.ownedBytes)),
                                  ("scratch_bytes", .int(mem.scratch)), ("packed_bytes", .int(mem.packed))]))
        }
        Builtins.registerMethod(
            type: "Model", "model.cache_bytes(n_tokens: int, names_filter=None, batch: int = 1)",
            doc: "Bytes run_with_cache would keep for `batch` prompts of n_tokens positions with this names_filter (every hook point's shape × 4 bytes; attention patterns are [batch, heads, pos, pos]). Runs that would not fit in the memory available stop before allocating, naming this estimate; LOUPE_MEMORY_LIMIT (e.g. 8G) sets the limit.",
            example: "model.cache_bytes(128, names_filter=\"blocks.*.hook_resid_post\")"
        ) { interp, recv, args in
            let m = try ModelBindings.model(recv)
            let n = try args.int("n_tokens"), batch = try args.int("batch")
            guard n >= 0, batch >= 1 else { throw LoupeError("cache_bytes: n_tokens must be ≥ 0 and batch ≥ 1") }
            let filter = try HookBindings.namesFilter(args.value("names_filter"), interp)
            return .int(try engineCall { try m.model.cacheBytes(tokens: n, namesFilter: filter, batch: batch) })
        }
    }
}

extension Library {
    /// Where slow engine work (converting weights on load) reports progress lines. The command line sets
    /// it (stderr); left nil, as in tests and notebook runs inside other programs, nothing is reported.
    nonisolated(unsafe) public static var progressLines: (@Sendable (String) -> Void)?
}
