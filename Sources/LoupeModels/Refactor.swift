import Foundation
import LoupeTensor

/// Weights rewritten by refactor_factored_attn_matrices (GPT-2 only). Not implemented yet.
struct RefactoredWeights {
    let weights: ModelWeights
    let effective: EffectiveProcessing
    init(model: HookedTransformer) throws {
        throw ModelError(.badConfig, "refactor_factored_attn_matrices is not implemented yet")
    }
}
