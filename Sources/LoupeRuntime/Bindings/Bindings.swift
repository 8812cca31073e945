/// Bindings from Loupe code to the engine (models, caches, analysis, plots, views). Each helper adds
/// one `install()` per file in this folder and one line below. See Sources/LoupeRuntime/README.md.
enum Bindings {
    static func installAll() {
        PlotBindings.install()
        ViewBindings.install()
        ModelBindings.install()
        CacheBindings.install()
        HookBindings.install()
        TableBindings.install()
        DisplayBindings.install()
        TimeBindings.install()
        AnalysisBindings.install()
        AnalysisLens.install()
        AnalysisTrace.install()
        AnalysisAttentionTokens.install()
        AnalysisTokenStats.install()
        AnalysisSweeps.install()
        AnalysisMaps.install()
    }
}
