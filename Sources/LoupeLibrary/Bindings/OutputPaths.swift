import LoupeNotebook
import LoupeInterpreter
import Foundation

/// Where relative paths that code writes to (fig.save, view.save, save, t.to_csv) land: under the run's
/// output folder for `loupe run` (so a report and everything its notebook wrote sit together), else the
/// current directory. Parent folders are created as needed.
extension Interpreter {
    private static var outputDirectories: [ObjectIdentifier: URL] = [:]
    private static let outputLock = NSLock()

    /// The folder relative output paths resolve against (nil: the current directory).
    public var outputDirectory: URL? {
        get {
            Self.outputLock.lock(); defer { Self.outputLock.unlock() }
            return Self.outputDirectories[ObjectIdentifier(self)]
        }
        set {
            Self.outputLock.lock(); defer { Self.outputLock.unlock() }
            Self.outputDirectories[ObjectIdentifier(self)] = newValue
        }
    }

    /// An absolute URL for a path the code is about to write, with its parent folder created.
    public func outputURL(_ path: String) throws -> URL {
        let expanded = (path as NSString).expandingTildeInPath
        let url: URL
        if expanded.hasPrefix("/") {
            url = URL(fileURLWithPath: expanded)
        } else {
            let base = outputDirectory ?? URL(fileURLWithPath: FileManager.default.currentDirectoryPath)
            url = base.appendingPathComponent(expanded)
        }
        do {
            try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
        } catch {
            throw LoupeError("cannot create the folder for \(url.path): \(error.localizedDescription)")
        }
        return url.standardizedFileURL
    }
}
