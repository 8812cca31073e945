import Foundation
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A whole file mapped read-only into memory (mmap, MAP_PRIVATE). Nothing is read or copied until a page
/// is touched; the mapping lives as long as this object. Views (`buffer`, slices of it) must not
/// outlive it.
public final class MappedFile: @unchecked Sendable {
    public let url: URL
    /// Every byte of the file. Empty (with a nil base address) for an empty file.
    public let buffer: UnsafeRawBufferPointer
    private let base: UnsafeMutableRawPointer?
    private let length: Int
    private let isHeapCopy: Bool

    public var count: Int { length }
    public var path: String { url.path }

    public init(url: URL) throws {
        self.url = url
        isHeapCopy = false
        let path = url.path
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        if fd < 0 {
            let code = errno
            if code == ENOENT {
                throw FormatError(.notFound, file: path, "no such file", hint: "check the path")
            }
            throw FormatError(.unreadable, file: path, "cannot open: \(String(cString: strerror(code)))")
        }
        defer { close(fd) }
        var st = stat()
        guard fstat(fd, &st) == 0 else {
            throw FormatError(.unreadable, file: path, "cannot stat: \(String(cString: strerror(errno)))")
        }
        guard (st.st_mode & S_IFMT) == S_IFREG else {
            throw FormatError(.unreadable, file: path, "not a regular file")
        }
        let size = Int(st.st_size)
        length = size
        if size == 0 {
            base = nil
            buffer = UnsafeRawBufferPointer(start: nil, count: 0)
            return
        }
        let p = mmap(nil, size, PROT_READ, MAP_PRIVATE, fd, 0)
        guard let p, p != MAP_FAILED else {
            throw FormatError(.unreadable, file: path, "cannot map \(size) bytes: \(String(cString: strerror(errno)))")
        }
        base = p
        buffer = UnsafeRawBufferPointer(start: p, count: size)
    }

    public convenience init(path: String) throws { try self.init(url: URL(fileURLWithPath: path)) }

    /// An in-memory stand-in holding a copy of `bytes` (bytes already read, tests that parse thousands of
    /// variants); `url` names it in errors.
    public convenience init(copying data: Data, url: URL) {
        self.init(copying: [UInt8](data), url: url)
    }

    public init(copying bytes: [UInt8], url: URL) {
        self.url = url
        isHeapCopy = true
        length = bytes.count
        let p = UnsafeMutableRawPointer.allocate(byteCount: max(bytes.count, 1), alignment: 64)
        bytes.withUnsafeBytes { if let src = $0.baseAddress { p.copyMemory(from: src, byteCount: bytes.count) } }
        base = p
        buffer = UnsafeRawBufferPointer(start: p, count: bytes.count)
    }

    deinit {
        guard let base else { return }
        if isHeapCopy { base.deallocate() } else { munmap(base, length) }
    }
}
