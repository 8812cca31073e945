import Foundation
import LoupeFormats

/// Prompts read from text files: one per line (.txt), fortune files (`%` lines between entries),
/// a column of a .csv, or a field of a .jsonl. Standing in for the Hugging Face `datasets` the seeds used.
public enum TextDataset {
    public enum Source: Sendable, Equatable {
        case lines(URL)
        case fortunes(URL)
        case csv(URL, column: String)
        case jsonl(URL, field: String)
    }

    /// Picks the reader from the file: fortune files (no extension, containing `\n%\n`), .txt, .csv
    /// (column required), .jsonl (field required). A directory reads every fortune file in it.
    public static func load(path: String, field: String? = nil) throws -> [String] {
        let url = URL(fileURLWithPath: path)
        var isDir: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isDir) else {
            throw TableError("dataset \(path): no such file or directory")
        }
        if isDir.boolValue {
            let names = (try? FileManager.default.contentsOfDirectory(atPath: path)) ?? []
            var all: [String] = []
            for name in names.sorted() where !name.contains(".") {
                all += try read(.fortunes(url.appendingPathComponent(name)))
            }
            if all.isEmpty { throw TableError("dataset \(path): no fortune files (names without an extension) in this folder") }
            return all
        }
        switch url.pathExtension.lowercased() {
        case "csv":
            guard let f = field else { throw TableError("dataset \(path): a .csv needs field=\"column name\"") }
            return try read(.csv(url, column: f))
        case "jsonl", "ndjson":
            guard let f = field else { throw TableError("dataset \(path): a .jsonl needs field=\"name\"") }
            return try read(.jsonl(url, field: f))
        case "txt", "md", "text": return try read(.lines(url))
        default:
            let text = try contents(url)
            return text.contains("\n%\n") || text.hasPrefix("%\n") ? try read(.fortunes(url)) : try read(.lines(url))
        }
    }

    public static func read(_ source: Source) throws -> [String] {
        switch source {
        case .lines(let url):
            return try contents(url).split(whereSeparator: \.isNewline).map(String.init)
                .filter { !$0.trimmingCharacters(in: .whitespaces).isEmpty }
        case .fortunes(let url):
            var entries: [String] = []
            var current: [Substring] = []
            for line in try contents(url).split(separator: "\n", omittingEmptySubsequences: false) {
                if line == "%" {
                    entries.append(current.joined(separator: "\n")); current = []
                } else { current.append(line) }
            }
            entries.append(current.joined(separator: "\n"))
            return entries.map { $0.trimmingCharacters(in: .whitespacesAndNewlines) }.filter { !$0.isEmpty }
        case .csv(let url, let column):
            let table = try Table.readCSV(url)
            let col = try table.column(column)
            return (0..<col.count).map { col[$0].description }
        case .jsonl(let url, let field):
            var out: [String] = []
            for (n, line) in try contents(url).split(separator: "\n").enumerated() {
                let trimmed = line.trimmingCharacters(in: .whitespaces)
                if trimmed.isEmpty { continue }
                guard let obj = (try? JSONValue.parse(trimmed, options: .ordered))?.object else {
                    throw TableError("\(url.path):\(n + 1): not a JSON object")
                }
                guard let value = obj[field] else {
                    throw TableError("\(url.path):\(n + 1): no field '\(field)' (fields: \(Set(obj.keys).sorted().joined(separator: ", ")))")
                }
                out.append(value.string ?? value.description)
            }
            return out
        }
    }

    /// `k` entries drawn without replacement, reproducibly from `seed` (all of them, shuffled, if fewer).
    public static func sample(_ items: [String], k: Int, seed: UInt64) -> [String] {
        var rng = SplitMix(seed: seed)
        var pool = items
        var out: [String] = []
        while out.count < k, !pool.isEmpty {
            let i = Int(rng.next() % UInt64(pool.count))
            pool.swapAt(i, pool.count - 1)
            out.append(pool.removeLast())
        }
        return out
    }

    static func contents(_ url: URL) throws -> String {
        guard let data = FileManager.default.contents(atPath: url.path) else {
            throw TableError("cannot read \(url.path): no such file")
        }
        return String(decoding: data, as: UTF8.self)
    }
}

/// Token sequences for probing heads with no meaning in the way (random inputs).
public enum RandomInputs {
    /// `length` tokens drawn uniformly from [0, vocab).
    public static func uniform(length: Int, vocab: Int, seed: UInt64) -> [Int] {
        var rng = SplitMix(seed: seed)
        return (0..<length).map { _ in Int(rng.next() % UInt64(vocab)) }
    }

    /// One random token repeated `length` times.
    public static func repeatedToken(length: Int, vocab: Int, seed: UInt64) -> [Int] {
        var rng = SplitMix(seed: seed)
        return Array(repeating: Int(rng.next() % UInt64(vocab)), count: length)
    }

    /// A random sequence of `period` tokens repeated `repeats` times.
    public static func repeatedSequence(period: Int, repeats: Int, vocab: Int, seed: UInt64) -> [Int] {
        let base = uniform(length: period, vocab: vocab, seed: seed)
        return Array((0..<repeats).map { _ in base }.joined())
    }
}
