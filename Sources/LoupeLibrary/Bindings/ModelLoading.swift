import LoupeNotebook
import LoupeInterpreter
import Foundation
import LoupeFormats
import LoupeModels
import LoupeTokenizers

/// Finding and opening models for `load(...)`: where names resolve, which tokenizer goes with the
/// weights, and the processing options TransformerLens's `from_pretrained` takes.
enum ModelLoading {
    /// Folders searched for `models/NAME`: $LOUPE_MODELS, ./models, the script's ../models and the
    /// repository's models/ next to the `loupe` executable (.build/<config>/loupe).
    static func modelRoots(scriptDirectory: URL?) -> [URL] {
        var roots: [URL] = []
        let env = ProcessInfo.processInfo.environment
        if let custom = env["LOUPE_MODELS"], !custom.isEmpty { roots.append(URL(fileURLWithPath: custom)) }
        roots.append(URL(fileURLWithPath: FileManager.default.currentDirectoryPath).appendingPathComponent("models"))
        if let dir = scriptDirectory { roots.append(dir.deletingLastPathComponent().appendingPathComponent("models")) }
        let exe = URL(fileURLWithPath: CommandLine.arguments.first ?? "").resolvingSymlinksInPath()
        let repo = exe.deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        roots.append(repo.appendingPathComponent("models"))
        var seen = Set<String>()
        return roots.filter { seen.insert($0.standardizedFileURL.path).inserted }
    }

    static func locate(_ name: String, scriptDirectory: URL?) throws -> ModelLocation {
        try engineCall { try ModelLocator.resolve(name, modelsDirectories: modelRoots(scriptDirectory: scriptDirectory)) }
    }

    /// A readable model name: the GGUF's general.name, the folder, or what the user typed.
    static func displayName(_ location: ModelLocation, typed: String) -> String {
        let last = location.url.lastPathComponent
        return last.isEmpty ? typed : (location.kind == .gguf ? location.url.deletingPathExtension().lastPathComponent : last)
    }
}
