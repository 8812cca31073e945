import ArgumentParser
import LoupeTensor

/// `loupe`: with no subcommand, the REPL (or a script from stdin / `-c`).
struct LoupeCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "loupe",
        abstract: "Look inside transformer language models: a REPL, a notebook runner and reports.",
        discussion: """
        Examples:
          loupe                                  start the REPL
          loupe -c 'print(1 + 1)'                run code and exit
          echo 'print(1 + 1)' | loupe            run a script from stdin
          loupe run notebooks/x.loupe -p n=3     run a notebook, write reports/x/
          loupe convert a.ipynb                  write a.loupe (and back)
          loupe kernel install --user            use Loupe as a Jupyter kernel
        """,
        version: LoupeVersion.string,
        subcommands: [ReplCommand.self, RunCommand.self, ConvertCommand.self, InfoCommand.self,
                      KernelCommand.self] + SweepCommands.all,
        defaultSubcommand: ReplCommand.self)
}
