// The pickle a PyTorch state dict is saved as (torch.save, protocol 2; the protocol-4 opcodes a newer
// pickler may add are read too). Python's pickle VM is a stack machine whose GLOBAL/REDUCE/BUILD opcodes
// import and call arbitrary functions; this reader runs none. It knows the few callables a tensor state
// dict needs and builds values for them itself:
//   collections.OrderedDict()                         an empty dict (BUILD may attach `_metadata`, ignored)
//   torch._utils._rebuild_tensor_v2(storage, offset, size, stride, requires_grad, hooks[, metadata])
//   torch._utils._rebuild_parameter(tensor, requires_grad, hooks)
//   persistent id ('storage', torch.<T>Storage, key, location, numel)  (BINPERSID), a storage in the archive
// Any other global is refused with its name before anything else happens.

/// A value of a state-dict pickle.
public indirect enum PickleValue: Sendable {
    case none
    case bool(Bool)
    case int(Int)
    case float(Double)
    case string(String)
    case bytes([UInt8])
    /// Items, and how deeply tuples nest inside (bounded, so no value is deep enough to overflow the
    /// stack when it is released).
    case tuple([PickleValue], depth: Int)
    case list(PickleList)
    case dict(PickleDict)
    /// An allowed callable (module.name), before it is called by REDUCE.
    case global(String)
    /// A storage named by a persistent id.
    case storage(TorchStorageRef)
    case tensor(TorchTensorRef)

    var typeName: String {
        switch self {
        case .none: return "None"
        case .bool: return "bool"
        case .int: return "int"
        case .float: return "float"
        case .string: return "str"
        case .bytes: return "bytes"
        case .tuple: return "tuple"
        case .list: return "list"
        case .dict: return "dict"
        case .global(let g): return g
        case .storage: return "storage"
        case .tensor: return "tensor"
        }
    }
}

/// Mutable containers (APPENDS/SETITEMS fill them after they are memoised).
public final class PickleList: @unchecked Sendable { public var items: [PickleValue] = [] }
public final class PickleDict: @unchecked Sendable {
    /// Entries in insertion order; keys are strings or ints in a state dict.
    public var entries: [(key: PickleValue, value: PickleValue)] = []
}

/// `('storage', torch.BFloat16Storage, '0', 'cpu', numel)`: the archive entry `data/<key>`.
public struct TorchStorageRef: Sendable {
    public let key: String
    /// The storage class name ("BFloat16Storage").
    public let type: String
    /// Elements of the storage's type.
    public let count: Int
}

/// A tensor as `_rebuild_tensor_v2` describes it: a view of a storage.
public struct TorchTensorRef: Sendable {
    public let storage: TorchStorageRef
    /// In elements.
    public let offset: Int
    public let shape: [Int]
    public let stride: [Int]
}

/// Reads a state-dict pickle without executing anything.
struct TorchPickleReader {
    /// The callables and classes a state dict may name.
    static let allowedGlobals: Set<String> = [
        "collections.OrderedDict", "torch._utils._rebuild_tensor_v2", "torch._utils._rebuild_parameter",
    ]
    /// Storage classes and their element sizes in bytes.
    static let storageElementBytes: [String: Int] = [
        "BFloat16Storage": 2, "HalfStorage": 2, "FloatStorage": 4, "DoubleStorage": 8,
        "LongStorage": 8, "IntStorage": 4, "ShortStorage": 2, "CharStorage": 1, "ByteStorage": 1, "BoolStorage": 1,
    ]
    /// Deeper nesting than this is not a state dict (and would only cost memory).
    static let maxStack = 1 << 20

    private var r: ByteReader
    private var stack: [PickleValue] = []
    private var marks: [Int] = []
    private var memo: [Int: PickleValue] = [:]
    /// Every list and dict made, emptied when reading ends: lists and dicts can be nested or made
    /// cyclic through the memo, and releasing a deep chain would recurse once per level.
    private var containers: [AnyObject] = []
    /// Tuples nest at most this deep (a state dict needs 3).
    static let maxTupleDepth = 64

    init(_ bytes: UnsafeRawBufferPointer, file: String) {
        r = ByteReader(bytes, file: file)
    }

    /// Runs the pickle to its STOP opcode and hands the value it built to `use`; the value's lists and
    /// dicts are emptied afterwards, so `use` must extract what it needs.
    static func read<T>(_ bytes: UnsafeRawBufferPointer, file: String, _ use: (PickleValue) throws -> T) throws -> T {
        var reader = TorchPickleReader(bytes, file: file)
        defer { reader.dismantle() }
        return try use(try reader.run())
    }

