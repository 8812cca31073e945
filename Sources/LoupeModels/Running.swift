import Foundation
import LoupeTensor

/// What one forward pass runs on.
public enum ForwardInput {
    /// One sequence of token ids: logits [pos, d_vocab] and activations without a batch dimension.
    case tokens([Int])
    /// Several sequences, right-padded to the longest (padding masked): a leading batch dimension.
    case batch([[Int]])
    /// One sequence whose image-token positions take the projected features of `pixelValues`
    /// ([C, H, W] or [images, C, H, W], one image per run of image tokens; LLaVA). `batchAxis`: logits
    /// and activations keep a leading batch axis of 1 (TransformerLens's shapes).
    case multimodal([Int], pixelValues: Tensor, batchAxis: Bool)
    /// The residual stream before block `startAtLayer` ([pos, d_model], or [batch, pos, d_model] with a
    /// batch axis), TransformerLens's start_at_layer: blocks from there on and the unembedding run.
    case residual(Tensor, startAtLayer: Int)

    var sequences: [[Int]] {
        switch self {
        case .tokens(let t): return [t]
        case .batch(let b): return b
        case .multimodal(let t, _, _): return [t]
        case .residual(let r, _):
            // Placeholder ids, one per position: nothing reads them.
            let rows = r.rank == 3 ? r.shape[0] : 1, T = r.rank >= 2 ? r.shape[r.rank - 2] : 0
            return [[Int]](repeating: [Int](repeating: 0, count: T), count: rows)
        }
    }

    var isSingle: Bool {
        switch self {
        case .tokens: return true
        case .batch: return false
        case .multimodal(_, _, let batchAxis): return !batchAxis
        case .residual(let r, _): return r.rank == 2
        }
    }
}

/// Which positions the unembedding runs on.
public enum LogitPositions: Sendable {
    /// Every position: logits [(batch,) pos, d_vocab] (TransformerLens's default).
    case all
    /// The last position of each row only: logits [(batch,) 1, d_vocab], equal to the full logits[:, -1:]
    /// (with right padding that is the last padded position, as indexing the full logits gives).
    case last
}

/// Logits [(batch,) pos, d_vocab] of one pass and the activations it cached.
public struct ForwardResult {
    public var logits: Tensor
    /// Nil when the pass cached nothing (no names filter).
    public var cache: ActivationCache?
}

extension HookedTransformer {
    /// The forward pass: logits, the activations `namesFilter` selects (nil: no cache), with `hooks`
    /// applied (read or replace activations) for this call only. Every `run*` below is this call.
    /// `logits: .last` unembeds only each row's last position (for loops that read the next-token logits).
    public func forward(_ input: ForwardInput, namesFilter: NamesFilter? = nil, hooks: [Hook] = [],
                        logits positions: LogitPositions = .all) throws -> ForwardResult {
        try forward(input, namesFilter: namesFilter, hooks: hooks, kv: nil, fast: false, logits: positions)
    }

    /// Logits [pos, d_vocab] of one sequence of token ids.
    public func run(_ tokens: [Int]) throws -> Tensor {
        try forward(.tokens(tokens)).logits
    }

    /// Logits [batch, pos, d_vocab] of several sequences, right-padded to the longest.
    public func run(batch: [[Int]]) throws -> Tensor {
        try forward(.batch(batch)).logits
    }

    /// Logits and the activations the filter selects (all by default), without a batch dimension.
    public func runWithCache(_ tokens: [Int], namesFilter: NamesFilter = .all,
                             hooks: [Hook] = []) throws -> (logits: Tensor, cache: ActivationCache) {
        try withCache(forward(.tokens(tokens), namesFilter: namesFilter, hooks: hooks))
    }

    /// Batched `runWithCache`: activations have a leading batch dimension; `paddingMask` tells real tokens.
    public func runWithCache(batch: [[Int]], namesFilter: NamesFilter = .all,
                             hooks: [Hook] = []) throws -> (logits: Tensor, cache: ActivationCache) {
        try withCache(forward(.batch(batch), namesFilter: namesFilter, hooks: hooks))
    }

    /// Logits and cached activations of any input: images at their tokens, or a residual stream
    /// (start_at_layer); the activations have a batch axis when the input does.
    public func runWithCache(_ input: ForwardInput, namesFilter: NamesFilter = .all,
                             hooks: [Hook] = []) throws -> (logits: Tensor, cache: ActivationCache) {
        try withCache(forward(input, namesFilter: namesFilter, hooks: hooks))
    }

    /// Logits with hooks applied (read or replace activations). Hooks last for this call only.
    public func runWithHooks(_ tokens: [Int], hooks: [Hook]) throws -> Tensor {
        try forward(.tokens(tokens), hooks: hooks).logits
    }

    public func runWithHooks(batch: [[Int]], hooks: [Hook]) throws -> Tensor {
        try forward(.batch(batch), hooks: hooks).logits
    }

