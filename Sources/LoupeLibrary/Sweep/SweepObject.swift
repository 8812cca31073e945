import Foundation
import LoupeAnalysis
import LoupeInterpreter
import LoupeTensor

/// What `record(...)` collected under one tensor key: every record's values back to back.
struct RecordedTensor {
    var kind: TensorValue.Kind
    var shape: [Int]         // one record's shape
    var values: [Float] = [] // [count, shape...] row-major
    var count = 0
}

/// A sweep: named items with sorted stable ids, of which this process runs a range (all of them, one
/// shard's, or none when merging), and what the loop `record`ed: table rows and per-record tensors.
/// In a merge the records come from the shards' files, concatenated in shard order, which is the
/// order a single-machine run records them in.
final class SweepObject: HostObject {
    let typeName = "Sweep"
    let name: String
    let ids: [SweepID]
    let items: [Value]
    let runRange: Range<Int>
    private unowned let session: SweepSession
    var columns: [String] = []
    var rows: [[TableValue]] = []
    var tensorKeysInOrder: [String] = []
    var tensors: [String: RecordedTensor] = [:]

    init(name: String, ids: [SweepID], items: [Value], runRange: Range<Int>, session: SweepSession) {
        self.name = name
        self.ids = ids
        self.items = items
        self.runRange = runRange
        self.session = session
    }

    var length: Int? { runRange.count }

    func iterate() throws -> [Value]? {
        session.noteIteration(self)
        return Array(items[runRange])
    }

    func repr() -> String {
        "<Sweep \"\(name)\": \(ids.count) items, running \(runRange.count), \(rows.count) rows, tensors \(tensorKeysInOrder.sorted())>"
    }

    func attribute(_ name: String, interpreter: Interpreter) throws -> Value? {
        switch name {
        case "name": return .string(self.name)
        case "ids": return .list(ListBox(ids.map(Self.value)))
        case "running_ids": return .list(ListBox(ids[runRange].map(Self.value)))
        default: return nil
        }
    }

    var memberNames: [String] { ["name", "ids", "running_ids", "table", "tensor", "tensors"] }

    var help: String {
        """
        Sweep "\(name)": for item in sweep: … record(col=value, key=tensor) …
          s.table()      the recorded rows (a Table), in item order
          s.tensor(key)  the tensors recorded under key, stacked on axis 0
          s.tensors()    all of them as a dict
          s.ids          every item's id, sorted; s.running_ids: the ones this process runs
        """
    }

    static func value(_ id: SweepID) -> Value {
        switch id {
        case .int(let i): return .int(i)
        case .string(let s): return .string(s)
        }
    }

    // MARK: recording

    /// One `record(...)` call: scalars make one table row, tensors add one record under their key.
    func record(_ values: [(String, Value)]) throws {
        var row: [(String, TableValue)] = []
        for (key, value) in values {
            if case .tensor(let t) = value, t.tensor.rank > 0 {
                try add(tensor: t, key: key)
            } else {
                row.append((key, try Self.cell(value, column: key)))
            }
        }
        guard !row.isEmpty else { return }
        if columns.isEmpty && rows.isEmpty { columns = row.map(\.0) }
        guard row.map(\.0) == columns else {
            throw LoupeError("record(): this row's columns \(row.map(\.0)) differ from the first row's \(columns)",
                             hint: "record the same columns, in the same order, for every row")
        }
        rows.append(row.map(\.1))
    }

    private func add(tensor t: TensorValue, key: String) throws {
        guard !key.contains("/"), !key.hasPrefix(".") else { throw LoupeError("record(): `\(key)` cannot name a tensor file") }
        if tensors[key] == nil {
            tensors[key] = RecordedTensor(kind: t.kind, shape: t.tensor.shape)
            tensorKeysInOrder.append(key)
        }
        guard var r = tensors[key], r.shape == t.tensor.shape, r.kind == t.kind else {
            let r = tensors[key]!
            throw LoupeError("record(): tensor `\(key)` has shape \(t.tensor.shape) (\(t.kind.rawValue)) but earlier records have \(r.shape) (\(r.kind.rawValue))",
                             hint: "records under one key are stacked on axis 0, so they need one shape")
        }
        tensors[key] = nil
        r.values += t.tensor.toArray()
        r.count += 1
        tensors[key] = r
    }

    static func cell(_ value: Value, column: String) throws -> TableValue {
        switch value {
        case .int(let i): return .int(i)
        case .bool(let b): return .int(b ? 1 : 0)
        case .float(let d): return .double(d)
        case .string(let s): return .string(s)
        case .tensor(let t) where t.tensor.rank == 0:
            return t.kind == .float ? .double(Double(t.tensor.item)) : .int(Int(t.tensor.item))
        default:
            throw LoupeError("record(): `\(column)` is \(value.typeName); a column takes a number, a bool or a string, a tensor key a tensor")
        }
    }

    // MARK: reading

    func table() throws -> Table {
        do { return try Table(columnNames: columns, rows: rows) } catch { throw LoupeError("sweep \"\(name)\": \(error)") }
    }

    /// The recorded tensor keys, sorted (a merge reads them from files, so the order is the name's).
    func tensorKeys() throws -> [String] { tensorKeysInOrder.sorted() }

    func tensor(_ key: String) throws -> TensorValue {
        guard let r = tensors[key] else {
            throw LoupeError("sweep \"\(name)\" recorded no tensor `\(key)`", hint: "recorded: \(tensorKeysInOrder.joined(separator: ", "))")
        }
        return TensorValue(Tensor(shape: [r.count] + r.shape, data: r.values), kind: r.kind)
    }

    /// Appends a shard's records (a merge): its table's rows and its tensors, after those of earlier shards.
    func append(table: Table?, tensors shardTensors: [(String, TensorValue)], shard: String) throws {
        if let table, table.columnCount > 0 {
            if columns.isEmpty && rows.isEmpty { columns = table.columnNames }
            guard table.columnNames == columns else {
                throw SweepError("shard \(shard): its table's columns \(table.columnNames) differ from other shards' \(columns)")
            }
            for r in 0..<table.rowCount { rows.append(table.row(r)) }
        }
        for (key, t) in shardTensors {
            let shape = Array(t.tensor.shape.dropFirst())
            if tensors[key] == nil {
                tensors[key] = RecordedTensor(kind: t.kind, shape: shape)
                tensorKeysInOrder.append(key)
            }
            guard var r = tensors[key], r.shape == shape, r.kind == t.kind else {
                throw SweepError("shard \(shard): tensor `\(key)` has records of shape \(shape), other shards \(tensors[key]!.shape)")
            }
            tensors[key] = nil
            r.values += t.tensor.toArray()
            r.count += t.tensor.shape.first ?? 0
            tensors[key] = r
        }
    }
}
