import Foundation

/// tiktoken's BPE file: Meta's Llama 3 `tokenizer.model`, OpenAI's `*.tiktoken`.
///
///   <base64 of the token's bytes> <rank>\n      one token per line; empty lines are skipped
///
/// The rank is both the token's id and its merge priority (lower merges first). Ranks must be
/// 0..<n with each used once, every token's bytes must differ, and all 256 single bytes must be
/// tokens (tiktoken starts every word from single bytes).
struct TiktokenFile {
    /// The tokens' bytes by rank, and the ranks by bytes.
    let index: TiktokenIndex
    var tokens: [[UInt8]] { index.tokens }

    /// Real files are a few megabytes (Llama 3: 2.2 MB, 128,000 tokens); anything this large is not one.
    static let maxBytes = 256 << 20

    init(url: URL) throws {
        let data: Data
        do {
            let size = try FileManager.default.attributesOfItem(atPath: url.path)[.size] as? Int ?? 0
            guard size <= TiktokenFile.maxBytes else {
                throw TokenizerError(source: url.path, location: "",
                                     "\(size) bytes is too large for a tiktoken vocabulary (at most \(TiktokenFile.maxBytes >> 20) MB)")
            }
            data = try Data(contentsOf: url)
        } catch let error as TokenizerError {
            throw error
        } catch {
            throw TokenizerError(source: url.path, location: "", "cannot read the tiktoken file: \(error.localizedDescription)")
        }
        try self.init(data: data, source: url.path)
    }

    /// Whether the file's first line reads like tiktoken's (`<base64> <rank>`), to tell it from a
    /// SentencePiece `tokenizer.model` (a protobuf) of the same name.
    static func looks(at url: URL) -> Bool {
        guard let handle = try? FileHandle(forReadingFrom: url) else { return false }
        defer { try? handle.close() }
        guard let head = try? handle.read(upToCount: 256), let newline = head.firstIndex(of: 0x0A) else { return false }
        return (try? parseLine(Array(head[head.startIndex..<newline])[...], number: 1, source: url.path)) != nil
    }

    init(data: Data, source: String) throws {
        var entries: [(bytes: [UInt8], rank: Int, line: Int)] = []
        let bytes = [UInt8](data)
        var lineStart = 0
        var lineNumber = 0
        while lineStart < bytes.count {
            let lineEnd = bytes[lineStart...].firstIndex(of: 0x0A) ?? bytes.count
            lineNumber += 1
            var line = bytes[lineStart..<lineEnd]
            if line.last == 0x0D { line = line.dropLast() }
            lineStart = lineEnd + 1
            if line.isEmpty { continue }
            let parsed: ([UInt8], Int)
            do {
                parsed = try TiktokenFile.parseLine(line, number: lineNumber, source: source)
            } catch let error where entries.isEmpty && TiktokenFile.isBinary(bytes.prefix(512)) {
                throw TokenizerError(source: source, location: "",
                                     "binary data, not a tiktoken vocabulary (lines of `<base64 token> <rank>`, as Meta's Llama 3 tokenizer.model); a SentencePiece model (Llama 2's tokenizer.model) is not read: give the folder a tokenizer.json (transformers: AutoTokenizer.from_pretrained(dir).save_pretrained(dir)) or move tokenizer.model aside to use token ids (first line: \(error))")
            }
            entries.append((parsed.0, parsed.1, lineNumber))
        }
        guard !entries.isEmpty else {
            throw TokenizerError(source: source, location: "", "the tiktoken file has no tokens (expected lines of `<base64 token> <rank>`)")
        }
        // Ranks 0..<count, each once: a duplicate is reported where it repeats, a gap where a rank lies past the end.
        let count = entries.count
        var lineOfRank = [Int](repeating: 0, count: count)
        var pastEnd: (rank: Int, line: Int)?
        for entry in entries {
            guard entry.rank < count else {
                if pastEnd == nil { pastEnd = (entry.rank, entry.line) }
                continue
            }
            if lineOfRank[entry.rank] != 0 {
                throw TokenizerError(source: source, location: "line \(entry.line)",
                                     "rank \(entry.rank) is already given on line \(lineOfRank[entry.rank]); each rank must appear once")
            }
            lineOfRank[entry.rank] = entry.line
        }
        if let pastEnd, let missing = lineOfRank.firstIndex(of: 0) {
            throw TokenizerError(source: source, location: "line \(pastEnd.line)",
                                 "rank \(pastEnd.rank) leaves a gap: no line has rank \(missing) (the file has \(count) tokens, so ranks must be 0...\(count - 1))")
        }
        var tokens = [[UInt8]](repeating: [], count: count)
        for entry in entries { tokens[entry.rank] = entry.bytes }
        index = TiktokenIndex(tokens)
        // Distinct tokens: the index answers the first rank of equal tokens, so a later one is named.
        for (rank, token) in tokens.enumerated() {
            if let first = index.rank(token), Int(first) != rank {
                throw TokenizerError(source: source, location: "line \(lineOfRank[rank])",
                                     "token \(TiktokenFile.describe(token)) (rank \(rank)) repeats the token of rank \(first) on line \(lineOfRank[Int(first)])")
            }
        }
        for byte in 0..<256 where index.rank([UInt8(byte)]) == nil {
            throw TokenizerError(source: source, location: "",
                                 "no token for the byte 0x\(String(byte, radix: 16, uppercase: true)); a tiktoken vocabulary needs all 256 single bytes")
        }
    }

    /// Control bytes other than tab, newline and carriage return: a binary file (a protobuf), not text.
    static func isBinary(_ head: ArraySlice<UInt8>) -> Bool {
        head.contains { $0 < 0x20 && $0 != 0x09 && $0 != 0x0A && $0 != 0x0D || $0 == 0x7F }
    }

    /// One line: the base64 field, blanks, the decimal rank.
    static func parseLine(_ line: ArraySlice<UInt8>, number: Int, source: String) throws -> ([UInt8], Int) {
        let fields = line.split(whereSeparator: { $0 == 0x20 || $0 == 0x09 })
        guard fields.count == 2 else {
            throw TokenizerError(source: source, location: "line \(number)",
                                 "expected `<base64 token> <rank>`, found \(fields.count) field\(fields.count == 1 ? "" : "s")")
        }
        guard let decoded = Data(base64Encoded: Data(fields[0])), !decoded.isEmpty else {
            throw TokenizerError(source: source, location: "line \(number)",
                                 "\(quoted(fields[0])) is not base64 of a token's bytes")
        }
        let digits = fields[1]
        guard digits.count <= 9, digits.allSatisfy({ $0 >= 0x30 && $0 <= 0x39 }) else {
            throw TokenizerError(source: source, location: "line \(number)",
                                 "rank \(quoted(digits)) is not a whole number below 1,000,000,000")
        }
        let rank = digits.reduce(0) { $0 * 10 + Int($1 - 0x30) }
        return ([UInt8](decoded), rank)
    }

    private static func quoted(_ field: ArraySlice<UInt8>) -> String {
        String(decoding: field.prefix(60), as: UTF8.self).debugDescription
    }

    /// A token for an error message: its text when it is UTF-8, else its bytes in hex.
    static func describe(_ token: [UInt8]) -> String {
        if let text = String(validating: token, as: UTF8.self) { return text.debugDescription }
        return "0x" + token.map { String(format: "%02X", $0) }.joined()
    }
}
