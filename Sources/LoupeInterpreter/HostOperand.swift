import LoupeScript
import LoupeTensor

/// A host object that takes part in binary operators (`fm @ x`, `x @ fm`, `fm * 2`), as Python's
/// `__matmul__`/`__rmatmul__`: `reflected` is true when the object is the right operand. Nil means the
/// operator does not apply, and the usual "unsupported operand types" error follows.
public protocol HostOperand: HostObject {
    func binary(_ op: LoupeScript.BinaryOp, _ other: Value, reflected: Bool) throws -> Value?
}

/// Tensor subscripts for host objects that hold tensors (a factored matrix, a complex tensor): the same
/// numpy index items `t[key]` uses.
public enum HostIndexing {
    public static func tensorIndex(_ key: Value) throws -> [TensorIndex] { try Indexing.tensorIndex(key) }
}
