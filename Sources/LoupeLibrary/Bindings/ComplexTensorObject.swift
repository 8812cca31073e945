import Foundation
import LoupeInterpreter
import LoupeScript
import LoupeTensor

/// A complex tensor as torch's complex64 (what `torch.linalg.eig` and `FactoredMatrix.eigenvalues` return),
/// held as real and imaginary parts of one shape. It has what eigenvalue code uses: `.real`, `.imag`,
/// `.abs()`, `.sum(dim)`, indexing, `.shape`, `.dtype`; anything else converts through `.real`/`.imag`.
final class ComplexTensor: HostOperand {
    let typeName = "ComplexTensor"
    let real: Tensor
    let imag: Tensor
    init(real: Tensor, imag: Tensor) { self.real = real; self.imag = imag }

    static let members = ["real", "imag", "shape", "ndim", "dtype", "abs", "sum", "angle", "conj"]

    func attribute(_ name: String, interpreter: Interpreter) throws -> Value? {
        switch name {
        case "real": return .tensor(real)
        case "imag": return .tensor(imag)
        case "shape": return .tuple(real.shape.map { .int($0) })
        case "ndim": return .int(real.rank)
        case "dtype": return .string("complex64")
        default: return nil
        }
    }

    func callMethod(_ name: String, _ args: Arguments, interpreter: Interpreter) throws -> Value? {
        switch name {
        case "abs":
            return .tensor(try engineCall { try Tensor.zipMap(real, imag) { ($0 * $0 + $1 * $1).squareRoot() } })
        case "angle":
            return .tensor(try engineCall { try Tensor.zipMap(real, imag) { atan2f($1, $0) } })
        case "conj":
            return .host(ComplexTensor(real: real, imag: imag.unary(.neg)))
        case "sum":
            let dimValue = args.keywords.first(where: { $0.0 == "dim" })?.1 ?? args.positional.first ?? Value.none
            var dim: Int? = nil
            if case .none = dimValue {} else { dim = try dimValue.asInt("sum: dim") }
            return .host(ComplexTensor(real: try engineCall { try real.sum(dim: dim) },
                                       imag: try engineCall { try imag.sum(dim: dim) }))
        default: return nil
        }
    }

    func getItem(_ key: Value, interpreter: Interpreter) throws -> Value? {
        let items = try HostIndexing.tensorIndex(key)
        return .host(ComplexTensor(real: try engineCall { try real.index(items) }, imag: try engineCall { try imag.index(items) }))
    }

    func binary(_ op: LoupeScript.BinaryOp, _ other: Value, reflected: Bool) throws -> Value? {
        throw LoupeError("`\(op.rawValue)` on a complex tensor: Loupe's complex tensors (eigenvalues) have no arithmetic",
                         hint: "compute on the parts: e.real, e.imag, e.abs(), e.sum(dim=-1).real")
    }

    var memberNames: [String] { Self.members }
    var length: Int? { real.rank == 0 ? nil : real.shape[0] }

    func iterate() throws -> [Value]? {
        guard real.rank > 0 else { return nil }
        return try (0..<real.shape[0]).map { i in
            .host(ComplexTensor(real: try engineCall { try real.index([.at(i)]) }, imag: try engineCall { try imag.index([.at(i)]) }))
        }
    }

    /// torch's layout: `tensor([ 1.2000+0.5000j, -0.3000-0.0000j])`, nested per dimension.
    func repr() -> String {
        let re = real.contiguous().toArray(), im = imag.contiguous().toArray()
        let cells = zip(re, im).map { String(format: "%.4f%@%.4fj", $0.0, $0.1 < 0 || ($0.1 == 0 && $0.1.sign == .minus) ? "-" : "+", abs($0.1)) }
        let width = cells.map(\.count).max() ?? 0
        let padded = cells.map { String(repeating: " ", count: width - $0.count) + $0 }
        func nest(_ dims: ArraySlice<Int>, _ start: Int, _ indent: Int) -> String {
            guard let n = dims.first else { return padded[start] }
            let inner = dims.dropFirst().reduce(1, *)
            let parts = (0..<n).map { nest(dims.dropFirst(), start + $0 * inner, indent + 1) }
            let sep = dims.count == 1 ? ", " : "," + String(repeating: "\n", count: dims.count - 1) + String(repeating: " ", count: indent + 1)
            return "[" + parts.joined(separator: sep) + "]"
        }
        return "tensor(" + nest(real.shape[...], 0, 7) + ")"
    }

    var help: String {
        "ComplexTensor: complex64 values (eigenvalues) as torch has them: .real, .imag, .abs(), .sum(dim=-1), [index], .shape, .dtype."
    }
}

extension Tensor {
    /// Elementwise f(a, b) over two tensors of one shape.
    static func zipMap(_ a: Tensor, _ b: Tensor, _ f: (Float, Float) -> Float) throws -> Tensor {
        guard a.shape == b.shape else { throw TensorError("complex parts differ in shape: \(a.shape) vs \(b.shape)") }
        let x = a.contiguous().toArray(), y = b.contiguous().toArray()
        return Tensor(shape: a.shape, data: Swift.zip(x, y).map { f($0.0, $0.1) })
    }
}
