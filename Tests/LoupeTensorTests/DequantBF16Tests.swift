import XCTest
@testable import LoupeTensor

/// The AVX-512 decoders straight to bf16 (`Dequant.decodeBF16Unchecked`, CKernels' quant_bf16.c) against
/// their twin, the Swift decoder to Float32 then `BF16Products.round`: equal bit for bit, NaNs included, over
/// random blocks, blocks with extreme f16 scales and every half and bfloat16 pattern.
final class DequantBF16Tests: XCTestCase {
    static let decoded: [DType] = [.f16, .bf16, .q8_0, .q4_0, .q4_1, .q5_0, .q5_1, .q4_K, .q5_K, .q6_K, .q2_K, .q3_K]

    /// Byte offsets of a block's f16 scales (d, and m or dmin where the type has one).
    static func scaleOffsets(_ dtype: DType) -> [Int] {
        switch dtype {
        case .q8_0, .q4_0, .q5_0: return [0]
        case .q4_1, .q5_1, .q4_K, .q5_K: return [0, 2]
        case .q6_K: return [208]
        case .q2_K: return [80, 82]
        case .q3_K: return [108]
        default: return []
        }
    }

    /// Zeros of both signs, the smallest and largest subnormals, 1, the largest finite, infinities, quiet and
    /// signalling NaNs with payloads, and 0.01.
    static let extremeHalves: [UInt16] = [0x0000, 0x8000, 0x0001, 0x8001, 0x03FF, 0x0400, 0x3C00, 0x7BFF, 0xFBFF,
                                          0x7C00, 0xFC00, 0x7E00, 0x7C01, 0xFD55, 0x211F]

    /// (Swift twin, C decoder) bf16 patterns of `count` elements of `dtype` stored in `bytes`.
    static func decodeBoth(_ dtype: DType, _ bytes: [UInt8], count: Int) -> (swift: [UInt16], c: [UInt16]) {
        var f = [Float](repeating: 0, count: count)
        var swift = [UInt16](repeating: 0xDEAD, count: count)
        var c = [UInt16](repeating: 0xBEEF, count: count + 1)                   // one past the end stays untouched
        bytes.withUnsafeBufferPointer { b in
            Dequant.decodeUnchecked(dtype, b.baseAddress!, count: count, into: &f)
            XCTAssertTrue(Dequant.decodeBF16Unchecked(dtype, b.baseAddress!, count: count, into: &c), "\(dtype)")
        }
        BF16Products.round(f, ldx: count, rows: 1, k: count, into: &swift, ldd: count)
        XCTAssertEqual(c[count], 0xBEEF, "\(dtype): wrote past \(count) elements")
        return (swift, Array(c[0..<count]))
    }

    /// Index of the first difference, with both patterns, for the failure message.
    static func firstDifference(_ a: [UInt16], _ b: [UInt16]) -> String? {
        guard let i = a.indices.first(where: { a[$0] != b[$0] }) else { return nil }
        return "element \(i): swift 0x\(String(a[i], radix: 16)) C 0x\(String(b[i], radix: 16))"
    }

    override func setUp() {
        Dequant.setBF16Decoders(true)
    }

    func testRandomBlocksMatchSwiftTwin() throws {
        try XCTSkipUnless(Dequant.decodesToBF16, "no AVX512_BF16/F16C: the Swift decoder is used")
        var rng = Xoshiro256(seed: 23)
        for dtype in Self.decoded {
            let blocks = dtype.blockSize == 1 ? 1000 : 8192 / dtype.blockSize       // odd length for the halves
            let count = blocks * dtype.blockSize
            let size = dtype.byteCount(elements: count)!
            // Scales: as random bits, then the extreme halves, then 0.01 (normal values only).
            for round in 0..<3 {
                var bytes = (0..<size).map { _ in UInt8(truncatingIfNeeded: rng.next()) }
                for b in 0..<blocks where round > 0 {
                    for (k, o) in Self.scaleOffsets(dtype).enumerated() {
                        let h = round == 1 ? Self.extremeHalves[(b * 7 + k * 3) % Self.extremeHalves.count] : 0x211F
                        bytes[b * dtype.blockBytes + o] = UInt8(h & 0xFF)
                        bytes[b * dtype.blockBytes + o + 1] = UInt8(h >> 8)
                    }
                }
                let (swift, c) = Self.decodeBoth(dtype, bytes, count: count)
                XCTAssertNil(Self.firstDifference(swift, c), "\(dtype) round \(round)")
                if round == 1 && dtype.blockSize > 1 {
                    let nans = swift.filter { BF16Products.widen($0).isNaN }.count
                    let infinities = swift.filter { BF16Products.widen($0).isInfinite }.count
                    let negativeZeros = swift.filter { $0 == 0x8000 }.count
                    XCTAssertTrue(nans > 0 && infinities > 0, "\(dtype): the extreme scales make NaN and ±inf (\(nans), \(infinities))")
                    if Self.scaleOffsets(dtype).count == 1 || dtype == .q4_K {
                        XCTAssertGreaterThan(negativeZeros, 0, "\(dtype): d = −0 makes −0")
                    }
                }
            }
        }
    }

    /// Every half and bfloat16 pattern (zeros, subnormals, infinities, NaNs), at lengths that leave every tail.
    func testEveryHalfPatternAndTails() throws {
        try XCTSkipUnless(Dequant.decodesToBF16, "no AVX512_BF16/F16C")
        let all = (0..<65536).flatMap { [UInt8($0 & 0xFF), UInt8($0 >> 8)] }
        for dtype in [DType.f16, .bf16] {
            let (swift, c) = Self.decodeBoth(dtype, all, count: 65536)
            XCTAssertNil(Self.firstDifference(swift, c), "\(dtype) every pattern")
            for count in [1, 2, 15, 16, 17, 31, 32, 33, 63, 65, 100] {
                let start = 2 * ((count * 977) % 60000)
                let (s, c) = Self.decodeBoth(dtype, Array(all[start..<(start + 2 * count)]), count: count)
                XCTAssertNil(Self.firstDifference(s, c), "\(dtype) \(count) elements")
            }
        }
    }

    /// Types without a decoder, and the decoders switched off, write nothing and say so.
    func testNoDecoderWritesNothing() {
        let bytes = [UInt8](repeating: 0x3C, count: 4 * 256)
        var out = [UInt16](repeating: 7, count: 256)
        for dtype in [DType.f32] {
            XCTAssertFalse(Dequant.hasBF16Decoder(dtype))
            XCTAssertFalse(Dequant.decodeBF16Unchecked(dtype, bytes, count: 256, into: &out))
        }
        Dequant.setBF16Decoders(false)
        defer { Dequant.setBF16Decoders(true) }
        XCTAssertFalse(Dequant.decodesToBF16)
        XCTAssertFalse(Dequant.decodeBF16Unchecked(.q8_0, bytes, count: 256, into: &out))
        XCTAssertEqual(Set(out), [7])
    }
}
