import LoupeNotebook

/// Where the interpreter sends everything a program shows. The CLI prints; the notebook runner
/// collects per cell; tests record.
public protocol OutputSink: AnyObject {
    func emit(_ output: CellOutput)
}

/// A sink that keeps everything (tests, notebooks).
public final class CollectingSink: OutputSink {
    public private(set) var outputs: [CellOutput] = []
    public init() {}
    public func emit(_ output: CellOutput) { outputs.append(output) }
    public func take() -> [CellOutput] { defer { outputs = [] }; return outputs }

    /// All `.stream` text joined.
    public var text: String {
        outputs.map { if case .stream(let s) = $0 { return s }; return "" }.joined()
    }
}
