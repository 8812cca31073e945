import Foundation
import LoupeTensor

/// How `generate` picks tokens and what it records.
public struct GenerationOptions {
    public var maxNewTokens: Int
    /// 0: greedy (argmax). Otherwise logits are divided by it before sampling.
    public var temperature: Float
    /// Keep only the k most likely tokens when sampling.
    public var topK: Int?
    /// Nucleus sampling: keep the most likely tokens while the probability before each is at most p.
    public var topP: Float?
    public var seed: UInt64
    /// Stop after an end-of-sequence token (the config's eos, or `eosTokenIDs`).
    public var stopAtEOS: Bool
    public var eosTokenIDs: [Int]?
    /// Per-step caches: what each forward pass caches (the prompt pass and every one-token step).
    public var cacheFilter: NamesFilter?
    /// Hooks applied in every pass.
    public var hooks: [Hook]
    /// Exact F32 one-token steps (dequantise-and-dot). Off: quantized matvecs with 8-bit activations
    /// for quantized weights (llama.cpp's scheme, ~1e-3 relative), much faster.
    public var exact: Bool
    /// Called with each step as it is made; when set, the result's `steps` stay empty, so a long
    /// generation holds one step's logits and cache at a time. Throwing stops generation.
    public var onStep: ((GenerationStep) throws -> Void)? = nil

    public init(maxNewTokens: Int = 20, temperature: Float = 0, topK: Int? = nil, topP: Float? = nil, seed: UInt64 = 0,
                stopAtEOS: Bool = true, eosTokenIDs: [Int]? = nil, cacheFilter: NamesFilter? = nil,
                hooks: [Hook] = [], exact: Bool = false) {
        self.maxNewTokens = maxNewTokens
        self.temperature = temperature
        self.topK = topK
        self.topP = topP
        self.seed = seed
        self.stopAtEOS = stopAtEOS
        self.eosTokenIDs = eosTokenIDs
        self.cacheFilter = cacheFilter
        self.hooks = hooks
        self.exact = exact
    }
}

/// One generated token with the pass that produced it.
public struct GenerationStep {
    public let token: Int
    /// Logits [d_vocab] the token was chosen from.
    public let logits: Tensor
    /// The pass's cache (step 0: the whole prompt [pos, ...]; later steps: the new position only,
    /// [1, ...], with attention rows [head, 1, key] over every position so far). Nil without a filter.
    public let cache: ActivationCache?
}

public struct GenerationResult {
    /// Prompt followed by the generated tokens.
    public let tokens: [Int]
    public let newTokens: [Int]
    public let steps: [GenerationStep]
    /// True when generation stopped at an end-of-sequence token.
    public let stoppedAtEOS: Bool
}

extension HookedTransformer {
    /// Generates after `prompt` with a KV cache: one pass over the prompt, then one pass per token.
    /// `pixelValues`: the images at the prompt's image tokens (LLaVA), read by the prompt pass.
    public func generate(_ prompt: [Int], pixelValues: Tensor? = nil,
                         options o: GenerationOptions = GenerationOptions()) throws -> GenerationResult {
        guard o.maxNewTokens >= 0 else { throw ModelError(.badInput, "maxNewTokens must be ≥ 0") }
        guard o.temperature >= 0 else { throw ModelError(.badInput, "temperature must be ≥ 0") }
        let total = prompt.count + o.maxNewTokens
        guard total <= config.nCtx else {
            throw ModelError(.badInput, "prompt of \(prompt.count) + \(o.maxNewTokens) new tokens exceeds the context length \(config.nCtx)")
        }
        let kv = KVCache(config: config, maxPositions: max(total, 1))
        let eos = Set(o.eosTokenIDs ?? tokenizer.map(\.stopIDs) ?? config.eosTokenID.map { [$0] } ?? [])
        var rng = Xoshiro256(seed: o.seed)
        var tokens = prompt, steps: [GenerationStep] = [], stopped = false
        var input = prompt
        for _ in 0..<o.maxNewTokens {
            var pass = ForwardInput.tokens(input)
            if let pixels = pixelValues, tokens.count == prompt.count {
                pass = .multimodal(input, pixelValues: pixels, batchAxis: false)      // the prompt pass
            }
            let r = try forward(pass, namesFilter: o.cacheFilter, hooks: o.hooks, kv: kv,
                                fast: !o.exact && input.count == 1)
            let V = config.dVocab
            let T = r.logits.shape[0]
            let last = Tensor(shape: [V], data: Array(r.logits.toArray()[((T - 1) * V)...]))
            let next = try pick(last.toArray(), o, &rng)
            let step = GenerationStep(token: next, logits: last, cache: r.cache)
            if let onStep = o.onStep { try onStep(step) } else { steps.append(step) }
            tokens.append(next)
            input = [next]
            if o.stopAtEOS && eos.contains(next) { stopped = true; break }
        }
        return GenerationResult(tokens: tokens, newTokens: Array(tokens[prompt.count...]), steps: steps, stoppedAtEOS: stopped)
    }

    func pick(_ logits: [Float], _ o: GenerationOptions, _ rng: inout Xoshiro256) throws -> Int {
        if o.temperature == 0 {
            var best = 0
            for i in 1..<logits.count where logits[i] > logits[best] { best = i }
            return best
        }
        var idx = Array(logits.indices).sorted { logits[$0] > logits[$1] }
        if let k = o.topK {
            guard k > 0 else { throw ModelError(.badInput, "topK must be ≥ 1") }
            idx = Array(idx.prefix(k))
        }
        let mx = logits[idx[0]]
        var probs = idx.map { Double(expf((logits[$0] - mx) / o.temperature)) }
        let sum = probs.reduce(0, +)
        probs = probs.map { $0 / sum }
        if let p = o.topP {
            guard p > 0 && p <= 1 else { throw ModelError(.badInput, "topP must be in (0, 1]") }
            let keep = Self.topPCount(probs, p: Double(p))
            idx = Array(idx.prefix(keep))
            probs = Array(probs.prefix(keep))
            let s = probs.reduce(0, +)
            probs = probs.map { $0 / s }
        }
        let u = rng.nextDouble()
        var acc = 0.0
        for (i, pr) in probs.enumerated() {
            acc += pr
            if u < acc { return idx[i] }
        }
        return idx[idx.count - 1]
    }

    /// How many of the most likely tokens top-p (nucleus) sampling keeps, given probabilities sorted
    /// descending: token k stays while the mass before it is at most p (Meta's `sample_top_p` masks
    /// `cumsum - prob > p`; TransformerLens removes a token when the cumulative mass before it exceeds p).
    static func topPCount(_ sortedProbs: [Double], p: Double) -> Int {
        var before = 0.0, keep = 0
        while keep < sortedProbs.count && before <= p {
            before += sortedProbs[keep]
            keep += 1
        }
        return keep
    }
}
