import LoupeAnalysis
import LoupeInterpreter
import LoupeScript
import LoupeTensor

/// `FactoredMatrix(A, B)` and `model.OV` / `model.QK` as TransformerLens has them: a lazy A @ B with
/// leading batch dimensions, multiplied by tensors on either side, indexed `[layer, head]`, with its
/// SVD, eigenvalues (complex) and norm from the factors.
final class FactoredMatrixObject: HostOperand {
    let typeName = "FactoredMatrix"
    let matrix: FactoredMatrix
    init(_ matrix: FactoredMatrix) { self.matrix = matrix }

    private var svdMemo: (U: Tensor, S: Tensor, V: Tensor)?
    func svd() throws -> (U: Tensor, S: Tensor, V: Tensor) {
        if let s = svdMemo { return s }
        let s = try engineCall { try matrix.svd() }
        svdMemo = s
        return s
    }

    func getItem(_ key: Value, interpreter: Interpreter) throws -> Value? {
        let items = try HostIndexing.tensorIndex(key)
        return .host(FactoredMatrixObject(try engineCall { try matrix.index(items) }))
    }

    func binary(_ op: LoupeScript.BinaryOp, _ other: Value, reflected: Bool) throws -> Value? {
        switch (op, other) {
        case (.matmul, .host(let o as FactoredMatrixObject)):
            let (l, r) = reflected ? (o.matrix, matrix) : (matrix, o.matrix)
            return .host(FactoredMatrixObject(try engineCall { try l.matmul(r) }))
        case (.matmul, .tensor(let t)):
            let out = try engineCall { reflected ? try matrix.rmatmul(t.tensor) : try matrix.matmul(t.tensor) }
            switch out {
            case .tensor(let x): return .tensor(x)
            case .factored(let f): return .host(FactoredMatrixObject(f))
            }
        case (.mul, .int), (.mul, .float):
            return .host(FactoredMatrixObject(try engineCall { try matrix.scaled(by: Float(try other.asDouble("scalar"))) }))
        case (.mul, .tensor(let t)) where t.tensor.count == 1:
            return .host(FactoredMatrixObject(try engineCall { try matrix.scaled(by: t.tensor.contiguous().toArray()[0]) }))
        case (.mul, .tensor):
            throw LoupeError("FactoredMatrix * tensor: the tensor must be a scalar", hint: "for matrix multiplication use @")
        default: return nil
        }
    }

    var length: Int? { matrix.shape.first }
    func repr() -> String { "FactoredMatrix: Shape(\(Repr.repr(.tuple(matrix.shape.map { .int($0) })))), Hidden Dim(\(matrix.mdim))" }
    var help: String { FactoredMatrixBindings.doc }
}

enum FactoredMatrixBindings {
    static let doc = """
        FactoredMatrix(A, B): TransformerLens's lazy product A @ B, A [..., ldim, mdim], B [..., mdim, rdim].
        .AB (the product), .BA, .T, .shape, .ldim/.mdim/.rdim, .ndim, fm @ x and x @ fm (tensors or FactoredMatrix),
        fm * 2, fm[layer, head], .svd() → (U, S, V), .U, .S, .V (.Vh is V, as TransformerLens), .eigenvalues (complex64,
        of B @ A), .norm(), .get_corner(k), .collapse_l(), .collapse_r(), .make_even(), .unsqueeze(k), .pair.
        model.OV and model.QK are [n_layers, n_heads, d_model, d_model] factored matrices.
        """

    static func fm(_ v: Value) throws -> FactoredMatrixObject { try hostReceiver(v, "a FactoredMatrix") }