    private func withCache(_ r: ForwardResult) throws -> (logits: Tensor, cache: ActivationCache) {
        guard let cache = r.cache else { throw ModelError(.internalError, "a pass with a names filter returned no cache") }
        return (r.logits, cache)
    }

    /// The one implementation behind `forward`: `kv` continues one sequence from its cached positions
    /// (generation); `fast` runs one-token steps through the quantized matvec.
    func forward(_ input: ForwardInput, namesFilter filter: NamesFilter?, hooks: [Hook],
                 kv: KVCache?, fast: Bool, logits positions: LogitPositions = .all) throws -> ForwardResult {
        try checkMappedWeights()
        try checkInput(input)
        _ = HeapReuse.configured
        let batch = input.sequences, single = input.isSingle
        let (flat, T, mask) = try prepare(batch, past: kv?.length ?? 0)
        let cacheIDs = try filter.map { try registry.select($0) } ?? []
        try requirePassFits(ids: cacheIDs, batch: batch.count, positions: T, past: kv?.length ?? 0)
        var userHooks: [(Int, HookFunction)] = []
        for h in hooks { for id in try registry.select(h.filter) { userHooks.append((id, h.function)) } }
        let runner = HookRunner(registry: registry, cacheIDs: cacheIDs, hooks: userHooks, dropBatch: single)
        runner.copyThreads = scratch.threads
        lock.lock()
        defer { lock.unlock() }
        let savedThreads = Blas.threads
        Blas.setThreads(1)
        defer { Blas.setThreads(savedThreads) }
        let pass = ForwardPass(weights: refactored?.weights ?? weights, processing: refactored?.effective ?? effective,
                               hooks: runner, scratch: scratch, tokens: flat, batch: batch.count, mask: mask, kv: kv,
                               invFreq: invFreq, fast: fast ? matVecScratch : nil)
        pass.start = try passStart(input, pass: pass, hooks: runner)
        pass.lastLogitsOnly = positions == .last
        var logits: Tensor                                               // [B, T, dVocab]
        do {
            logits = try definition.forward(pass)
            if single { logits = try logits.reshapedCopy([positions == .last ? 1 : T, config.dVocab]) }
        } catch let stop as StopForward {
            logits = stop.output                                         // the residual stream where a hook stopped
        }
        try checkMappedWeights()  // a file truncated during the pass: its lost pages were read as zeros
        if let kv { kv.length += T }
        var cache: ActivationCache?
        if filter != nil {
            cache = ActivationCache(model: self, activations: runner.cache, order: runner.order, hasBatchDim: !single,
                                    paddingMask: mask.map { m in (0..<batch.count).map { Array(m[($0 * T)..<(($0 + 1) * T)]) } })
        }
        return ForwardResult(logits: logits, cache: cache)
    }

    /// Checks token ids and lengths; returns the padded flat batch [B·T] and mask (nil without padding).
    func prepare(_ batch: [[Int]], past: Int = 0) throws -> (flat: [Int], T: Int, mask: [Bool]?) {
        guard !batch.isEmpty else { throw ModelError(.badInput, "empty batch: give at least one sequence of token ids") }
        let T = batch.map(\.count).max() ?? 0
        for (i, seq) in batch.enumerated() {
            if seq.isEmpty { throw ModelError(.badInput, "sequence \(i) is empty: give at least one token id") }
            for (j, t) in seq.enumerated() where t < 0 || t >= config.dVocab {
                throw ModelError(.badInput, "token id \(t) at position \(j)\(batch.count > 1 ? " of sequence \(i)" : "") is out of range 0..<\(config.dVocab)")
            }
        }
        if past + T > config.nCtx {
            throw ModelError(.badInput, "sequence of \(past + T) tokens is longer than the context length \(config.nCtx); shorten it")
        }
        var flat: [Int] = []
        flat.reserveCapacity(batch.count * T)
        var mask: [Bool]? = nil
        if batch.contains(where: { $0.count != T }) {
            var m: [Bool] = []
            for seq in batch {
                flat += seq + Array(repeating: padTokenID, count: T - seq.count)
                m += Array(repeating: true, count: seq.count) + Array(repeating: false, count: T - seq.count)
            }
            mask = m
        } else {
            for seq in batch { flat += seq }
        }
        return (flat, T, mask)
    }
}

extension Tensor {
    /// Same data, new shape (contiguous tensors share storage).
    func reshapedCopy(_ shape: [Int]) throws -> Tensor {
        guard shape.reduce(1, *) == count else {
            throw ModelError(.internalError, "cannot reshape \(self.shape) to \(shape)")
        }
        let c = contiguous()
        return Tensor(storage: c.storage, shape: shape, strides: Tensor.contiguousStrides(shape), offset: c.offset)
    }
}