    private mutating func dismantle() {
        stack = []
        memo = [:]
        for c in containers {
            (c as? PickleList)?.items = []
            (c as? PickleDict)?.entries = []
        }
        containers = []
    }

    private mutating func newList() -> PickleList { let l = PickleList(); containers.append(l); return l }
    private mutating func newDict() -> PickleDict { let d = PickleDict(); containers.append(d); return d }

    private func tuple(_ items: [PickleValue], _ at: Int) throws -> PickleValue {
        var depth = 1
        for case .tuple(_, let d) in items { depth = max(depth, d + 1) }
        guard depth <= TorchPickleReader.maxTupleDepth else {
            throw fail(at, "tuples nested deeper than \(TorchPickleReader.maxTupleDepth)", .tooLarge)
        }
        return .tuple(items, depth: depth)
    }

    private func fail(_ at: Int, _ message: String, _ kind: FormatError.Kind = .invalidValue, hint: String? = nil) -> FormatError {
        r.error(kind, at: at, "pickle: " + message, hint: hint)
    }

    private mutating func pop(_ at: Int, _ op: String) throws -> PickleValue {
        guard let v = stack.popLast() else { throw fail(at, "\(op) on an empty stack") }
        if let m = marks.last, stack.count < m { throw fail(at, "\(op) pops past a MARK") }
        return v
    }

    /// The items pushed since the last MARK, removing them and the mark.
    private mutating func popMark(_ at: Int, _ op: String) throws -> [PickleValue] {
        guard let m = marks.popLast() else { throw fail(at, "\(op) without a MARK") }
        let items = Array(stack[m...])
        stack.removeSubrange(m...)
        return items
    }

    private mutating func push(_ v: PickleValue, _ at: Int) throws {
        guard stack.count < TorchPickleReader.maxStack else { throw fail(at, "stack deeper than \(TorchPickleReader.maxStack)", .tooLarge) }
        stack.append(v)
    }

    private mutating func line(_ field: String) throws -> String {
        let start = r.position
        var end = start
        while end < r.bytes.count, r.bytes[end] != 0x0A { end += 1 }
        guard end < r.bytes.count else { throw fail(start, "\(field) has no end of line", .truncated) }
        let s = try r.utf8(end - start, field)
        _ = try r.u8("newline")
        return s
    }

    private mutating func global(_ module: String, _ name: String, _ at: Int) throws -> PickleValue {
        let full = module + "." + name
        if TorchPickleReader.allowedGlobals.contains(full) { return .global(full) }
        if module == "torch", TorchPickleReader.storageElementBytes[name] != nil { return .global(full) }
        throw fail(at, "refusing global \(full): a state dict names only tensors, storages and OrderedDict, "
                   + "and loading never runs code from the file", .unsupportedType,
                   hint: "this file is not a plain tensor state dict (or is hostile); do not load it with torch.load either")
    }

    private mutating func memoGet(_ i: Int, _ at: Int) throws -> PickleValue {
        guard let v = memo[i] else { throw fail(at, "memo entry \(i) read before it is written") }
        return v
    }

    private mutating func memoPut(_ i: Int, _ at: Int) throws {
        guard let v = stack.last else { throw fail(at, "memo store on an empty stack") }
        memo[i] = v
    }

