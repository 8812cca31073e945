/// Float→Int conversions that never trap: tensors store Float32, and an "int" tensor can hold inf/NaN
/// after a division by zero.
extension Float {
    /// The value as an Int when it is finite and in range.
    var exactInt: Int? {
        guard isFinite, abs(self) < 9.2e18 else { return nil }
        return Int(self)
    }

    /// The value as an Int, clamping ±inf and mapping NaN to 0 (for file output and display only).
    public var clampedInt64: Int64 {
        if isNaN { return 0 }
        if self >= 9.2e18 { return Int64.max }
        if self <= -9.2e18 { return Int64.min }
        return Int64(self)
    }
}

extension Value {
    /// A Float from an int-kind tensor as a Python value: an int when representable, else a float.
    static func fromIntElement(_ v: Float) -> Value {
        if let i = v.exactInt { return .int(i) }
        return .float(Double(v))
    }
}
