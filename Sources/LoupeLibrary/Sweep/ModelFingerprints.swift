import Foundation
import LoupeInterpreter

/// Which models a sweep ran on, as `summary @ file fingerprints`: the models held by the notebook's
/// globals when `sweep(...)` is called. Shards and their merge must agree on it.
enum ModelFingerprints {
    private static var cache: [String: String] = [:]
    private static let lock = NSLock()

    static func of(_ interpreter: Interpreter) -> [String] {
        var found: [String: ModelObject] = [:]
        for name in interpreter.completions(for: "") {
            if case .host(let h)? = interpreter.lookup(name), let m = h as? ModelObject { found[m.source] = m }
        }
        return found.keys.sorted().map { source in "\(found[source]!.summary) @ \(fingerprint(source))" }
    }

    /// The file's fingerprint, or each regular file's in a model folder (sorted by name).
    static func fingerprint(_ path: String) -> String {
        lock.lock()
        if let known = cache[path] { lock.unlock(); return known }
        lock.unlock()
        let fm = FileManager.default
        var isDirectory: ObjCBool = false
        var parts: [String] = []
        if fm.fileExists(atPath: path, isDirectory: &isDirectory), isDirectory.boolValue {
            let names = ((try? fm.contentsOfDirectory(atPath: path)) ?? []).filter { !$0.hasPrefix(".") }.sorted()
            for name in names {
                let url = URL(fileURLWithPath: path).appendingPathComponent(name)
                var sub: ObjCBool = false
                guard fm.fileExists(atPath: url.path, isDirectory: &sub), !sub.boolValue else { continue }
                parts.append("\(name)=\((try? Digest.fingerprint(file: url)) ?? "unreadable")")
            }
        } else {
            parts.append((try? Digest.fingerprint(file: URL(fileURLWithPath: path))) ?? "unreadable")
        }
        let result = Digest.sha256(parts.joined(separator: "\n"))
        lock.lock(); cache[path] = result; lock.unlock()
        return result
    }
}
