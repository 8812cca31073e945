import Foundation

/// Loads Tests/Fixtures/<relative> next to this test file.
func fixtureURL(_ relative: String) -> URL {
    URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("Fixtures").appendingPathComponent(relative)
}

func fixtureJSON(_ relative: String) throws -> [String: Any] {
    let data = try Data(contentsOf: fixtureURL(relative))
    return try JSONSerialization.jsonObject(with: data) as? [String: Any] ?? [:]
}

func floats(_ any: Any?) -> [Float] { (any as? [Double] ?? []).map(Float.init) }
