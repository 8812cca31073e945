import LoupeNotebook
import LoupeInterpreter
import Foundation

/// Which models a session loaded, for the report footer (`interp.modelsUsed`).
extension Interpreter {
    private static var used: [ObjectIdentifier: [String]] = [:]
    private static let lock = NSLock()

    func noteModel(_ summary: String) {
        Self.lock.lock(); defer { Self.lock.unlock() }
        let key = ObjectIdentifier(self)
        if !(Self.used[key] ?? []).contains(summary) { Self.used[key, default: []].append(summary) }
    }

    /// Summaries of the models `load` returned in this interpreter, in load order.
    public var modelsUsed: [String] {
        Self.lock.lock(); defer { Self.lock.unlock() }
        return Self.used[ObjectIdentifier(self)] ?? []
    }
}
