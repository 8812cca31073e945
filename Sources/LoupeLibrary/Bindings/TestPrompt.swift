import Foundation
import LoupeInterpreter
import LoupeTensor

/// TransformerLens's `utils.test_prompt`: runs prompt + answer, and prints the tokenized prompt and
/// answer, the answer's rank, logit and probability at each answer position, the top-k tokens there,
/// and the ranks, in TransformerLens's wording.
enum TestPrompt {
    static let builtin = Builtins.function(
        "utils.test_prompt(prompt: str, answer, model, prepend_space_to_answer: bool = True, print_details: bool = True, prepend_bos: bool | None = None, top_k: int = 10)",
        doc: "Prints how the model ranks `answer` after `prompt` (TransformerLens's utils.test_prompt): rank, logit and probability of each answer token and the top-k tokens. `answer` may be a list of single-token answers.",
        example: "utils.test_prompt(\"The capital of France is\", \"Paris\", model)") { rt, args in
        try run(rt, args)
        return .none
    }

    static func run(_ rt: Interpreter, _ args: BoundArguments) throws {
        let m = try ModelBindings.model(args.value("model"))
        let tok = try m.requireTokenizer("test_prompt")
        let prompt = try args.string("prompt")
        var answers: [String]
        if case .string(let s) = args.value("answer") { answers = [s] }
        else { answers = try Ops.iterate(args.value("answer")).map { try $0.asString("test_prompt answer") } }
        guard !answers.isEmpty else { throw LoupeError("test_prompt: no answer given") }
        if try args.bool("prepend_space_to_answer") { answers = answers.map { $0.hasPrefix(" ") ? $0 : " " + $0 } }
        let multiple = answers.count > 1
        let printDetails = try args.bool("print_details")
        let topK = try args.int("top_k")

        let promptIDs = try m.encode(prompt, prependBOS: try args.optionalBool("prepend_bos"))
        let fullAnswerIDs = try answers.map { try m.encode($0, prependBOS: false) }
        // Several answers are compared on their first token only.
        let answerIDs = multiple ? fullAnswerIDs.map { Array($0.prefix(1)) } : fullAnswerIDs
        guard answerIDs.allSatisfy({ !$0.isEmpty }) else { throw LoupeError("test_prompt: an answer encodes to no tokens") }
        let answerLength = answerIDs[0].count
        func say(_ s: String) { rt.emit(.stream(s + "\n")) }
        func strings(_ ids: [Int]) -> Value { .list(tok.tokenStrings(ids).map { .string($0) }) }
        if printDetails {
            say("Tokenized prompt: " + Repr.repr(strings(promptIDs)))
            if multiple { say("Tokenized answers: " + Repr.repr(.list(fullAnswerIDs.map(strings)))) }
            else { say("Tokenized answer: " + Repr.repr(strings(answerIDs[0]))) }
        }
        // One run per answer (TransformerLens batches them; the logits are the same).
        let logitRows = try answerIDs.map { ids in try logits(rt, m, promptIDs + ids) }   // each [pos, d_vocab]
        var ranks: [[(String, Int)]] = []
        for index in promptIDs.count..<(promptIDs.count + answerLength) {
            var lines: [String] = []
            var ranksHere: [(String, Int)] = []
            var firstOrder: [Int] = [], firstProbs: [Float] = [], firstLogits: [Float] = []
            for (i, ids) in answerIDs.enumerated() {
                let row = try logitRows[i].select(index - 1)                  // [d_vocab] predicting position `index`
                let probs = softmax(row)
                let order = row.indices.sorted { probs[$0] > probs[$1] || (probs[$0] == probs[$1] && $0 < $1) }
                let target = ids[index - promptIDs.count]
                let rank = order.firstIndex(of: target) ?? order.count
                let text = tok.tokenStrings([target]).first ?? ""
                ranksHere.append((text, rank))
                lines.append("Rank: \(pad(String(rank), 8)) Logit: \(String(format: "%5.2f", row[target])) Prob: \(percent(probs[target])) Token: |\(text)|")
                if i == 0 { firstOrder = order; firstProbs = probs; firstLogits = row }
            }
            ranks.append(ranksHere)
            if printDetails {
                say("Performance on answer token\(multiple ? "s" : ""):")
                lines.forEach(say)
                for k in 0..<min(topK, firstOrder.count) {
                    let id = firstOrder[k]
                    say("Top \(k)th token. Logit: \(String(format: "%5.2f", firstLogits[id])) Prob: \(percent(firstProbs[id])) Token: |\(tok.decode([id]))|")
                }
            }
        }
        func pairs(_ list: [(String, Int)]) -> Value { .list(list.map { .tuple([.string($0.0), .int($0.1)]) }) }
        if multiple { say("Ranks of the answer tokens: " + Repr.repr(.list(ranks.map(pairs)))) }
        else { say("Ranks of the answer tokens: " + Repr.repr(pairs(ranks.map { $0[0] }))) }
    }

    /// The model's logits for `ids` as rows [pos] of [d_vocab], whatever batch axis the model adds.
    static func logits(_ rt: Interpreter, _ model: ModelObject, _ ids: [Int]) throws -> LogitRows {
        guard case .tensor(let t) = try rt.callMethod(.host(model), "forward", Arguments([Value.tokens(ids)])) else {
            throw LoupeError("test_prompt: the model did not return logits")
        }
        var x = t.tensor
        while x.rank > 2, x.shape[0] == 1 { x = try EinopsBindings.engine { try x.squeezed(0) } }
        guard x.rank == 2, x.shape[0] == ids.count else { throw LoupeError("test_prompt: unexpected logits shape \(t.tensor.shape)") }
        return LogitRows(tensor: x.contiguous())
    }

    struct LogitRows {
        let tensor: Tensor   // [pos, d_vocab]
        func select(_ pos: Int) throws -> [Float] {
            let v = tensor.shape[1]
            return Array(UnsafeBufferPointer(start: tensor.basePointer + pos * v, count: v))
        }
    }

    static func softmax(_ row: [Float]) -> [Float] {
        let top = row.max() ?? 0
        let e = row.map { Foundation.exp(Double($0 - top)) }
        let total = e.reduce(0, +)
        return e.map { Float($0 / total) }
    }

    /// Python's `{:6.2%}`.
    static func percent(_ p: Float) -> String { pad(String(format: "%.2f%%", Double(p) * 100), 6, right: true) }

    static func pad(_ s: String, _ width: Int, right: Bool = false) -> String {
        let fill = String(repeating: " ", count: max(0, width - s.count))
        return right ? fill + s : s + fill
    }
}
