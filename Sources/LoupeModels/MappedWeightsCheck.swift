import LoupeFormats

extension HookedTransformer {
    /// Throws when a file this model maps changed on disk since loading (truncated or written in place):
    /// one fstat per file at the start of each pass, instead of a SIGBUS or other bytes halfway through;
    /// and at the end, when a truncation during the pass made reads fault (their pages read as zeros).
    func checkMappedWeights() throws {
        try MappedFiles.checkIntact(weights.sources)
    }
}
