// ZIP layout, as far as a PyTorch checkpoint needs it (APPNOTE.TXT 6.3; torch.save writes stored,
// 64-byte-aligned entries with ZIP64 fields once an entry or offset passes 4 GiB):
//   [local header 0x04034b50: u16 version, u16 flags, u16 method, u16 time, u16 date, u32 crc,
//    u32 compressed, u32 uncompressed, u16 name length, u16 extra length, name, extra | data] …
//   central directory: [0x02014b50: u16 made-by, u16 version, u16 flags, u16 method, u16 time, u16 date,
//    u32 crc, u32 compressed, u32 uncompressed, u16 name, u16 extra, u16 comment, u16 disk,
//    u16 internal, u32 external, u32 local-header offset, name, extra, comment] …
//   [ZIP64 end record 0x06064b50 … | ZIP64 locator 0x07064b50: u32 disk, u64 end-record offset, u32 disks]
//   end record 0x06054b50: u16 disk, u16 cd disk, u16 entries here, u16 entries, u32 cd size,
//    u32 cd offset, u16 comment length, comment
// A 0xFFFF/0xFFFFFFFF field means "see the ZIP64 extra field (id 0x0001)", which holds, in order, only
// the fields that overflowed: uncompressed, compressed, local-header offset.

/// The entries of a ZIP archive in a mapped file: each entry's name and where its stored bytes lie.
/// Only stored (uncompressed, unencrypted) entries can be mapped; others are listed with their method so
/// the reader that needs them can refuse by name. CRCs are not checked (that would read every byte).
public struct ZipDirectory {
    public struct Entry: Sendable {
        public let name: String
        /// 0 stored, 8 deflate, …
        public let method: UInt16
        public let encrypted: Bool
        public let compressedSize: Int
        public let uncompressedSize: Int
        /// Absolute offset of the local header.
        public let localHeaderOffset: Int
    }

    public let file: String
    public let entries: [Entry]
    private let byName: [String: Int]
    private let bytes: UnsafeRawBufferPointer

    static let endSignature: UInt32 = 0x0605_4b50
    static let zip64LocatorSignature: UInt32 = 0x0706_4b50
    static let zip64EndSignature: UInt32 = 0x0606_4b50
    static let centralSignature: UInt32 = 0x0201_4b50
    static let localSignature: UInt32 = 0x0403_4b50

    /// True when the bytes start like a ZIP archive (a local header or an empty archive's end record).
    public static func looksLikeZip(_ bytes: UnsafeRawBufferPointer) -> Bool {
        guard bytes.count >= 4 else { return false }
        let sig = UInt32(littleEndian: bytes.loadUnaligned(as: UInt32.self))
        return sig == localSignature || sig == endSignature
    }

    public init(_ bytes: UnsafeRawBufferPointer, file: String) throws {
        self.file = file
        self.bytes = bytes
        var r = ByteReader(bytes, file: file)
        let end = try ZipDirectory.findEnd(bytes, file: file)
        try r.seek(to: end + 4)
        _ = try r.u16("end record disk number")
        _ = try r.u16("end record central-directory disk")
        _ = try r.u16("end record entries on this disk")
        var count = Int(try r.u16("end record entry count"))
        var cdSize = Int(try r.u32("central directory size"))
        var cdOffset = Int(try r.u32("central directory offset"))
        // ZIP64: the locator sits just before the end record.
        if end >= 20, UInt32(littleEndian: bytes.loadUnaligned(fromByteOffset: end - 20, as: UInt32.self)) == ZipDirectory.zip64LocatorSignature {
            var l = ByteReader(bytes, file: file, position: end - 12)
            let recordOffset = try l.u64("ZIP64 end-record offset")
            guard recordOffset <= UInt64(bytes.count) else {
                throw r.error(.outOfRange, at: end - 12, "ZIP64 end-record offset \(recordOffset) is past the end of the \(bytes.count)-byte file",
                              hint: "the file is truncated")
            }
            var z = ByteReader(bytes, file: file, position: Int(recordOffset))
            guard try z.u32("ZIP64 end-record signature") == ZipDirectory.zip64EndSignature else {
                throw z.error(.badMagic, at: Int(recordOffset), "no ZIP64 end record where the locator points")
            }
            _ = try z.u64("ZIP64 end-record size")
            _ = try z.u16("ZIP64 made-by"); _ = try z.u16("ZIP64 version needed")
            _ = try z.u32("ZIP64 disk number"); _ = try z.u32("ZIP64 central-directory disk")
            _ = try z.u64("ZIP64 entries on this disk")
            count = try ZipDirectory.int(z.u64("ZIP64 entry count"), "ZIP64 entry count", z)
            cdSize = try ZipDirectory.int(z.u64("ZIP64 central directory size"), "ZIP64 central directory size", z)
            cdOffset = try ZipDirectory.int(z.u64("ZIP64 central directory offset"), "ZIP64 central directory offset", z)
        }
        guard cdOffset <= bytes.count, cdSize <= bytes.count - cdOffset else {
            throw r.error(.outOfRange, "central directory [\(cdOffset), +\(cdSize)) runs past the end of the \(bytes.count)-byte file",
                          hint: "the file is truncated")
        }
        // Each central entry takes at least 46 bytes: this bounds the count before anything is allocated.
        guard count <= cdSize / 46 else {
            throw r.error(.tooLarge, "\(count) entries cannot fit in a \(cdSize)-byte central directory")
        }
        var c = ByteReader(UnsafeRawBufferPointer(rebasing: bytes[0..<(cdOffset + cdSize)]), file: file, position: cdOffset)
        var entries: [Entry] = []
        var byName: [String: Int] = [:]
        entries.reserveCapacity(count)
        for i in 0..<count {
            let at = c.position
            guard try c.u32("central entry \(i) signature") == ZipDirectory.centralSignature else {
                throw c.error(.badMagic, at: at, "central directory entry \(i) has a bad signature")
            }
            _ = try c.u16("made-by"); _ = try c.u16("version needed")
            let flags = try c.u16("flags")
            let method = try c.u16("compression method")
            _ = try c.u16("time"); _ = try c.u16("date"); _ = try c.u32("crc")
            var compressed = UInt64(try c.u32("compressed size"))
            var uncompressed = UInt64(try c.u32("uncompressed size"))
            let nameLength = Int(try c.u16("name length"))
            let extraLength = Int(try c.u16("extra length"))
            let commentLength = Int(try c.u16("comment length"))
            _ = try c.u16("disk"); _ = try c.u16("internal attributes"); _ = try c.u32("external attributes")
            var local = UInt64(try c.u32("local header offset"))
            let name = try c.utf8(nameLength, "entry \(i) name")
            let extra = try c.raw(extraLength, "entry '\(name)' extra field")
            _ = try c.raw(commentLength, "entry '\(name)' comment")
            var e = ByteReader(extra, file: file)
            while e.remaining >= 4 {
                let id = try e.u16("extra field id"), size = Int(try e.u16("extra field size"))
                var body = ByteReader(try e.raw(size, "entry '\(name)' extra field \(id)"), file: file)
                guard id == 1 else { continue }
                if uncompressed == 0xFFFF_FFFF { uncompressed = try body.u64("entry '\(name)' ZIP64 uncompressed size") }
                if compressed == 0xFFFF_FFFF { compressed = try body.u64("entry '\(name)' ZIP64 compressed size") }
                if local == 0xFFFF_FFFF { local = try body.u64("entry '\(name)' ZIP64 local-header offset") }
            }
            guard local <= UInt64(bytes.count), compressed <= UInt64(bytes.count), uncompressed <= UInt64(Int.max) else {
                throw c.error(.outOfRange, at: at, item: name,
                              "local header offset \(local) or size \(compressed) lies past the end of the \(bytes.count)-byte file",
                              hint: "the file is truncated")
            }
            if byName[name] != nil {
                throw c.error(.duplicate, at: at, item: name, "two archive entries have this name")
            }
            byName[name] = entries.count
            entries.append(Entry(name: name, method: method, encrypted: flags & 1 != 0, compressedSize: Int(compressed),
                                 uncompressedSize: Int(uncompressed), localHeaderOffset: Int(local)))
        }
        self.entries = entries
        self.byName = byName
    }

