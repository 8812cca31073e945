import Foundation
import LoupeTensor

/// What fills a pass's residual stream before its first block.
enum PassStart {
    /// The token embeddings (and learned positions): hook_embed (and hook_pos_embed) fire.
    case tokens
    /// Given input embeddings [B·T, dModel] in place of the token lookup (LLaVA's merged text and
    /// image embeddings): hook_embed fires on them.
    case embeddings(Tensor)
    /// The residual stream before block `layer`, [B·T, dModel] (TransformerLens's start_at_layer):
    /// nothing before that block runs or fires.
    case residual(Tensor, layer: Int)
}

extension ForwardPass {
    /// Fills `resid` [B, T, dModel] from `start` and returns the first block to run. `embed` is the
    /// architecture's own embedding step (token lookup and its hook points), run for `.tokens`.
    func beginResidual(embed: () throws -> Void) throws -> Int {
        switch start {
        case .tokens:
            try embed()
            return 0
        case .embeddings(let e):
            resid.p.update(from: e.contiguous().basePointer, count: rows * c.dModel)
            try fire(.embed, resid.p, shapeResid)
            return 0
        case .residual(let r, let layer):
            resid.p.update(from: r.contiguous().basePointer, count: rows * c.dModel)
            return layer
        }
    }
}
