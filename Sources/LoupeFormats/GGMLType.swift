import LoupeTensor

/// ggml's tensor type numbers (ggml.h `enum ggml_type`) and which of them Loupe can load.
public enum GGMLType {
    /// The DType for a ggml type number, or nil when Loupe cannot load it.
    public static func dtype(_ type: UInt32) -> DType? {
        switch type {
        case 0: return .f32
        case 1: return .f16
        case 2: return .q4_0
        case 3: return .q4_1
        case 6: return .q5_0
        case 7: return .q5_1
        case 8: return .q8_0
        case 10: return .q2_K
        case 11: return .q3_K
        case 12: return .q4_K
        case 13: return .q5_K
        case 14: return .q6_K
        case 30: return .bf16
        default: return nil
        }
    }

    /// The ggml type number for a DType (the inverse of `dtype`).
    public static func number(_ dtype: DType) -> UInt32 {
        switch dtype {
        case .f32: return 0
        case .f16: return 1
        case .q4_0: return 2
        case .q4_1: return 3
        case .q5_0: return 6
        case .q5_1: return 7
        case .q8_0: return 8
        case .q2_K: return 10
        case .q3_K: return 11
        case .q4_K: return 12
        case .q5_K: return 13
        case .q6_K: return 14
        case .bf16: return 30
        }
    }

    /// ggml's name for a type number, for error messages ("type 16 (IQ2_XXS)").
    public static func name(_ type: UInt32) -> String? {
        let names: [UInt32: String] = [
            0: "F32", 1: "F16", 2: "Q4_0", 3: "Q4_1", 4: "Q4_2 (removed)", 5: "Q4_3 (removed)", 6: "Q5_0",
            7: "Q5_1", 8: "Q8_0", 9: "Q8_1", 10: "Q2_K", 11: "Q3_K", 12: "Q4_K", 13: "Q5_K", 14: "Q6_K",
            15: "Q8_K", 16: "IQ2_XXS", 17: "IQ2_XS", 18: "IQ3_XXS", 19: "IQ1_S", 20: "IQ4_NL", 21: "IQ3_S",
            22: "IQ2_S", 23: "IQ4_XS", 24: "I8", 25: "I16", 26: "I32", 27: "I64", 28: "F64", 29: "IQ1_M",
            30: "BF16", 31: "Q4_0_4_4 (removed)", 32: "Q4_0_4_8 (removed)", 33: "Q4_0_8_8 (removed)",
            34: "TQ1_0", 35: "TQ2_0", 39: "MXFP4",
        ]
        return names[type]
    }
}
