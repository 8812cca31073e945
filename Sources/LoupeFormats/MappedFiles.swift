import Foundation
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The process's mapped files, by device and inode (a path can be a symlink, a hard link or a
/// relative spelling of the same file), each with who holds it. `save` asks `holder(ofPath:)` before
/// writing: writing over a mapped file would change or truncate the bytes a loaded model reads.
public enum MappedFiles {
    struct Identity: Hashable, Sendable {
        let device: UInt64
        let inode: UInt64
        init(_ st: stat) { device = UInt64(st.st_dev); inode = UInt64(st.st_ino) }
    }

    nonisolated(unsafe) private static var holders: [Identity: [String]] = [:]
    private static let lock = NSLock()
    private static let holderKey = "loupe.MappedFiles.holder"

    static func add(_ id: Identity, holder: String) {
        lock.lock(); defer { lock.unlock() }
        holders[id, default: []].append(holder)
    }

    static func remove(_ id: Identity, holder: String) {
        lock.lock(); defer { lock.unlock() }
        guard var list = holders[id] else { return }
        if let i = list.firstIndex(of: holder) { list.remove(at: i) }
        holders[id] = list.isEmpty ? nil : list
    }

    /// Who holds a mapping of the file at `path` (following symlinks), or nil when nothing maps it.
    public static func holder(ofPath path: String) -> String? {
        var st = stat()
        guard stat(path, &st) == 0 else { return nil }
        lock.lock(); defer { lock.unlock() }
        return holders[Identity(st)]?.first
    }

    /// Runs `body` with the files it maps on this thread labelled as held by `holder` ("the model at …").
    public static func holding<T>(_ holder: String, _ body: () throws -> T) rethrows -> T {
        let dict = Thread.current.threadDictionary
        let saved = dict[holderKey]
        dict[holderKey] = holder
        defer { dict[holderKey] = saved }
        return try body()
    }

    static var currentHolder: String? { Thread.current.threadDictionary[holderKey] as? String }

    /// Checks every mapped file reachable from `sources` (weight sources, as a model keeps them).
    public static func checkIntact(_ sources: [AnyObject]) throws {
        for source in sources {
            for file in (source as? HoldsMappedFiles)?.mappedFiles ?? [] { try file.checkIntact() }
        }
    }

    static func modificationTime(_ st: stat) -> (Int, Int) {
        #if canImport(Darwin)
        return (Int(st.st_mtimespec.tv_sec), Int(st.st_mtimespec.tv_nsec))
        #else
        return (Int(st.st_mtim.tv_sec), Int(st.st_mtim.tv_nsec))
        #endif
    }

    /// "a FIFO", "a directory", … for a file that is not a regular file.
    public static func kindName(_ mode: mode_t) -> String {
        switch mode & S_IFMT {
        case S_IFDIR: return "a directory"
        case S_IFIFO: return "a FIFO (named pipe)"
        case S_IFCHR: return "a character device"
        case S_IFBLK: return "a block device"
        case S_IFSOCK: return "a socket"
        case S_IFLNK: return "a symbolic link"
        default: return "not a regular file"
        }
    }
}

/// A reader whose bytes live in mapped files.
public protocol HoldsMappedFiles: AnyObject {
    var mappedFiles: [MappedFile] { get }
}

extension GGUFFile: HoldsMappedFiles { public var mappedFiles: [MappedFile] { [mapped] } }
extension SafetensorsFile: HoldsMappedFiles { public var mappedFiles: [MappedFile] { [mapped] } }
extension PyTorchFile: HoldsMappedFiles { public var mappedFiles: [MappedFile] { [mapped] } }
extension ShardIndex: HoldsMappedFiles {
    public var mappedFiles: [MappedFile] { shards.flatMap { ($0 as? HoldsMappedFiles)?.mappedFiles ?? [] } }
}
extension JoinedShards: HoldsMappedFiles {
    public var mappedFiles: [MappedFile] { shards.flatMap { ($0 as? HoldsMappedFiles)?.mappedFiles ?? [] } }
}
