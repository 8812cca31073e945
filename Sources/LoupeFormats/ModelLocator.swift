import Foundation

/// Finds a model by name the way `load("…")` should: a path, then `models/NAME`, then the Hugging Face
/// hub cache (`models--ORG--NAME/snapshots/REV/`). The error lists every place it looked and why each
/// did not fit.
public enum ModelLocator {
    /// Resolves `name` to a model on disk.
    /// - Parameters:
    ///   - modelsDirectories: where `NAME` is looked up as `DIR/NAME`; default `./models`.
    ///   - hubCache: the Hugging Face hub cache; default from `HF_HUB_CACHE`, `HF_HOME`, `XDG_CACHE_HOME`, `~`.
    public static func resolve(_ name: String, modelsDirectories: [URL]? = nil, hubCache: URL? = nil,
                               environment: [String: String] = ProcessInfo.processInfo.environment,
                               currentDirectory: URL = URL(fileURLWithPath: FileManager.default.currentDirectoryPath)) throws -> ModelLocation {
        var looked: [String] = []
        let fm = FileManager.default

        // 1. A literal path: when it exists it is what the user meant, so its problems are reported as they are.
        let expanded = expandTilde(name, environment: environment)
        let literal = expanded.hasPrefix("/") ? URL(fileURLWithPath: expanded)
            : currentDirectory.appendingPathComponent(expanded)
        var isDir: ObjCBool = false
        if fm.fileExists(atPath: literal.path, isDirectory: &isDir) {
            if !isDir.boolValue {
                _ = try ModelLocation.regularFile(literal)
                let ext = literal.pathExtension.lowercased()
                if ext == "pth" || ext == "bin" { return try stateDictFolder(literal.standardizedFileURL) }
                guard ext == "gguf" else {
                    throw FormatError(.unsupportedFormat, file: literal.path, "is a file but not a .gguf, .pth or .bin",
                                      hint: "give a .gguf file or a directory with config.json and safetensors")
                }
                return ModelLocation(gguf: literal.standardizedFileURL)
            }
            switch try classify(literal.standardizedFileURL) {
            case .found(let location): return location
            case .unusable(let why): throw FormatError(.notFound, file: literal.path, why)
            }
        }
        looked.append("\(literal.path) (no such file or directory)")
        // Names that are plainly paths stop here.
        if expanded.hasPrefix("/") || expanded.hasPrefix(".") || name.hasPrefix("~") || expanded.hasSuffix(".gguf") {
            throw notFound(name, looked)
        }

        // 2. models/NAME (and models/LAST for ORG/LAST names).
        let roots = modelsDirectories ?? [currentDirectory.appendingPathComponent("models")]
        var relative = [name]
        if let last = name.split(separator: "/").last, String(last) != name { relative.append(String(last)) }
        for root in roots {
            for r in relative {
                let dir = root.appendingPathComponent(r)
                guard fm.fileExists(atPath: dir.path, isDirectory: &isDir), isDir.boolValue else {
                    looked.append("\(dir.path) (not found)")
                    continue
                }
                switch try classify(dir.standardizedFileURL) {
                case .found(let location): return location
                case .unusable(let why): looked.append("\(dir.path) (\(why))")
                }
            }
        }

        // 3. The Hugging Face hub cache.
        let cache = hubCache ?? hubCacheDirectory(environment: environment)
        let repo = cache.appendingPathComponent("models--" + name.replacingOccurrences(of: "/", with: "--"))
        if fm.fileExists(atPath: repo.path, isDirectory: &isDir), isDir.boolValue {
            switch snapshot(repo) {
            case .success(let snap):
                switch try classify(snap) {
                case .found(let location): return location
                case .unusable(let why): looked.append("\(snap.path) (\(why))")
                }
            case .failure(let why):
                looked.append("\(repo.path) (\(why.message))")
            }
        } else {
            looked.append("\(repo.path) (not in the Hugging Face cache)")
        }
        throw notFound(name, looked)
    }

    /// The hub cache directory as huggingface_hub computes it.
    public static func hubCacheDirectory(environment: [String: String] = ProcessInfo.processInfo.environment) -> URL {
        if let c = environment["HF_HUB_CACHE"], !c.isEmpty { return URL(fileURLWithPath: expandTilde(c, environment: environment)) }
        if let h = environment["HF_HOME"], !h.isEmpty {
            return URL(fileURLWithPath: expandTilde(h, environment: environment)).appendingPathComponent("hub")
        }
        if let x = environment["XDG_CACHE_HOME"], !x.isEmpty {
            return URL(fileURLWithPath: x).appendingPathComponent("huggingface/hub")
        }
        return URL(fileURLWithPath: expandTilde("~/.cache/huggingface/hub", environment: environment))
    }

