import LoupeFormats
import LoupeNotebook
import LoupeInterpreter
import Foundation
import LoupeScript
import ZIPFoundation

/// save(path, value) and read(path), by extension: .npy .npz .safetensors .csv .json .jsonl .txt.
/// Relative paths: files are read from the run's output folder when the notebook wrote them there, else
/// from the script's directory; files are written to the output folder of `loupe run` (see OutputPaths).
enum FileBuiltins {
    static func url(_ path: String, _ rt: Interpreter) -> URL {
        let expanded = (path as NSString).expandingTildeInPath
        if expanded.hasPrefix("/") { return URL(fileURLWithPath: expanded) }
        if let out = rt.outputDirectory?.appendingPathComponent(expanded),
           FileManager.default.fileExists(atPath: out.path) { return out }
        if let dir = rt.scriptDirectory { return dir.appendingPathComponent(expanded) }
        return URL(fileURLWithPath: FileManager.default.currentDirectoryPath).appendingPathComponent(expanded)
    }

    /// Where a relative path is written: the output folder of `loupe run`, else as `url` resolves it.
    static func writeURL(_ path: String, _ rt: Interpreter) throws -> URL {
        let expanded = (path as NSString).expandingTildeInPath
        if rt.outputDirectory != nil || expanded.hasPrefix("/") { return try rt.outputURL(path) }
        let u = url(path, rt)
        try? FileManager.default.createDirectory(at: u.deletingLastPathComponent(), withIntermediateDirectories: true)
        return u
    }

    static func isString(_ v: Value) -> Bool { if case .string = v { return true }; return false }

    static let formats = ".npy, .npz, .safetensors, .csv, .json, .jsonl, .txt"

