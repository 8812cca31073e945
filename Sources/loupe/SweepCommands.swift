import ArgumentParser

/// The subcommands that run a notebook's sweep across machines.
enum SweepCommands {
    static let all: [ParsableCommand.Type] = [MergeCommand.self, SlurmCommand.self, SubmitCommand.self]
}
