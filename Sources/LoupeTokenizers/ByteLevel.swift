/// GPT-2's reversible byte-to-character map (`bytes_to_unicode`): printable Latin-1 bytes stand for
/// themselves, the other 68 bytes are shifted to U+0100... so every byte is a visible character.
enum ByteLevel {
    /// byte -> the character that spells it in a byte-level vocabulary.
    static let byteToScalar: [Unicode.Scalar] = {
        var table = [Unicode.Scalar](repeating: " ", count: 256)
        var next: UInt32 = 256
        for byte in 0..<256 {
            let printable = (33...126).contains(byte) || (161...172).contains(byte) || (174...255).contains(byte)
            if printable {
                table[byte] = Unicode.Scalar(UInt8(byte))
            } else {
                table[byte] = Unicode.Scalar(next) ?? " "
                next += 1
            }
        }
        return table
    }()

    /// character value -> byte, for decoding; characters outside the alphabet map to nil.
    static let scalarToByte: [UInt32: UInt8] = {
        var map: [UInt32: UInt8] = [:]
        for (byte, scalar) in byteToScalar.enumerated() { map[scalar.value] = UInt8(byte) }
        return map
    }()

    /// The byte-level spelling of some UTF-8 bytes.
    static func spell<S: Sequence>(_ bytes: S) -> String where S.Element == UInt8 {
        var out = String.UnicodeScalarView()
        for byte in bytes { out.append(byteToScalar[Int(byte)]) }
        return String(out)
    }

    /// The bytes a byte-level token stands for, or nil if it uses a character outside the alphabet
    /// (an added token such as "<|im_start|>" written in plain text decodes as its own UTF-8 then).
    static func bytes(of token: String) -> [UInt8]? {
        var out: [UInt8] = []
        out.reserveCapacity(token.unicodeScalars.count)
        for scalar in token.unicodeScalars {
            guard let byte = scalarToByte[scalar.value] else { return nil }
            out.append(byte)
        }
        return out
    }

    /// Whether every character of `token` is in the byte alphabet.
    static func isSpelled(_ token: String) -> Bool {
        token.unicodeScalars.allSatisfy { scalarToByte[$0.value] != nil }
    }
}
