import Foundation
import LoupeFormats

// The report writes its JSON (view data, .ipynb files) with LoupeFormats' `JSONValue` and `JSONWriter`:
// keys in insertion order and the same bytes for the same document (golden files, stable .ipynb diffs);
// view data in the `.script` style.

extension JSONValue {
    /// An object from key/value pairs in the order given.
    static func pairs(_ pairs: [(String, JSONValue)]) -> JSONValue { .object(JSONObject(uniquing: pairs)) }

    /// `d` rounded to `decimals` places, for compact data; null when not finite.
    static func rounded(_ d: Double, decimals: Int) -> JSONValue {
        guard d.isFinite else { return .null }
        let scale = pow(10.0, Double(decimals))
        return .double((d * scale).rounded() / scale)
    }
}
