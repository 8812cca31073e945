import ArgumentParser

/// `loupe info MODEL`: what a model file holds. Needs LoupeModels, which is not wired in yet.
struct InfoCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "info", abstract: "Show what a model file or directory holds (architecture, tensors, tokenizer).")

    @ArgumentParser.Argument(help: "A .gguf or .safetensors file, a model directory, or a name under models/.")
    var model: String

    func run() throws {
        throw CLIFailure(message: "`loupe info` is not available in this build yet (it needs the model loader); "
                         + "inside the REPL, `load(\"\(model)\")` shows the model instead", code: 1)
    }
}