    static func install() {
        Builtins.register("save(path, value)", doc: "Writes a value (torch's order save(value, path) works too) to a file chosen by extension: .npy (one tensor), .npz and .safetensors (a dict of tensors), .csv (rows, list of dicts, dict of columns, or 2-d tensor), .json, .jsonl (a list, one item per line), .txt (a string or lines). Files are readable by numpy/pandas/safetensors. Returns the path.",
                          example: "save(\"acts.npz\", {\"resid\": x, \"ids\": ids})") { rt, args in
            // numpy's order is save(path, value); torch's is save(value, path): a string path in either place.
            var pathValue = args.value("path"), value = args.value("value")
            if case .string = value, !isString(pathValue) { swap(&pathValue, &value) }
            let path = try pathValue.asString("save: path")
            let u = try writeURL(path, rt)
            if let kind = RegularFile.otherKind(at: u.path) {  // opening a FIFO to write waits for a reader
                throw LoupeError("save: \(u.path) is \(kind), not a regular file", hint: "save to a file path")
            }
            if let holder = MappedFiles.holder(ofPath: u.path) {
                throw LoupeError("save: \(u.path) is mapped by \(holder); writing over it would change the weights under the loaded model",
                                 hint: "save to another path, or release the model first (del model)")
            }
            do {
                switch u.pathExtension.lowercased() {
                case "npy":
                    guard case .tensor(let t) = value else { throw LoupeError("save .npy needs a tensor, not \(value.typeName)", hint: "use .npz for a dict of tensors or .json for other values") }
                    try Npy.encode(t).write(to: u)
                case "npz":
                    let tensors = try namedTensors(value, "npz")
                    try? FileManager.default.removeItem(at: u)
                    let archive = try Archive(url: u, accessMode: .create)
                    for (name, t) in tensors {
                        let data = Npy.encode(t)
                        try archive.addEntry(with: name + ".npy", type: .file, uncompressedSize: Int64(data.count)) { pos, size in
                            data.subdata(in: Int(pos)..<(Int(pos) + size))
                        }
                    }
                case "safetensors":
                    try Safetensors.encode(try namedTensors(value, "safetensors")).write(to: u)
                case "csv": try TextFormats.csvText(value).write(to: u, atomically: true, encoding: .utf8)
                case "json": try (TextFormats.jsonText(value, pretty: true) + "\n").write(to: u, atomically: true, encoding: .utf8)
                case "jsonl":
                    let lines = try Ops.iterate(value).map { try TextFormats.jsonText($0, pretty: false) }
                    try (lines.joined(separator: "\n") + (lines.isEmpty ? "" : "\n")).write(to: u, atomically: true, encoding: .utf8)
                case "txt", "md", "html", "svg":
                    var text: String
                    switch value {
                    case .list, .tuple: text = try Ops.iterate(value).map(Repr.str).joined(separator: "\n") + "\n"
                    default: text = Repr.str(value)
                    }
                    try text.write(to: u, atomically: true, encoding: .utf8)
                case "pt", "pth", "pkl":
                    throw LoupeError("save: Loupe does not write pickle files (`.\(u.pathExtension)`)",
                                     hint: "use .npy for one tensor or .safetensors for a dict of tensors; numpy and torch read both")
                default:
                    throw LoupeError("save: unknown file type `.\(u.pathExtension)`", hint: "use one of \(formats)")
                }
            } catch let e as LoupeError { throw e } catch {
                throw LoupeError("save \(path): \(error.localizedDescription)")
            }
            return .string(u.path)
        }
        Builtins.register("read(path)", doc: "Reads a file by extension: .npy → tensor; .npz/.safetensors → dict of tensors; .csv → list of dicts (numbers parsed); .json → value; .jsonl → list; .txt → string.",
                          example: "acts = read(\"acts.npz\")\nrows = read(\"heads.csv\")") { rt, args in
            let path = try args.string("path")
            let u = url(path, rt)
            guard FileManager.default.fileExists(atPath: u.path) else {
                let dir = u.deletingLastPathComponent()
                let names = (try? FileManager.default.contentsOfDirectory(atPath: dir.path)) ?? []
                throw LoupeError("read: no such file \(u.path)", hint: Suggest.hint(for: u.lastPathComponent, in: names))
            }
            do {
                try RegularFile.check(u.path)  // a FIFO, device or socket would block or never end
                switch u.pathExtension.lowercased() {
                case "npy": return .tensor(try Npy.decode(try RegularFile.read(u.path), name: path))
                case "npz":
                    let archive = try Archive(url: u, accessMode: .read)
                    let d = DictBox()
                    for entry in archive where entry.type == .file {
                        var data = Data()
                        _ = try archive.extract(entry) { data.append($0) }
                        var name = entry.path
                        if name.hasSuffix(".npy") { name.removeLast(4) }
                        try d.set(.string(name), .tensor(try Npy.decode(data, name: "\(path)/\(entry.path)")))
                    }
                    return .dict(d)
                case "safetensors":
                    let d = DictBox()
                    for (k, t) in try Safetensors.decode(try RegularFile.read(u.path), name: path) { try d.set(.string(k), .tensor(t)) }
                    return .dict(d)
                case "csv": return TextFormats.parseCSV(try RegularFile.text(u.path))
                case "json": return try TextFormats.parseJSON(try RegularFile.text(u.path), name: path)
                case "jsonl":
                    let text = try RegularFile.text(u.path)
                    var out: [Value] = []
                    for (i, line) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated()
                    where !line.trimmingCharacters(in: .whitespaces).isEmpty {
                        out.append(try TextFormats.parseJSON(String(line), name: path, line: i + 1))
                    }
                    return .list(out)
                default: return .string(try RegularFile.text(u.path))
                }
            } catch let e as LoupeError { throw e } catch let e as FormatError {
                throw LoupeError("read: \(e.description)")
            } catch let e as UTF8Text.InvalidError {
                throw LoupeError("read: \(e.description)")
            } catch {
                throw LoupeError("read \(path): \(error.localizedDescription)")
            }
        }
    }

    static func namedTensors(_ v: Value, _ ext: String) throws -> [(String, TensorValue)] {
        switch v {
        case .tensor(let t): return [("arr_0", t)]
        case .dict(let d):
            return try zip(d.keys, d.values).map { k, val in
                guard case .tensor(let t) = val else { throw LoupeError("save .\(ext): value for \(Repr.repr(k)) is a \(val.typeName), not a tensor") }
                return (Repr.str(k), t)
            }
        default: throw LoupeError("save .\(ext) needs a dict of tensors (or one tensor), not \(v.typeName)")
        }
    }
}
