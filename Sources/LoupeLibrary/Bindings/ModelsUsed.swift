import LoupeNotebook
import LoupeInterpreter
import Foundation

/// Which models a session loaded, for the report footer (`interp.modelsUsed`).
extension Interpreter {
    /// One interpreter's list; the weak reference tells a live interpreter from a freed one whose address
    /// (and so ObjectIdentifier) a new interpreter reuses.
    private final class Entry {
        weak var interpreter: Interpreter?
        var models: [String] = []
        init(_ interpreter: Interpreter) { self.interpreter = interpreter }
    }
    private static var used: [ObjectIdentifier: Entry] = [:]
    private static let lock = NSLock()

    func noteModel(_ summary: String) {
        Self.lock.lock(); defer { Self.lock.unlock() }
        let key = ObjectIdentifier(self)
        let entry = Self.used[key].flatMap { $0.interpreter === self ? $0 : nil } ?? Entry(self)
        Self.used[key] = entry
        if !entry.models.contains(summary) { entry.models.append(summary) }
    }

    /// Summaries of the models `load` returned in this interpreter, in load order.
    public var modelsUsed: [String] {
        Self.lock.lock(); defer { Self.lock.unlock() }
        guard let entry = Self.used[ObjectIdentifier(self)], entry.interpreter === self else { return [] }
        return entry.models
    }
}
