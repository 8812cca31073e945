import Foundation
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Reading a whole file that a script or command line names. Only regular files are read: opening a
/// FIFO waits for a writer forever and a device or socket never ends, so those are refused at once,
/// saying what the path is. The path is opened without blocking (O_NONBLOCK) and checked with fstat on
/// the open descriptor, so a path swapped between check and read cannot slip through.
public enum RegularFile {
    /// Every byte of the regular file at `path`.
    public static func read(_ path: String) throws -> Data {
        let fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK)
        if fd < 0 {
            let code = errno
            if code == ENOENT { throw FormatError(.notFound, file: path, "no such file", hint: "check the path") }
            throw FormatError(.unreadable, file: path, "cannot open: \(String(cString: strerror(code)))")
        }
        defer { close(fd) }
        var st = stat()
        guard fstat(fd, &st) == 0 else {
            throw FormatError(.unreadable, file: path, "cannot stat: \(String(cString: strerror(errno)))")
        }
        guard (st.st_mode & S_IFMT) == S_IFREG else {
            throw FormatError(.unreadable, file: path, "is \(MappedFiles.kindName(st.st_mode)), not a regular file",
                              hint: "give the path of a file")
        }
        var data = Data(count: max(0, Int(st.st_size)))
        var filled = 0
        while true {
            if filled == data.count { data.count += max(4096, data.count / 2) }  // the file grew
            let n = data.withUnsafeMutableBytes { raw -> Int in
                guard let base = raw.baseAddress else { return 0 }
                return readBytes(fd, base + filled, raw.count - filled)
            }
            if n < 0 {
                if errno == EINTR { continue }
                throw FormatError(.unreadable, file: path, "cannot read: \(String(cString: strerror(errno)))")
            }
            if n == 0 { break }
            filled += n
        }
        data.count = filled
        return data
    }

    /// The regular file at `path` as UTF-8 text (errors give the line and column of a bad byte).
    public static func text(_ path: String) throws -> String {
        try UTF8Text.decode(try read(path), file: path)
    }

    /// "a FIFO (named pipe)", "a directory", … when something other than a regular file is at `path`;
    /// nil for a regular file or nothing (writing there would block or fail on the former).
    public static func otherKind(at path: String) -> String? {
        var st = stat()
        guard stat(path, &st) == 0, (st.st_mode & S_IFMT) != S_IFREG else { return nil }
        return MappedFiles.kindName(st.st_mode)
    }

    /// Throws unless `path` is a regular file (stat follows symlinks; nothing is opened).
    public static func check(_ path: String) throws {
        var st = stat()
        guard stat(path, &st) == 0 else {
            let code = errno
            if code == ENOENT { throw FormatError(.notFound, file: path, "no such file", hint: "check the path") }
            throw FormatError(.unreadable, file: path, "cannot stat: \(String(cString: strerror(code)))")
        }
        guard (st.st_mode & S_IFMT) == S_IFREG else {
            throw FormatError(.unreadable, file: path, "is \(MappedFiles.kindName(st.st_mode)), not a regular file",
                              hint: "give the path of a file")
        }
    }
}

private func readBytes(_ fd: Int32, _ into: UnsafeMutableRawPointer, _ count: Int) -> Int { read(fd, into, count) }