    static func install() {
        let tensorAttributes: [(String, String, (FactoredMatrixObject) throws -> Value)] = [
            ("A", "The left factor [..., ldim, mdim].", { .tensor($0.matrix.A) }),
            ("B", "The right factor [..., mdim, rdim].", { .tensor($0.matrix.B) }),
            ("AB", "The product A @ B [..., ldim, rdim] (large: what the factoring avoids).", { o in .tensor(try engineCall { try o.matrix.product() }) }),
            ("BA", "The reverse product B @ A [..., mdim, mdim]; needs ldim == rdim.", { o in .tensor(try engineCall { try o.matrix.reversedProduct() }) }),
            ("T", "The transpose, factored: B.T, A.T.", { o in .host(FactoredMatrixObject(try engineCall { try o.matrix.transposed() })) }),
            ("shape", "The product's shape (leading..., ldim, rdim).", { .tuple($0.matrix.shape.map { .int($0) }) }),
            ("ldim", "Rows of the product.", { .int($0.matrix.ldim) }),
            ("mdim", "The hidden (inner) dimension.", { .int($0.matrix.mdim) }),
            ("rdim", "Columns of the product.", { .int($0.matrix.rdim) }),
            ("ndim", "Dimensions of the product.", { .int($0.matrix.ndim) }),
            ("U", "Left singular vectors [..., ldim, mdim].", { .tensor(try $0.svd().U) }),
            ("S", "Singular values [..., mdim], descending.", { .tensor(try $0.svd().S) }),
            ("V", "Right singular vectors [..., rdim, mdim] (M = U @ diag(S) @ V.T).", { .tensor(try $0.svd().V) }),
            ("Vh", "TransformerLens's alias of V (it returns V, not its transpose).", { .tensor(try $0.svd().V) }),
            ("eigenvalues", "Eigenvalues [..., mdim] (complex64) of B @ A, the product's non-zero eigenvalues.", { o in
                let e = try engineCall { try o.matrix.eigenvalues() }
                return .host(ComplexTensor(real: e.real, imag: e.imag))
            }),
            ("pair", "The factors (A, B).", { .tuple([.tensor($0.matrix.A), .tensor($0.matrix.B)]) }),
        ]
        for (name, doc, get) in tensorAttributes {
            Builtins.registerAttribute(type: "FactoredMatrix", name: name, doc: doc, example: "model.OV[0, 0].\(name)") { _, recv in
                try get(try fm(recv))
            }
        }
        Builtins.registerMethod(type: "FactoredMatrix", "fm.svd()", doc: "(U, S, V) with M = U @ diag(S) @ V.T, from the factors' SVDs (TransformerLens's FactoredMatrix.svd).",
                                example: "U, S, V = model.OV[0, 0].svd()") { _, recv, _ in
            let s = try fm(recv).svd()
            return .tuple([.tensor(s.U), .tensor(s.S), .tensor(s.V)])
        }
        Builtins.registerMethod(type: "FactoredMatrix", "fm.norm()", doc: "The Frobenius norm [...] (root of the summed squared singular values).",
                                example: "model.OV[0, 0].norm()") { _, recv, _ in
            let o = try fm(recv)
            return .tensor(try engineCall { try o.matrix.norm(S: try o.svd().S) })
        }
        Builtins.registerMethod(type: "FactoredMatrix", "fm.get_corner(k: int = 3)", doc: "The top-left k×k… corner of the product, from the factors.",
                                example: "model.OV[0, 0].get_corner(3)") { _, recv, args in
            let k = try args.int("k")
            return .tensor(try engineCall { try fm(recv).matrix.corner(k) })
        }
        Builtins.registerMethod(type: "FactoredMatrix", "fm.unsqueeze(k: int)", doc: "A new size-one dimension at k in both factors.",
                                example: "model.OV[0, 0].unsqueeze(0).shape") { _, recv, args in
            let k = try args.int("k")
            return .host(FactoredMatrixObject(try engineCall { try fm(recv).matrix.unsqueezed(k) }))
        }
        Builtins.registerMethod(type: "FactoredMatrix", "fm.collapse_l()", doc: "diag(S) @ V.T [..., mdim, rdim]: the left orthogonal factor removed.",
                                example: "model.OV[0, 0].collapse_l().shape") { _, recv, _ in
            let s = try fm(recv).svd()
            return .tensor(try engineCall { try Tensor.binary(.mul, try s.S.unsqueezed(-1), try s.V.transposed(-2, -1)) })
        }
        Builtins.registerMethod(type: "FactoredMatrix", "fm.collapse_r()", doc: "U @ diag(S) [..., ldim, mdim]: the right orthogonal factor removed.",
                                example: "model.OV[0, 0].collapse_r().shape") { _, recv, _ in
            let s = try fm(recv).svd()
            return .tensor(try engineCall { try Tensor.binary(.mul, s.U, try s.S.unsqueezed(-2)) })
        }
        Builtins.registerMethod(type: "FactoredMatrix", "fm.make_even()", doc: "The same product factored as (U √S, √S Vᵀ).",
                                example: "model.OV[0, 0].make_even().A.shape") { _, recv, _ in
            let s = try fm(recv).svd()
            let root = s.S.map { $0.squareRoot() }
            return .host(FactoredMatrixObject(try engineCall {
                try FactoredMatrix(try Tensor.binary(.mul, s.U, try root.unsqueezed(-2)),
                                   try Tensor.binary(.mul, try root.unsqueezed(-1), try s.V.transposed(-2, -1)))
            }))
        }
        for (name, doc) in [("OV", "The OV circuits W_V @ W_O, [n_layers, n_heads, d_model, d_model] as a FactoredMatrix (KV heads repeated under GQA, as TransformerLens)."),
                            ("QK", "The QK circuits W_Q @ W_K.T, [n_layers, n_heads, d_model, d_model] as a FactoredMatrix (KV heads repeated under GQA, as TransformerLens).")] {
            Builtins.registerAttribute(type: "Model", name: name, doc: doc, example: "model.\(name)[0, 0].shape") { interp, recv in
                let l = try interp.getAttribute(recv, name == "OV" ? "W_V" : "W_Q")
                let r = try interp.getAttribute(recv, name == "OV" ? "W_O" : "W_K")
                return try circuit(name, l, r)
            }
        }
    }

