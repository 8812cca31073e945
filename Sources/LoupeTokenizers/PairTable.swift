/// The merge table: (left id, right id) -> (rank, merged id), open addressing with linear probing and
/// a multiplicative hash. BPE looks a pair up for every adjacent symbol pair it considers, so this is
/// the hottest lookup of encoding; Swift's Dictionary (SipHash) costs several times more per probe.
struct PairTable {
    struct Entry {
        var key: UInt64
        var rank: Int32
        var id: Int32
    }

    private static let empty = UInt64.max
    private var entries: [Entry]
    private var mask: Int
    private(set) var count = 0

    init(capacity: Int) {
        var size = 16
        while size < capacity * 2 { size <<= 1 }
        entries = [Entry](repeating: Entry(key: PairTable.empty, rank: 0, id: 0), count: size)
        mask = size - 1
    }

    @inline(__always)
    static func key(_ left: Int32, _ right: Int32) -> UInt64 {
        UInt64(UInt32(bitPattern: left)) << 32 | UInt64(UInt32(bitPattern: right))
    }

    @inline(__always)
    private func slot(_ key: UInt64) -> Int {
        Int(truncatingIfNeeded: (key &* 0x9E37_79B9_7F4A_7C15) >> 40) & mask
    }

    /// Insert or overwrite (a repeated pair keeps its last rank, as `tokenizers` does).
    mutating func set(_ key: UInt64, rank: Int32, id: Int32) {
        if (count + 1) * 2 > entries.count { grow() }
        var index = slot(key)
        while true {
            if entries[index].key == PairTable.empty {
                entries[index] = Entry(key: key, rank: rank, id: id)
                count += 1
                return
            }
            if entries[index].key == key {
                entries[index].rank = rank
                entries[index].id = id
                return
            }
            index = (index + 1) & mask
        }
    }

    /// Double the slots and re-insert, keeping the table at most half full.
    private mutating func grow() {
        let old = entries
        entries = [Entry](repeating: Entry(key: PairTable.empty, rank: 0, id: 0), count: old.count * 2)
        mask = entries.count - 1
        count = 0
        for entry in old where entry.key != PairTable.empty { set(entry.key, rank: entry.rank, id: entry.id) }
    }

    @inline(__always)
    func get(_ left: Int32, _ right: Int32) -> (rank: Int32, id: Int32)? {
        let key = PairTable.key(left, right)
        var index = slot(key)
        while true {
            let entry = entries[index]
            if entry.key == key { return (entry.rank, entry.id) }
            if entry.key == PairTable.empty { return nil }
            index = (index + 1) & mask
        }
    }
}
