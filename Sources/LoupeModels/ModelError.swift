import Foundation

/// Everything that can go wrong loading or running a model. Each case names the thing at fault
/// (tensor, hook, token, config key) and says what to do.
public struct ModelError: Error, CustomStringConvertible, Equatable, Sendable {
    public enum Kind: String, Sendable {
        case unsupportedArchitecture, badConfig, missingTensor, shapeMismatch, unexpectedTensor,
             unsupportedDType, badInput, unknownHook, badHookResult, noTokenizer, internalError
        /// An allocation planned from the config would not fit in the memory available.
        case insufficientMemory
    }
    public let kind: Kind
    public let message: String

    public init(_ kind: Kind, _ message: String) {
        self.kind = kind
        self.message = message
    }

    public var description: String { message }
}

/// Levenshtein distance between two sequences (of bytes, characters …), for "did you mean" suggestions.
public func editDistance<Element: Equatable>(_ a: [Element], _ b: [Element]) -> Int {
    if a.isEmpty { return b.count }
    if b.isEmpty { return a.count }
    var prev = Array(0...b.count), cur = [Int](repeating: 0, count: b.count + 1)
    for i in 1...a.count {
        cur[0] = i
        for j in 1...b.count {
            cur[j] = min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1))
        }
        swap(&prev, &cur)
    }
    return prev[b.count]
}

/// Levenshtein distance over UTF-8 bytes.
func editDistance(_ a: String, _ b: String) -> Int { editDistance(Array(a.utf8), Array(b.utf8)) }

/// The candidate closest to `name` (ties: the first).
func nearest(_ name: String, in candidates: [String]) -> String? {
    candidates.min { editDistance(name, $0) < editDistance(name, $1) }
}
