import Foundation
import LoupeInterpreter
import LoupeScript

/// A shard run executes each cell one top-level statement at a time, so that it can stop right after
/// the `for … in sweep(...)` loop: the code after it is the reduce, which runs only in the merge.
struct StatementChunk {
    var source: String
    var firstLine: Int
    var isForLoop: Bool
}

enum ShardCells {
    /// The cell's source cut before each top-level statement; nil when it does not parse (running it
    /// whole reports the syntax error).
    static func chunks(_ source: String, file: String, firstLine: Int) -> [StatementChunk]? {
        guard let statements = try? Parser.parse(source, file: file, firstLine: firstLine), !statements.isEmpty else {
            return nil
        }
        let lines = source.split(separator: "\n", omittingEmptySubsequences: false)
        var chunks: [StatementChunk] = []
        var starts: [(line: Int, isFor: Bool)] = []
        for s in statements {
            var isFor = false
            if case .forLoop = s.kind { isFor = true }
            if let last = starts.last, last.line == s.line {
                starts[starts.count - 1].isFor = isFor   // `a = 1; for …` on one line: one chunk
            } else {
                starts.append((s.line, isFor))
            }
        }
        for (i, start) in starts.enumerated() {
            let from = i == 0 ? 0 : start.line - firstLine
            let to = i + 1 < starts.count ? starts[i + 1].line - firstLine : lines.count
            let text = lines[max(0, from)..<min(lines.count, max(from, to))].joined(separator: "\n")
            chunks.append(StatementChunk(source: text, firstLine: firstLine + max(0, from), isForLoop: start.isFor))
        }
        return chunks
    }

    /// Runs one cell of a shard run; true when its sweep loop ended (the shard's work is done).
    static func run(_ source: String, file: String, firstLine: Int, interpreter: Interpreter,
                    session: SweepSession) throws -> Bool {
        guard let chunks = chunks(source, file: file, firstLine: firstLine) else {
            _ = try interpreter.execute(source, file: file, firstLine: firstLine)
            return false
        }
        for chunk in chunks {
            let before = session.iterations
            _ = try interpreter.execute(chunk.source, file: file, firstLine: chunk.firstLine)
            if session.iterations > before {
                guard chunk.isForLoop else {
                    throw LoupeError("\(file):\(chunk.firstLine): a sharded sweep is iterated by a top-level `for … in sweep(...)` loop in a cell, so the run can stop after it")
                }
                return true
            }
        }
        return false
    }
}
