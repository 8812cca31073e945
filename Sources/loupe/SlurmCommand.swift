import ArgumentParser
import Foundation
import LoupeLibrary

/// `loupe slurm NOTEBOOK --shards N -p … --out OUT`: prints an `sbatch` array script whose task K runs
/// `loupe run NOTEBOOK --shard K/N`. Slurm does the queueing and the requeueing; exit 75 asks for a requeue.
struct SlurmCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "slurm",
        abstract: "Print an sbatch array script that runs a notebook's sweep in N shards (then: loupe merge OUT).",
        discussion: "Usage: loupe slurm nb.loupe --shards 64 -p n=10000 --out /shared/out > sweep.sbatch && sbatch sweep.sbatch")

    @ArgumentParser.Argument(help: "The notebook (its path as the compute nodes see it).")
    var file: String

    @Option(name: .long, help: "How many shards (array tasks).")
    var shards: Int

    @Option(name: .customShort("p"), parsing: .singleValue, help: ArgumentHelp("A notebook parameter, as for loupe run.", valueName: "name=value"))
    var parameters: [String] = []

    @Option(name: .long, help: "Output folder on storage every node shares.")
    var out: String

    @Option(name: .long, help: "CPUs per task (Loupe's and BLAS's threads).")
    var cpusPerTask = 8

    @Option(name: .long, help: "Memory per task, in sbatch's spelling (e.g. 24G: the model plus its activations).")
    var mem = "16G"

    @Option(name: .long, help: "Time limit per task.")
    var time = "02:00:00"

    @Option(name: .long, help: "Partition (omitted when not given).")
    var partition: String?

    func run() throws {
        guard shards >= 1 else { throw CLIFailure.usage("--shards must be at least 1") }
        let notebook = URL(fileURLWithPath: file).standardizedFileURL.path
        let outPath = URL(fileURLWithPath: out).standardizedFileURL.path
        let loupe = SweepPaths.executable
        let name = URL(fileURLWithPath: file).deletingPathExtension().lastPathComponent
        var lines = [
            "#!/bin/bash",
            "# A Loupe sweep in \(shards) shards: `sbatch` this file, then `\(loupe) merge \(outPath)` once every task is done",
            "# (or: sbatch --dependency=afterok:JOBID --wrap '\(loupe) merge \(outPath)').",
            "#SBATCH --job-name=loupe-\(name)",
            "#SBATCH --array=0-\(shards - 1)",
            "#SBATCH --cpus-per-task=\(cpusPerTask)",
            "#SBATCH --mem=\(mem)",
            "#SBATCH --time=\(time)",
            "#SBATCH --requeue",
            "#SBATCH --output=\(outPath)/logs/%A_%a.log",
        ]
        if let partition { lines.append("#SBATCH --partition=\(partition)") }
        let params = parameters.map { "-p " + SweepPaths.shellQuoted($0) }.joined(separator: " ")
        lines += [
            "set -u",
            "export OPENBLAS_NUM_THREADS=\"${SLURM_CPUS_PER_TASK:-\(cpusPerTask)}\"",
            "\(SweepPaths.shellQuoted(loupe)) run \(SweepPaths.shellQuoted(notebook)) --shard \"$SLURM_ARRAY_TASK_ID/\(shards)\" --out \(SweepPaths.shellQuoted(outPath)) --quiet \(params)",
            "status=$?",
            "# 75: worth retrying (preempted, an I/O error); any other failure is deterministic.",
            "if [ \"$status\" -eq 75 ]; then scontrol requeue \"${SLURM_ARRAY_JOB_ID}_${SLURM_ARRAY_TASK_ID}\"; fi",
            "exit \"$status\"",
        ]
        print(lines.joined(separator: "\n"))
    }
}

enum SweepPaths {
    /// This `loupe`'s absolute path (what shard tasks run; nodes see it at the same path).
    static var executable: String {
        let arg0 = CommandLine.arguments[0]
        if arg0.contains("/") { return URL(fileURLWithPath: arg0).standardizedFileURL.resolvingSymlinksInPath().path }
        for dir in (ProcessInfo.processInfo.environment["PATH"] ?? "").split(separator: ":") {
            let candidate = "\(dir)/\(arg0)"
            if FileManager.default.isExecutableFile(atPath: candidate) { return candidate }
        }
        return arg0
    }

    static func shellQuoted(_ s: String) -> String {
        if !s.isEmpty, s.allSatisfy({ $0.isLetter || $0.isNumber || "/._-=:,+".contains($0) }) { return s }
        return "'" + s.replacingOccurrences(of: "'", with: "'\\''") + "'"
    }
}
