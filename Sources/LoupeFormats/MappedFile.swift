import Foundation
import CKernels
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A whole file mapped read-only into memory (mmap, MAP_PRIVATE). Nothing is read or copied until a page
/// is touched; the mapping lives as long as this object. Views (`buffer`, slices of it) must not
/// outlive it.
///
/// A mapping reads the file as it is now, so the file must not change under it: a truncated file makes
/// the next read of a lost page a SIGBUS, and bytes written in place show through. So every mapped file
/// is listed in `MappedFiles` (by device and inode, with who holds it: `save` refuses to write over one),
/// and `checkIntact()` (at the start and end of each forward pass) turns a file changed on disk into an
/// error. A file truncated while being read (mid-pass, by another process) would make the read a
/// SIGBUS: the mapping is registered with the handler in CKernels/mapped_faults.c, which maps zeros over
/// the lost page and counts the fault; `checkIntact()` then reports the file instead of a crash.
public final class MappedFile: @unchecked Sendable {
    public let url: URL
    /// Every byte of the file. Empty (with a nil base address) for an empty file.
    public let buffer: UnsafeRawBufferPointer
    private let base: UnsafeMutableRawPointer?
    private let length: Int
    private let isHeapCopy: Bool
    /// Kept open so `checkIntact` sees this inode's size and times even if the path is replaced.
    private let fd: Int32
    let identity: MappedFiles.Identity?
    /// The mapping's slot in the SIGBUS handler's table (-1: not registered).
    private let faultSlot: Int32
    /// The file's modification time when mapped (seconds, nanoseconds).
    private let modified: (Int, Int)
    /// What holds the mapping ("the model at …"), for errors; set by `MappedFiles.holding`.
    public let holder: String?

    private var registeredHolder: String { holder ?? "a file Loupe has open (\(url.path))" }

    public var count: Int { length }
    public var path: String { url.path }

    public init(url: URL) throws {
        self.url = url
        isHeapCopy = false
        let path = url.path
        // O_NONBLOCK: opening a FIFO must not wait for a writer; it is refused below
        let fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK)
        if fd < 0 {
            let code = errno
            if code == ENOENT {
                throw FormatError(.notFound, file: path, "no such file", hint: "check the path")
            }
            throw FormatError(.unreadable, file: path, "cannot open: \(String(cString: strerror(code)))")
        }
        var st = stat()
        guard fstat(fd, &st) == 0 else {
            let code = errno
            close(fd)
            throw FormatError(.unreadable, file: path, "cannot stat: \(String(cString: strerror(code)))")
        }
        guard (st.st_mode & S_IFMT) == S_IFREG else {
            close(fd)
            throw FormatError(.unreadable, file: path, "is \(MappedFiles.kindName(st.st_mode)), not a regular file")
        }
        let size = Int(st.st_size)
        length = size
        if size == 0 {
            close(fd)
            self.fd = -1
            base = nil
            buffer = UnsafeRawBufferPointer(start: nil, count: 0)
            identity = nil
            holder = nil
            modified = (0, 0)
            faultSlot = -1
            return
        }
        let p = mmap(nil, size, PROT_READ, MAP_PRIVATE, fd, 0)
        guard let p, p != MAP_FAILED else {
            let code = errno
            close(fd)
            throw FormatError(.unreadable, file: path, "cannot map \(size) bytes: \(String(cString: strerror(code)))")
        }
        self.fd = fd
        base = p
        buffer = UnsafeRawBufferPointer(start: p, count: size)
        faultSlot = loupe_mapping_register(p, size)
        let id = MappedFiles.Identity(st)
        identity = id
        modified = MappedFiles.modificationTime(st)
        holder = MappedFiles.currentHolder
        MappedFiles.add(id, holder: registeredHolder)
    }

    /// Throws when the file changed on disk since it was mapped (truncated, or written in place), before
    /// a read of it could crash or return other bytes. An fstat: about a microsecond.
    public func checkIntact() throws {
        guard fd >= 0 else { return }
        let faults = loupe_mapping_faults(faultSlot)
        if faults > 0 {
            throw FormatError(.truncated, file: path,
                              "changed on disk while it was being read (truncated by another process: \(faults) page\(faults == 1 ? "" : "s") of it read as zeros, so those results are not used)",
                              hint: "load the model again")
        }
        var st = stat()
        guard fstat(fd, &st) == 0 else { return }
        if Int(st.st_size) < length {
            throw FormatError(.truncated, file: path,
                              "was truncated on disk after it was loaded (\(length) bytes then, \(st.st_size) now)",
                              hint: "load the model again")
        }
        if MappedFiles.modificationTime(st) != modified || Int(st.st_size) != length {
            throw FormatError(.invalidValue, file: path, "was written to on disk after it was loaded",
                              hint: "load the model again")
        }
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
        fd = -1
        identity = nil
        holder = nil
        modified = (0, 0)
        faultSlot = -1
        length = bytes.count
        let p = UnsafeMutableRawPointer.allocate(byteCount: max(bytes.count, 1), alignment: 64)
        bytes.withUnsafeBytes { if let src = $0.baseAddress { p.copyMemory(from: src, byteCount: bytes.count) } }
        base = p
        buffer = UnsafeRawBufferPointer(start: p, count: bytes.count)
    }

    deinit {
        if let identity { MappedFiles.remove(identity, holder: registeredHolder) }
        if fd >= 0 { close(fd) }
        loupe_mapping_unregister(faultSlot)
        guard let base else { return }
        if isHeapCopy { base.deallocate() } else { munmap(base, length) }
    }
}