    private mutating func run() throws -> PickleValue {
        while true {
            let at = r.position
            let op = try r.u8("pickle opcode")
            switch op {
            case 0x80: // PROTO
                let p = try r.u8("protocol")
                guard p <= 5 else { throw fail(at, "protocol \(p) is newer than pickle knows", .unsupportedVersion) }
            case 0x95: _ = try r.u64("frame length")                       // FRAME (protocol 4): framing only
            case 0x2E: // STOP
                guard marks.isEmpty, stack.count == 1 else { throw fail(at, "STOP leaves \(stack.count) values and \(marks.count) marks") }
                return stack[0]
            case 0x28: marks.append(stack.count)                            // MARK
            case 0x4E: try push(.none, at)                                  // NONE
            case 0x88: try push(.bool(true), at)                            // NEWTRUE
            case 0x89: try push(.bool(false), at)                           // NEWFALSE
            case 0x4B: try push(.int(Int(try r.u8("BININT1"))), at)
            case 0x4D: try push(.int(Int(try r.u16("BININT2"))), at)
            case 0x4A: try push(.int(Int(try r.i32("BININT"))), at)
            case 0x8A: // LONG1: n bytes, little-endian two's complement
                let n = Int(try r.u8("LONG1 length"))
                guard n <= 8 else { throw fail(at, "LONG1 of \(n) bytes does not fit in 64 bits", .tooLarge) }
                let raw = try r.raw(n, "LONG1 value")
                var v: UInt64 = 0
                for (i, b) in raw.enumerated() { v |= UInt64(b) << (8 * UInt64(i)) }
                if n > 0, n < 8, raw[n - 1] & 0x80 != 0 { v |= ~UInt64(0) << (8 * UInt64(n)) }
                try push(.int(Int(truncatingIfNeeded: v)), at)
            case 0x47: try push(.float(Double(bitPattern: try r.u64("BINFLOAT").byteSwapped)), at)   // big-endian
            case 0x58: try push(.string(try r.utf8(try length(r.u32("BINUNICODE length")), "BINUNICODE")), at)
            case 0x8C: try push(.string(try r.utf8(Int(try r.u8("SHORT_BINUNICODE length")), "SHORT_BINUNICODE")), at)
            case 0x8D: try push(.string(try r.utf8(try length(r.u64("BINUNICODE8 length")), "BINUNICODE8")), at)
            case 0x55: try push(.string(try r.utf8(Int(try r.u8("SHORT_BINSTRING length")), "SHORT_BINSTRING")), at)
            case 0x54: try push(.string(try r.utf8(try length(r.u32("BINSTRING length")), "BINSTRING")), at)
            case 0x43: try push(.bytes(Array(try r.raw(Int(try r.u8("SHORT_BINBYTES length")), "SHORT_BINBYTES"))), at)
            case 0x42: try push(.bytes(Array(try r.raw(try length(r.u32("BINBYTES length")), "BINBYTES"))), at)
            case 0x29: try push(try tuple([], at), at)                      // EMPTY_TUPLE
            case 0x85: try push(try tuple([try pop(at, "TUPLE1")], at), at)
            case 0x86: let b = try pop(at, "TUPLE2"), a = try pop(at, "TUPLE2"); try push(try tuple([a, b], at), at)
            case 0x87:
                let c = try pop(at, "TUPLE3"), b = try pop(at, "TUPLE3"), a = try pop(at, "TUPLE3")
                try push(try tuple([a, b, c], at), at)
            case 0x74: try push(try tuple(try popMark(at, "TUPLE"), at), at)
            case 0x5D: try push(.list(newList()), at)                        // EMPTY_LIST
            case 0x7D: try push(.dict(newDict()), at)                        // EMPTY_DICT
            case 0x61: // APPEND
                let v = try pop(at, "APPEND")
                guard case .list(let l) = stack.last else { throw fail(at, "APPEND to a \(stack.last?.typeName ?? "nothing")") }
                l.items.append(v)
            case 0x65: // APPENDS
                let items = try popMark(at, "APPENDS")
                guard case .list(let l) = stack.last else { throw fail(at, "APPENDS to a \(stack.last?.typeName ?? "nothing")") }
                l.items += items
            case 0x73: // SETITEM
                let v = try pop(at, "SETITEM"), k = try pop(at, "SETITEM")
                guard case .dict(let d) = stack.last else { throw fail(at, "SETITEM on a \(stack.last?.typeName ?? "nothing")") }
                d.entries.append((k, v))
            case 0x75: // SETITEMS
                let items = try popMark(at, "SETITEMS")
                guard items.count % 2 == 0 else { throw fail(at, "SETITEMS with an odd number of items") }
                guard case .dict(let d) = stack.last else { throw fail(at, "SETITEMS on a \(stack.last?.typeName ?? "nothing")") }
                for i in stride(from: 0, to: items.count, by: 2) { d.entries.append((items[i], items[i + 1])) }
            case 0x71: try memoPut(Int(try r.u8("BINPUT index")), at)
            case 0x72: try memoPut(Int(try r.u32("LONG_BINPUT index")), at)
            case 0x94: try memoPut(memo.count, at)                           // MEMOIZE
            case 0x68: try push(try memoGet(Int(try r.u8("BINGET index")), at), at)
            case 0x6A: try push(try memoGet(Int(try r.u32("LONG_BINGET index")), at), at)
            case 0x63: // GLOBAL "module\nname\n"
                let module = try line("GLOBAL module"), name = try line("GLOBAL name")
                try push(try global(module, name, at), at)
            case 0x93: // STACK_GLOBAL
                guard case .string(let name) = try pop(at, "STACK_GLOBAL"), case .string(let module) = try pop(at, "STACK_GLOBAL") else {
                    throw fail(at, "STACK_GLOBAL needs two strings")
                }
                try push(try global(module, name, at), at)
            case 0x51: // BINPERSID
                try push(.storage(try storage(try pop(at, "BINPERSID"), at)), at)
            case 0x52: // REDUCE
                let args = try pop(at, "REDUCE"), callable = try pop(at, "REDUCE")
                try push(try reduce(callable, args, at), at)
            case 0x62: // BUILD: only a dict's plain state (OrderedDict's `_metadata`), which is not used
                let state = try pop(at, "BUILD")
                guard case .dict = stack.last else {
                    throw fail(at, "BUILD on a \(stack.last?.typeName ?? "nothing") (only a state dict's metadata is accepted)", .unsupportedType)
                }
                switch state {
                case .dict, .none: break
                default: throw fail(at, "BUILD with a \(state.typeName) state", .unsupportedType)
                }
            case 0x30: _ = try pop(at, "POP")
            case 0x32: guard let top = stack.last else { throw fail(at, "DUP on an empty stack") }; try push(top, at)
            default:
                throw fail(at, String(format: "opcode 0x%02X is not one a tensor state dict uses", op), .unsupportedType,
                           hint: "this reader understands torch.save's state dicts only")
            }
        }
    }

