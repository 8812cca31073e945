import ArgumentParser
import Foundation
import LoupeKernel
import LoupeLibrary

/// `loupe kernel -f CONNECTION_FILE` (what Jupyter starts) and `loupe kernel install [--user | --prefix P]`.
struct KernelCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "kernel",
        abstract: "The Jupyter kernel: Loupe in JupyterLab, VS Code notebooks, nbclient and papermill.",
        discussion: """
        Examples:
          loupe kernel install --user            make Loupe a kernel Jupyter can start
          jupyter lab                            then pick "Loupe" for a new notebook
        """,
        subcommands: [KernelStartCommand.self, KernelInstallCommand.self],
        defaultSubcommand: KernelStartCommand.self)
}

struct KernelStartCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "start", abstract: "Serve the Jupyter messaging protocol on the sockets of a connection file.")

    @Option(name: .customShort("f"), help: ArgumentHelp("The connection file Jupyter wrote.", valueName: "connection.json"))
    var connectionFile: String

    func run() throws {
        let connection: KernelConnection
        do { connection = try KernelConnection(contentsOf: URL(fileURLWithPath: connectionFile)) } catch {
            throw CLIFailure.usage("\(error)")
        }
        let kernel: Kernel
        do {
            kernel = try Kernel(connection: connection,
                                scriptDirectory: URL(fileURLWithPath: FileManager.default.currentDirectoryPath),
                                completer: { interpreter, line, word in
                                    Completer(interpreter: interpreter).candidates(line: line, word: word)
                                },
                                log: { Console.error("loupe kernel: " + $0) })
        } catch {
            throw CLIFailure(message: "\(error)", code: 1)
        }
        Library.progressLines = { kernel.publishStderr($0) }
        KernelSignals.install(kernel)
        _ = kernel.run()
    }
}

struct KernelInstallCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "install", abstract: "Write the Loupe kernelspec (kernel.json and logos) where Jupyter finds it.")

    @Flag(name: .long, help: "Install for this user (~/.local/share/jupyter/kernels).")
    var user = false

    @Option(name: .long, help: "Install under PREFIX/share/jupyter/kernels (e.g. a virtualenv's sys.prefix).")
    var prefix: String?

    func run() throws {
        // kernel.json names this executable by its absolute path: Jupyter starts kernels without our PATH.
        let invoked = URL(fileURLWithPath: CommandLine.arguments[0],
                          relativeTo: URL(fileURLWithPath: FileManager.default.currentDirectoryPath))
        let path = (Bundle.main.executableURL ?? invoked).standardizedFileURL.resolvingSymlinksInPath().path
        let kernels = KernelSpec.kernelsDirectory(user: user, prefix: prefix,
                                                  environment: ProcessInfo.processInfo.environment)
        do {
            let folder = try KernelSpec.install(into: kernels, executable: path)
            Console.out("installed the Loupe kernelspec in \(folder.path)")
        } catch {
            throw CLIFailure(message: "\(error)", code: 1)
        }
    }
}

/// SIGINT (Jupyter's interrupt_mode "signal") stops the running cell, as Ctrl-C does in the REPL; when
/// no cell runs it does nothing. The kernel keeps running either way.
enum KernelSignals {
    nonisolated(unsafe) private static var kernel: Kernel?

    static func install(_ kernel: Kernel) {
        self.kernel = kernel
        var action = sigaction()
        action.__sigaction_handler.sa_handler = { _ in KernelSignals.kernel?.interrupt() }
        sigemptyset(&action.sa_mask)
        action.sa_flags = SA_RESTART
        sigaction(SIGINT, &action, nil)
    }
}