    public func entry(_ name: String) -> Entry? { byName[name].map { entries[$0] } }

    /// The absolute byte range of a stored entry's data, checked against its local header and the file.
    public func dataRange(_ entry: Entry) throws -> Range<Int> {
        guard entry.method == 0, !entry.encrypted else {
            let what = entry.encrypted ? "encrypted" : "compressed (method \(entry.method))"
            throw FormatError(.unsupportedFormat, file: file, offset: entry.localHeaderOffset, item: entry.name,
                              "the archive entry is \(what); only stored entries can be mapped",
                              hint: "re-save with torch.save, which stores entries uncompressed")
        }
        guard entry.compressedSize == entry.uncompressedSize else {
            throw FormatError(.invalidValue, file: file, offset: entry.localHeaderOffset, item: entry.name,
                              "stored entry has compressed size \(entry.compressedSize) but uncompressed size \(entry.uncompressedSize)")
        }
        var r = ByteReader(bytes, file: file)
        try r.seek(to: entry.localHeaderOffset)
        guard try r.u32("local header signature of '\(entry.name)'") == ZipDirectory.localSignature else {
            throw r.error(.badMagic, at: entry.localHeaderOffset, item: entry.name, "no local header where the central directory points")
        }
        try r.seek(to: entry.localHeaderOffset + 26)
        let nameLength = Int(try r.u16("local name length")), extraLength = Int(try r.u16("local extra length"))
        let start = r.position + nameLength + extraLength
        guard start <= bytes.count, entry.compressedSize <= bytes.count - start else {
            throw FormatError(.truncated, file: file, offset: start, item: entry.name,
                              "entry data of \(entry.compressedSize) bytes runs past the end of the \(bytes.count)-byte file",
                              hint: "the file is truncated")
        }
        return start..<(start + entry.compressedSize)
    }

    /// The stored bytes of an entry (no copy).
    public func data(_ entry: Entry) throws -> UnsafeRawBufferPointer {
        UnsafeRawBufferPointer(rebasing: bytes[try dataRange(entry)])
    }

    /// The end record: the last signature within the final 22 + 65535 bytes (the comment's maximum).
    static func findEnd(_ bytes: UnsafeRawBufferPointer, file: String) throws -> Int {
        let n = bytes.count
        guard n >= 22 else {
            throw FormatError(.truncated, file: file, offset: 0, "\(n) bytes cannot hold a ZIP end record (22 bytes)",
                              hint: "the file is truncated or not a ZIP archive")
        }
        var i = n - 22
        let stop = max(0, n - 22 - 65535)
        while i >= stop {
            if UInt32(littleEndian: bytes.loadUnaligned(fromByteOffset: i, as: UInt32.self)) == endSignature { return i }
            i -= 1
        }
        throw FormatError(.truncated, file: file, offset: n, "no ZIP end record in the last \(n - stop) bytes",
                          hint: "the file is truncated or not a ZIP archive")
    }

    static func int(_ v: UInt64, _ field: String, _ r: ByteReader) throws -> Int {
        guard v <= UInt64(Int.max) else { throw r.error(.tooLarge, "\(field) \(v) is too large") }
        return Int(v)
    }
}