    private func length(_ v: UInt64) throws -> Int {
        guard v <= UInt64(r.remaining) else { throw r.error(.truncated, "pickle: a length of \(v) runs past the end of the pickle") }
        return Int(v)
    }

    private func length(_ v: UInt32) throws -> Int { try length(UInt64(v)) }

    /// `('storage', torch.XStorage, key, location, numel)`.
    private func storage(_ pid: PickleValue, _ at: Int) throws -> TorchStorageRef {
        guard case .tuple(let t, _) = pid, t.count == 5, case .string("storage") = t[0], case .global(let cls) = t[1],
              case .string(let key) = t[2], case .int(let count) = t[4] else {
            throw fail(at, "persistent id is not ('storage', torch.<Type>Storage, key, location, numel)")
        }
        let type = String(cls.dropFirst("torch.".count))
        guard cls.hasPrefix("torch."), TorchPickleReader.storageElementBytes[type] != nil else {
            throw fail(at, "persistent id names \(cls), not a storage class", .unsupportedType)
        }
        guard count >= 0 else { throw fail(at, "storage '\(key)' has \(count) elements") }
        return TorchStorageRef(key: key, type: type, count: count)
    }

    private mutating func reduce(_ callable: PickleValue, _ args: PickleValue, _ at: Int) throws -> PickleValue {
        guard case .global(let name) = callable else { throw fail(at, "REDUCE calls a \(callable.typeName)", .unsupportedType) }
        guard case .tuple(let a, _) = args else { throw fail(at, "REDUCE arguments are a \(args.typeName), not a tuple") }
        switch name {
        case "collections.OrderedDict":
            guard a.isEmpty else { throw fail(at, "OrderedDict called with \(a.count) arguments", .unsupportedType) }
            return .dict(newDict())
        case "torch._utils._rebuild_tensor_v2":
            guard a.count >= 4, case .storage(let s) = a[0], case .int(let offset) = a[1],
                  let shape = ints(a[2]), let stride = ints(a[3]) else {
                throw fail(at, "_rebuild_tensor_v2 needs (storage, offset, size, stride, …)")
            }
            guard shape.count == stride.count else { throw fail(at, "tensor size \(shape) and stride \(stride) differ in rank") }
            return .tensor(TorchTensorRef(storage: s, offset: offset, shape: shape, stride: stride))
        case "torch._utils._rebuild_parameter":
            guard let first = a.first, case .tensor = first else { throw fail(at, "_rebuild_parameter needs a tensor") }
            return first
        default:
            throw fail(at, "REDUCE on \(name), which is not a callable", .unsupportedType)
        }
    }

    private func ints(_ v: PickleValue) -> [Int]? {
        guard case .tuple(let t, _) = v else { return nil }
        var out: [Int] = []
        for x in t { guard case .int(let i) = x else { return nil }; out.append(i) }
        return out
    }
}
