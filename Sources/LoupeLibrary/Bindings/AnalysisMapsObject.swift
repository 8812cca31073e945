import LoupeInterpreter
import LoupeAnalysis
import LoupeModels
import LoupePlot
import LoupeTensor

/// What `attention_maps` returns: the maps of every token fed back during generation, built pass by pass.
final class MapsObject: HostObject {
    let typeName = "AttentionMaps"
    struct Step {
        var attention: [[Float]]   // [layer][key]: the decoding position's attention, reduced over heads
        var length: Int            // keys: positions 0…the decoding position
    }
    let model: ModelObject
    let prompt: [Int]
    let heads: HeadReduction
    let window: Int, stride: Int
    /// Generation stops after one of these; the answer's text leaves it out, as the viewer's does.
    var stopTokens: Set<Int> = []
    var steps: [Step] = []
    var files: [String] = []
    /// Every position's token so far: the prompt, then each generated token.
    private(set) var ids: [Int]
    /// [layer][position]: the logit lens after each block (top token) at every position run so far.
    private var lens: [[Int]]
    private var passes = 0

    init(model: ModelObject, prompt: [Int], heads: HeadReduction, window: Int, stride: Int) {
        self.model = model
        self.prompt = prompt
        self.heads = heads
        self.window = window
        self.stride = stride
        ids = prompt
        lens = Array(repeating: [], count: model.model.config.nLayers)
    }

    var generated: [Int] { Array(ids[prompt.count...]) }

    /// Takes one generation pass (the prompt, then one fed-back token each) and the token it chose;
    /// returns the index of the map it made (none for the prompt pass, whose maps the viewer leaves out).
    func add(cache: ActivationCache, next: Int) throws -> Int? {
        let L = model.model.config.nLayers
        let resid = try (0..<L).map { try cache.get("blocks.\($0).hook_resid_post").contiguous() } // L × [T, d_model]
        let T = resid[0].shape[0], d = resid[0].shape[1]
        let stack = Tensor(shape: [L, T, d], data: resid.flatMap { $0.toArray() })              // [layer, T, d_model]
        // The viewer's logit lens: the final norm (with its weight) and the unembedding, top token.
        let normed = try cache.applyLNToStack(stack, recompute: true)                           // [layer, T, d_model]
        let top: [[Int]]                                                                        // [layer][T]
        if model.model.unembedsInPlace && model.model.config.usesRMSNorm {
            // bf16 products on the stored unembedding (no b_U on RMSNorm models): no f32 W_U (2.1 GB on an 8B).
            top = try LogitLens.topK(stack: normed, model: model.model, k: 1).top1
        } else {
            let W_U = try model.memoized("W_U") { try model.model.W_U }                           // [d_model, d_vocab]
            let b_U = try model.memoized("b_U") { try model.model.b_U }                           // [d_vocab]
            top = try LogitLens.topK(stack: normed, W_U: W_U, b_U: b_U, k: 1).top1
        }
        for l in 0..<L { lens[l] += top[l] }
        var made: Int? = nil
        if passes > 0 {
            let n = ids.count
            let attention = try (0..<L).map { l -> [Float] in
                let p = try cache.get("blocks.\(l).attn.hook_pattern").contiguous()               // [head, T, n]
                guard p.rank == 3, p.shape[2] == n else {
                    throw LoupeError("attention_maps: layer \(l)'s pattern \(p.shape) does not cover the \(n) positions")
                }
                let H = p.shape[0]
                let rows = try p.index([.all, .at(p.shape[1] - 1)]).contiguous().toArray()        // [head, n]
                return heads.reduce(rows, heads: H, keys: n)
            }
            steps.append(Step(attention: attention, length: n))
            made = steps.count - 1
        }
        passes += 1
        ids.append(next)
        return made
    }

    /// [layer + 1][key]: the input tokens, then the logit lens after each block.
    func labelIDs(_ i: Int) -> [[Int]] {
        let n = steps[i].length
        return [Array(ids[0..<n])] + lens.map { Array($0[0..<n]) }
    }

    func labels(_ i: Int) -> [[String]] {
        labelIDs(i).map { row in row.map { model.tokenText($0) } }
    }

    func windows(_ i: Int) -> [(name: String, start: Int, end: Int)] {
        AttentionMapFiles.windows(step: i, length: steps[i].length, size: window, stride: stride)
    }

    func figure(_ i: Int, _ j: Int) throws -> Figure {
        let w = windows(i)[j]
        let fig = try AttentionMapFigure.figure(attention: steps[i].attention.map { Array($0[w.start..<w.end]) },
                                                labels: labels(i).map { Array($0[w.start..<w.end]) },
                                                firstPosition: w.start)
        fig.name = w.name
        return fig
    }

    func repr() -> String { "<AttentionMaps \(steps.count) steps, \(generated.count) tokens generated\(files.isEmpty ? "" : ", \(files.count) files")>" }
    var memberNames: [String] { ["steps", "files", "tokens", "text", "prompt_length", "attention", "label_ids", "labels", "windows", "figure"] }

    func attribute(_ name: String, interpreter: Interpreter) throws -> Value? {
        switch name {
        case "steps": return .int(steps.count)
        case "files": return .list(files.map { .string($0) })
        case "tokens": return .tokens(generated)
        case "text":
            var answer = generated
            if let last = answer.last, stopTokens.contains(last) { answer.removeLast() }
            return .string(model.tokenizer?.decode(answer) ?? "")
        case "prompt_length": return .int(prompt.count)
        default: return nil
        }
    }

    var help: String { TableBindings.typeHelp("AttentionMaps", "Attention maps (attention_maps(model, prompt)).") }
}