    // MARK: helpers

    enum Classification {
        case found(ModelLocation)
        case unusable(String)
    }

    /// What a directory holds: a Hugging Face model, a single .gguf, or nothing usable (and why).
    static func classify(_ dir: URL) throws -> Classification {
        let names = ((try? FileManager.default.contentsOfDirectory(atPath: dir.path)) ?? []).sorted()
        if names.contains("params.json"), names.contains(where: ModelLocation.isMetaShard), !names.contains("config.json") {
            return .found(try ModelLocation(meta: dir))
        }
        let hfMarkers = ["config.json", "model.safetensors", "model.safetensors.index.json"]
        if names.contains(where: { hfMarkers.contains($0) || $0.hasSuffix(".safetensors") }) {
            return .found(try ModelLocation(huggingface: dir))
        }
        let ggufs = names.filter { $0.lowercased().hasSuffix(".gguf") }
        if ggufs.count == 1 { return .found(ModelLocation(gguf: dir.appendingPathComponent(ggufs[0]))) }
        if ggufs.count > 1 {
            return .unusable("\(ggufs.count) .gguf files (\(ggufs.joined(separator: ", "))); give the path of one")
        }
        if names.contains("pytorch_model.bin") {
            return .unusable("pytorch_model.bin without the config.json that says which model it is")
        }
        return .unusable("no config.json, .safetensors, .gguf or params.json + consolidated.00.pth inside")
    }

    /// A single state-dict file names the model whose folder holds it: Meta's (params.json beside
    /// consolidated.NN.pth) or Hugging Face's (config.json beside pytorch_model.bin).
    static func stateDictFolder(_ file: URL) throws -> ModelLocation {
        let dir = file.deletingLastPathComponent()
        let fm = FileManager.default
        if ModelLocation.isMetaShard(file.lastPathComponent), fm.fileExists(atPath: dir.appendingPathComponent("params.json").path) {
            return try ModelLocation(meta: dir)
        }
        if file.lastPathComponent == "pytorch_model.bin", fm.fileExists(atPath: dir.appendingPathComponent("config.json").path) {
            return try ModelLocation(huggingface: dir)
        }
        throw FormatError(.notFound, file: file.path,
                          "a state dict alone does not say which model it is",
                          hint: "put it in a folder as consolidated.00.pth beside params.json, or as pytorch_model.bin beside config.json")
    }

    /// `snapshots/<refs/main>` when that ref exists, else the only (or newest) snapshot.
    static func snapshot(_ repo: URL) -> Result<URL, FormatError> {
        let fm = FileManager.default
        let snapshots = repo.appendingPathComponent("snapshots")
        if let ref = try? String(contentsOf: repo.appendingPathComponent("refs/main"), encoding: .utf8) {
            let rev = ref.trimmingCharacters(in: .whitespacesAndNewlines)
            let dir = snapshots.appendingPathComponent(rev)
            if !rev.isEmpty, !rev.contains("/"), fm.fileExists(atPath: dir.path) { return .success(dir) }
        }
        let revs = ((try? fm.contentsOfDirectory(atPath: snapshots.path)) ?? []).filter { !$0.hasPrefix(".") }
        guard !revs.isEmpty else {
            return .failure(FormatError(.notFound, file: repo.path, "no snapshots (the download did not finish?)"))
        }
        func modified(_ rev: String) -> Date {
            let attrs = try? fm.attributesOfItem(atPath: snapshots.appendingPathComponent(rev).path)
            return (attrs?[.modificationDate] as? Date) ?? .distantPast
        }
        let newest = revs.max { (modified($0), $0) < (modified($1), $1) } ?? revs[0]
        return .success(snapshots.appendingPathComponent(newest))
    }

    static func expandTilde(_ path: String, environment: [String: String]) -> String {
        guard path == "~" || path.hasPrefix("~/") else { return path }
        let home = environment["HOME"] ?? FileManager.default.homeDirectoryForCurrentUser.path
        return home + path.dropFirst()
    }

    static func notFound(_ name: String, _ looked: [String]) -> FormatError {
        FormatError(.notFound, file: name, "no model found; looked in:\n" + looked.map { "  - " + $0 }.joined(separator: "\n"),
                    hint: "give a path, put the model under models/, or download it with transformers / huggingface-cli")
    }
}