    /// OV = W_V @ W_O, QK = W_Q @ W_K.T, factored.
    static func circuit(_ name: String, _ left: Value, _ right: Value) throws -> Value {
        guard case .tensor(let l) = left, case .tensor(let r) = right else { throw LoupeError("\(name): weights are not tensors") }
        return .host(FactoredMatrixObject(try engineCall {
            let (a, b) = try (repeatingKVHeads(l.tensor, like: r.tensor), repeatingKVHeads(r.tensor, like: l.tensor))
            return try FactoredMatrix(a, name == "OV" ? b : try b.transposed(-2, -1))
        }))
    }

    /// Under grouped-query attention W_K/W_V have n_key_value_heads heads; TransformerLens repeats each for
    /// its group of query heads (repeat_interleave on the head axis, third from the end).
    static func repeatingKVHeads(_ t: Tensor, like other: Tensor) throws -> Tensor {
        guard t.rank >= 3, other.rank == t.rank else { return t }
        let heads = t.shape[t.rank - 3], wanted = other.shape[other.rank - 3]
        guard heads < wanted, heads > 0, wanted % heads == 0 else { return t }
        let group = wanted / heads
        var items = [TensorIndex](repeating: .range(nil, nil, nil), count: t.rank - 3)
        items.append(.indices((0..<wanted).map { $0 / group }))
        return try t.index(items)
    }

    /// `FactoredMatrix(A, B)` for `from transformer_lens import FactoredMatrix`.
    static let constructor = Builtins.function("FactoredMatrix(A, B)", doc: doc, example: "FactoredMatrix(torch.randn(5, 2), torch.randn(2, 5)).norm()") { _, args in
        let a = try TensorBuiltins.tensorArg(args.value("A"), "FactoredMatrix: A").tensor
        let b = try TensorBuiltins.tensorArg(args.value("B"), "FactoredMatrix: B").tensor
        return .host(FactoredMatrixObject(try engineCall { try FactoredMatrix(a, b) }))
    }
}
