import Foundation
import LoupeInterpreter
import LoupeNotebook

/// The library of builtins that bind the engine (models, caches, analysis, plots, views, files) into the
/// interpreter. Install it once before creating interpreters, or create them through `interpreter(…)`.
public enum Library {
    public static func install() {
        Builtins.installLibrary { Bindings.installAll() }
    }

    /// An interpreter with the whole library installed.
    public static func interpreter(sink: OutputSink, scriptDirectory: URL? = nil) -> Interpreter {
        install()
        return Interpreter(sink: sink, scriptDirectory: scriptDirectory)
    }
}

/// Bindings from Loupe code to the engine (models, caches, analysis, plots, views). Each helper adds
/// one `install()` per file in this folder and one line below. See Sources/LoupeInterpreter/README.md.
enum Bindings {
    static func installAll() {
        FileBuiltins.install()
        PlotBindings.install()
        PlotlyExpress.install()
        ModelUseFlags.install()
        ViewBindings.install()
        ModelBindings.install()
        FactoredMatrixBindings.install()
        HookPointAttributes.install()
        ModelMemoryBindings.install()
        CacheBindings.install()
        HookBindings.install()
        TableBindings.install()
        SweepBindings.install()
        DisplayBindings.install()
        IPythonDisplay.install()
        TimeBindings.install()
        AnalysisBindings.install()
        AnalysisLens.install()
        AnalysisTrace.install()
        AnalysisAttentionTokens.install()
        AnalysisTokenStats.install()
        AnalysisSweeps.install()
        AnalysisMaps.install()
        ChatBindings.install()
        ImageBindings.install()
        NamespaceBindings.installAll()
    }
}
