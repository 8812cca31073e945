import ArgumentParser
import Foundation
import LoupeLibrary
import LoupeTensor

HeapReuse.singleArena()

// The only place in Loupe that exits. Exit codes: 0 ok, 1 the script or notebook failed, 2 usage
// (bad arguments, unreadable files).
Library.progressLines = { Console.error(Console.dim($0)) }
do {
    var command = try LoupeCommand.parseAsRoot()
    try command.run()
    exit(0)
} catch let failure as CLIFailure {
    fflush(stdout)
    if !failure.message.isEmpty { Console.error("loupe: " + failure.message) }
    exit(failure.code)
} catch {
    fflush(stdout)
    let code = LoupeCommand.exitCode(for: error)
    let message = LoupeCommand.fullMessage(for: error)
    if code == .success {
        print(message)
        exit(0)
    }
    Console.error(message)
    exit(2)
}
