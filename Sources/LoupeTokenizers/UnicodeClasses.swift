/// The character classes the pre-tokenizer regexes of GPT-2, Llama 3 and Qwen2 use, computed the way
/// Oniguruma (Hugging Face `tokenizers`' regex engine) sees them: `\s` is the Unicode White_Space
/// property, `\p{L}` the letter categories (Lu Ll Lt Lm Lo), `\p{N}` the number categories (Nd Nl No).
enum ScalarClass: UInt8 {
    case other = 0
    case letter = 1
    case number = 2
    case space = 3
}

enum UnicodeClasses {
    /// ASCII is looked up in a table; everything else asks the Unicode properties.
    static let ascii: [ScalarClass] = (0..<128).map { classify(Unicode.Scalar(UInt8($0))) }

    @inline(__always)
    static func of(_ scalar: Unicode.Scalar) -> ScalarClass {
        scalar.value < 128 ? ascii[Int(scalar.value)] : classify(scalar)
    }

    static func classify(_ scalar: Unicode.Scalar) -> ScalarClass {
        let properties = scalar.properties
        if properties.isWhitespace { return .space }
        switch properties.generalCategory {
        case .uppercaseLetter, .lowercaseLetter, .titlecaseLetter, .modifierLetter, .otherLetter:
            return .letter
        case .decimalNumber, .letterNumber, .otherNumber:
            return .number
        default:
            return .other
        }
    }

    /// Rust's `char::is_numeric` (used by the Digits pre-tokenizer): the N categories.
    @inline(__always)
    static func isNumeric(_ scalar: Unicode.Scalar) -> Bool { of(scalar) == .number }

    /// Rust's `char::is_whitespace`: the White_Space property.
    @inline(__always)
    static func isWhitespace(_ scalar: Unicode.Scalar) -> Bool { of(scalar) == .space }

    /// What `tokenizers` counts as part of a word for `single_word` added tokens.
    static func isWordCharacter(_ scalar: Unicode.Scalar) -> Bool {
        if scalar == "_" { return true }
        return scalar.properties.isAlphabetic || of(scalar) == .number
    }
}
