import LoupeInterpreter
import LoupeTensor

/// `torch.linalg` as far as TransformerLens code uses it: `svd` (reduced), `eig(...).eigenvalues`, `eigvals`.
enum LinalgBindings {
    static func namespace() -> Namespace {
        let linalg = Namespace(name: "torch.linalg", doc: "torch.linalg's svd, eig (eigenvalues only) and eigvals over LAPACK.",
                               otherwise: "Loupe's torch.linalg has svd, eig (eigenvalues only) and eigvals; pca(x, k) gives principal directions")
        linalg.set("svd", .builtin(Builtins.function(
            "torch.linalg.svd(A, full_matrices: bool = True)",
            doc: "(U, S, Vh) with A = U @ diag(S) @ Vh, singular values descending, batched over leading dimensions. Loupe computes the reduced SVD, which is the full one for square matrices; non-square ones need full_matrices=False.",
            example: "U, S, Vh = torch.linalg.svd(torch.ones(3, 3))") { _, args in
            let a = try TensorBuiltins.tensorArg(args.value("A"), "torch.linalg.svd: A").tensor
            if try args.bool("full_matrices"), a.rank >= 2, a.shape[a.rank - 1] != a.shape[a.rank - 2] {
                throw LoupeError("torch.linalg.svd: Loupe computes the reduced SVD only; pass full_matrices=False for the non-square shape \(TensorMath.shapeText(a.shape))")
            }
            let s = try engineCall { try a.svd() }
            return .host(NamedTuple(typeName: "torch.return_types.linalg_svd", names: ["U", "S", "Vh"],
                                    items: [.tensor(s.U), .tensor(s.S), .tensor(s.Vh)]))
        }))
        linalg.set("eigvals", .builtin(Builtins.function(
            "torch.linalg.eigvals(A)", doc: "The eigenvalues [..., n] (complex64) of square matrices [..., n, n].",
            example: "torch.linalg.eigvals(torch.ones(3, 3))") { _, args in
            try eigenvalues(args.value("A"), "torch.linalg.eigvals")
        }))
        linalg.set("eig", .builtin(Builtins.function(
            "torch.linalg.eig(A)",
            doc: "torch.linalg.eig(A).eigenvalues [..., n] (complex64). Loupe does not compute eigenvectors: .eigenvectors is an error.",
            example: "torch.linalg.eig(torch.ones(3, 3)).eigenvalues") { _, args in
            let values = try eigenvalues(args.value("A"), "torch.linalg.eig")
            return .host(EigResult(values: values))
        }))
        return linalg
    }

    static func eigenvalues(_ v: Value, _ what: String) throws -> Value {
        let a = try TensorBuiltins.tensorArg(v, "\(what): A").tensor
        let e = try engineCall { try a.eigenvalues() }
        return .host(ComplexTensor(real: e.real, imag: e.imag))
    }
}

/// `torch.linalg.eig`'s result: the eigenvalues; eigenvectors are not computed.
final class EigResult: HostObject {
    let typeName = "torch.return_types.linalg_eig"
    let values: Value
    init(values: Value) { self.values = values }
    func attribute(_ name: String, interpreter: Interpreter) throws -> Value? {
        switch name {
        case "eigenvalues": return values
        case "eigenvectors":
            throw LoupeError("torch.linalg.eig: Loupe computes eigenvalues only, not eigenvectors",
                             hint: "for singular vectors use torch.linalg.svd(A) (or FactoredMatrix.svd())")
        default: return nil
        }
    }
    var memberNames: [String] { ["eigenvalues", "eigenvectors"] }
    func repr() -> String { "torch.return_types.linalg_eig(eigenvalues=...)" }
}
