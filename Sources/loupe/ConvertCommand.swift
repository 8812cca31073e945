import LoupeNotebook
import ArgumentParser
import Foundation
import LoupeScript

/// `loupe convert FILE`: `.ipynb` -> `.loupe` (percent format) and `.loupe` -> `.ipynb`, sources only.
struct ConvertCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "convert", abstract: "Convert a notebook between .ipynb and .loupe (percent format).")

    @ArgumentParser.Argument(help: "The notebook to convert (.ipynb or .loupe).")
    var file: String

    @Option(name: .shortAndLong, help: "Where to write (default: FILE with the other extension).")
    var output: String?

    func run() throws {
        let input = URL(fileURLWithPath: file)
        let isNotebook = input.pathExtension.lowercased() == "ipynb"
        let target = output.map { URL(fileURLWithPath: $0) }
            ?? input.deletingPathExtension().appendingPathExtension(isNotebook ? "loupe" : "ipynb")
        guard target.standardizedFileURL != input.standardizedFileURL else {
            throw CLIFailure.usage("the output would overwrite the input \(file); pass --output")
        }
        let document: NotebookDocument
        do {
            document = try NotebookDocument(contentsOf: input)
        } catch {
            throw CLIFailure.usage("\(error)")
        }
        do {
            try document.write(to: target)
        } catch {
            throw CLIFailure(message: "\(error)", code: 1)
        }
        Console.error("wrote \(target.path) (\(document.cells.count) cells)")
    }
}
