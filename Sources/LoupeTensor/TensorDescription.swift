import Foundation

/// torch-style text: `tensor([[ 0.1000, -1.2000], [...]])`; tensors over 1000 elements are summarised
/// with the first and last 3 entries of each dimension and `...`, and then also name their shape.
extension Tensor: CustomStringConvertible {
    public var description: String { formatted() }

    public func formatted(threshold: Int = 1000, edgeItems: Int = 3, lineWidth: Int = 80) -> String {
        let summarise = count > threshold
        // Collect shown values to choose one number format for all (torch's _Formatter).
        var shown: [Float] = []
        collect(dim: 0, offset: offset, summarise: summarise, edge: edgeItems, into: &shown)
        let fmt = NumberFormat(shown)
        let width = shown.map { fmt.string($0).count }.max() ?? 1
        let prefix = "tensor("
        var body: String
        if rank == 0 {
            body = fmt.string(item)
        } else {
            body = render(dim: 0, offset: offset, indent: prefix.count, summarise: summarise, edge: edgeItems,
                          fmt: fmt, width: width, lineWidth: lineWidth)
        }
        if summarise || count == 0 { body += ", shape=\(shape)" }
        return prefix + body + ")"
    }

    private func shownIndices(_ n: Int, _ summarise: Bool, _ edge: Int) -> [Int?] {
        if summarise && n > 2 * edge { return Array(0..<edge) + [nil] + Array((n - edge)..<n) }
        return Array(0..<n)
    }

    private func collect(dim: Int, offset off: Int, summarise: Bool, edge: Int, into out: inout [Float]) {
        if dim == rank { out.append(storage.pointer[off]); return }
        for i in shownIndices(shape[dim], summarise, edge) {
            if let i { collect(dim: dim + 1, offset: off + i * strides[dim], summarise: summarise, edge: edge, into: &out) }
        }
    }

    private func render(dim: Int, offset off: Int, indent: Int, summarise: Bool, edge: Int,
                        fmt: NumberFormat, width: Int, lineWidth: Int) -> String {
        let idx = shownIndices(shape[dim], summarise, edge)
        if dim == rank - 1 {
            let items = idx.map { i -> String in
                guard let i else { return " ..." }  // torch's spacing
                let s = fmt.string(storage.pointer[off + i * strides[dim]])
                return String(repeating: " ", count: Swift.max(0, width - s.count)) + s
            }
            // Wrap long rows at lineWidth like torch.
            var lines: [String] = []
            var line = ""
            for item in items {
                let piece = line.isEmpty ? item : ", " + item
                if !line.isEmpty && indent + 1 + line.count + piece.count + 2 > lineWidth {
                    lines.append(line + ",")
                    line = item
                } else {
                    line += piece
                }
            }
            lines.append(line)
            return "[" + lines.joined(separator: "\n" + String(repeating: " ", count: indent + 1)) + "]"
        }
        let sep = "," + String(repeating: "\n", count: rank - dim - 1) + String(repeating: " ", count: indent + 1)
        let parts = idx.map { i -> String in
            guard let i else { return "..." }
            return render(dim: dim + 1, offset: off + i * strides[dim], indent: indent + 1, summarise: summarise,
                          edge: edge, fmt: fmt, width: width, lineWidth: lineWidth)
        }
        return "[" + parts.joined(separator: sep) + "]"
    }
}

/// One format for all shown numbers: integers as `3.`, otherwise 4 decimals, or scientific when the
/// magnitudes span more than 1000x or leave [1e-4, 1e8] (torch's rules).
struct NumberFormat {
    enum Mode { case integer, fixed, scientific }
    let mode: Mode

    init(_ values: [Float]) {
        let finite = values.filter { $0.isFinite }
        let nonzero = finite.filter { $0 != 0 }.map { Swift.abs($0) }
        if finite.allSatisfy({ $0 == $0.rounded() }) {
            mode = (nonzero.max() ?? 0) > 1e8 ? .scientific : .integer
        } else if let mx = nonzero.max(), let mn = nonzero.min(), mx / mn > 1000 || mx > 1e8 || mn < 1e-4 {
            mode = .scientific
        } else {
            mode = .fixed
        }
    }

    func string(_ v: Float) -> String {
        if v.isNaN { return "nan" }
        if v.isInfinite { return v < 0 ? "-inf" : "inf" }
        switch mode {
        case .integer: return String(format: "%.0f.", Double(v))
        case .fixed: return String(format: "%.4f", Double(v))
        case .scientific: return String(format: "%.4e", Double(v))
        }
    }
}
