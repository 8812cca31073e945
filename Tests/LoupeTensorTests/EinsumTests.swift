import XCTest
@testable import LoupeTensor

/// einsum against nested loops over every index of every axis.
final class EinsumTests: XCTestCase {
    /// out[outIndex] = Σ over the summed axes of Π operands[their axes], by brute force.
    static func naiveEinsum(_ inputs: [String], _ output: String, _ ts: [Tensor]) -> (shape: [Int], values: [Float]) {
        var sizes: [Character: Int] = [:]
        for (labels, t) in zip(inputs, ts) { for (c, n) in zip(labels, t.shape) { sizes[c] = n } }
        let all = Array(Set(inputs.joined())).sorted()
        let summed = all.filter { !output.contains($0) }
        let outShape = output.map { sizes[$0]! }
        var values: [Float] = []
        for outIndex in Naive.indices(outShape) {
            var total: Double = 0
            for sumIndex in Naive.indices(summed.map { sizes[$0]! }) {
                var at: [Character: Int] = [:]
                for (c, i) in zip(output, outIndex) { at[c] = i }
                for (c, i) in zip(summed, sumIndex) { at[c] = i }
                var product: Double = 1
                for (labels, t) in zip(inputs, ts) { product *= Double(t[labels.map { at[$0]! }]) }
                total += product
            }
            values.append(Float(total))
        }
        return (outShape, values)
    }

    func check(_ equation: String, _ shapes: [[Int]], seed: UInt64 = 1, file: StaticString = #filePath, line: UInt = #line) throws {
        var g = Naive(seed: seed)
        let ts = shapes.map { g.tensor($0) }
        let sides = equation.filter { $0 != " " }.components(separatedBy: "->")
        let want = EinsumTests.naiveEinsum(sides[0].components(separatedBy: ","), sides[1], ts)
        let got = try Tensor.einsum(equation, ts)
        XCTAssertEqual(got.shape, want.shape, equation, file: file, line: line)
        for (a, b) in zip(got.toArray(), want.values) where abs(a - b) > 1e-4 * max(1, abs(b)) {
            return XCTFail("\(equation): got \(got.toArray()), want \(want.values)", file: file, line: line)
        }
    }

    func testContractionsMatchNaiveLoops() throws {
        try check("bhqd,bhkd->bhqk", [[2, 3, 4, 5], [2, 3, 6, 5]])
        try check("ij,jk->ik", [[3, 4], [4, 2]])
        try check("ij,jk->ki", [[3, 4], [4, 2]])
        try check("i,i->", [[5], [5]])
        try check("i,j->ij", [[3], [4]])
        try check("ij->ji", [[3, 4]])
        try check("ij->j", [[3, 4]])
        try check("ii->i", [[3, 3]])
        try check("ii->", [[4, 4]])
        try check("bpd,dv->bpv", [[2, 3, 4], [4, 5]])
        try check("ab,bc,cd->ad", [[2, 3], [3, 4], [4, 2]])
        try check("pnd,d->pn", [[3, 4, 5], [5]])
        try check("abc,cba->b", [[2, 3, 4], [4, 3, 2]])
        for seed in 2..<8 { try check("hqd,hkd->hqk", [[2, 3, 4], [2, 5, 4]], seed: UInt64(seed)) }
    }

    func testEinopsSpellingAndEllipsis() throws {
        var g = Naive(seed: 3)
        let a = g.tensor([2, 3, 4, 5]), b = g.tensor([2, 3, 6, 5])
        let letters = try Tensor.einsum("bhqd,bhkd->bhqk", [a, b])
        let spaced = try Tensor.einsum("batch head q d_head, batch head k d_head -> batch head q k", [a, b])
        XCTAssertEqual(letters.toArray(), spaced.toArray())
        let ellipsis = try Tensor.einsum("... q d, ... k d -> ... q k", [a, b], spacedNames: true)
        XCTAssertEqual(letters.toArray(), ellipsis.toArray())
        let torchEllipsis = try Tensor.einsum("...qd,...kd->...qk", [a, b])
        XCTAssertEqual(letters.toArray(), torchEllipsis.toArray())
        // implicit output: axes that appear once, alphabetically
        let x = g.tensor([3, 4]), y = g.tensor([4, 2])
        XCTAssertEqual(try Tensor.einsum("ij,jk", [x, y]).toArray(), try Tensor.matmul(x, y).toArray())
    }

    func testErrorsNameThePatternAndTheAxis() {
        let a = Tensor(zeros: [2, 3]), b = Tensor(zeros: [4, 5])
        XCTAssertThrowsError(try Tensor.einsum("ij,jk->ik", [a, b])) {
            XCTAssertEqual("\($0)", "einsum \"ij,jk->ik\": axis `j` has size 3 in an earlier operand but 4 in operand 1 (shape [4, 5])")
        }
        XCTAssertThrowsError(try Tensor.einsum("ijk,jk->i", [a, b])) {
            XCTAssertEqual("\($0)", "einsum \"ijk,jk->i\": operand 0 has shape [2, 3] (2 dimensions) but its part `i j k` names 3")
        }
        XCTAssertThrowsError(try Tensor.einsum("ij->iz", [a])) {
            XCTAssertEqual("\($0)", "einsum \"ij->iz\": output axis `z` appears in no input")
        }
        XCTAssertThrowsError(try Tensor.einsum("ij,jk->ik", [a])) {
            XCTAssertTrue("\($0)".contains("the equation has 2 operands but 1 tensor was given"), "\($0)")
        }
    }
}
