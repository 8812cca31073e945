/// Every recoverable failure in LoupeTensor: bad user shapes, bad indices, truncated weight bytes.
/// The message names the operation, the offending values and, where it helps, what to do.
public struct TensorError: Error, CustomStringConvertible, Equatable, Sendable {
    public let message: String

    public init(_ message: String) { self.message = message }

    public var description: String { message }

    static func shape(_ op: String, _ detail: String) -> TensorError {
        TensorError("\(op): \(detail)")
    }
}
